import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Command } from 'commander';
import { applyCliConventions, wrapText } from './cli-conventions.js';
import { registerDoctorCommand } from './doctor-command.js';
import { addConfigOptions, loadConfig } from './run-command.js';

const CLI = fileURLToPath(new URL('../../bin/goose-bridge.js', import.meta.url));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Parses `args` as `run` would and returns the options commander hands the action. */
function runOptions(args: string[]): Record<string, unknown> {
  let got: Record<string, unknown> = {};
  const cmd = addConfigOptions(new Command('run').exitOverride()).action((opts: Record<string, unknown>) => {
    got = opts;
  });
  cmd.parse(args, { from: 'user' });
  return got;
}

describe('command-line conventions', function () {
  this.timeout(60_000); // two cases start the CLI
  it('a usage error prints the error and one line pointing at --help, exit 2', () => {
    const r = cli('run', '--mcast-iface', 'x');
    expect(r.status).to.equal(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.length).to.be.at.most(3);
    expect(lines[0]).to.include("unknown option '--mcast-iface'");
    expect(r.stderr).to.include('--mcast-if?');
    expect(lines.at(-1)).to.equal("Run 'goose-bridge run --help' for usage.");
    expect(r.stdout).to.equal('');
  });

  it('--version prints the package version, exit 0', () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = cli('--version');
    expect(r.status).to.equal(0);
    expect(r.stdout.trim()).to.equal(version);
  });

  it('booleans are switches with a --no- negation (an explicit true/false still works); -i, -g, -p and -c are the short flags', () => {
    const { config } = loadConfig(runOptions(['--enable-sv', '--no-check-appid-range', '-i', 'gb7', '-g', '239.1.2.3', '-p', '5000']), {});
    expect(config).to.include({ enableSv: true, checkAppIdRange: false, interface: 'gb7', multicastIp: '239.1.2.3', multicastPort: 5000 });
    expect(loadConfig(runOptions([]), {}).config).to.include({ enableSv: false, checkAppIdRange: true }); // the defaults
    expect(loadConfig(runOptions(['--no-enable-sv']), { GOOSE_BRIDGE_ENABLE_SV: 'true' }).config.enableSv).to.equal(false); // the flag wins
    expect(loadConfig(runOptions(['--enable-sv', 'false', '--remove-tap-on-exit', 'true']), {}).config).to.include({ enableSv: false, removeTapOnExit: true }); // scripts written for values
    expect(() => loadConfig(runOptions(['--enable-sv', 'maybe']), {})).to.throw('--enable-sv "maybe"');
    expect(() => loadConfig(runOptions(['-c', '/nonexistent/goose.conf']), {})).to.throw('/nonexistent/goose.conf');
  });

  it('doctor lists only the options it uses', () => {
    const program = new Command('goose-bridge');
    registerDoctorCommand(program);
    applyCliConventions(program);
    const help = program.commands[0]!.helpInformation();
    for (const used of ['--config', '--interface', '--mcast-if', '--group-map', '--stats-file']) expect(help).to.include(used);
    for (const unused of ['--ttl', '--enable-sv', '--buffer-size', '--log-level', '--metrics-port']) expect(help).not.to.include(unused);
  });

  it('wraps help text to the width, keeping indentation', () => {
    const text = wrapText('  one two three four five six seven eight nine ten', 20);
    expect(text.split('\n')).to.deep.equal(['  one two three four', '  five six seven', '  eight nine ten']);
    for (const line of wrapText('x '.repeat(200), 33).split('\n')) expect(line.length).to.be.at.most(33);
  });
});
