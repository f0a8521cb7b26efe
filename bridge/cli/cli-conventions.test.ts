import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Command } from 'commander';
import { applyCliConventions, wrapText } from './cli-conventions.js';
import { registerDoctorCommand } from './doctor-command.js';
import { addConfigOptions, loadConfig } from './run-command.js';
import { BridgeCounters, snapshotCounters } from '../daemon/bridge-counters.js';

const CLI = fileURLToPath(new URL('../../bin/goose-bridge.js', import.meta.url));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
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

describe("where a command's answer goes: stdout (tables and --json), diagnostics on stderr", function () {
  this.timeout(240_000); // each case starts the CLI, from source when the bundle is older
  let dir = '';
  let stats = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gb-answer-'));
    stats = join(dir, 'stats.json');
    const c = new BridgeCounters();
    c.wanDatagramsSent = 1234;
    const now = Date.now();
    const snap = snapshotCounters(
      c,
      { gapFrames: 0, gapEvents: 0, lateFrames: 0, duplicates: 0, stale: 0, ownDatagrams: 0, senders: 0 },
      { nowMs: now, startedMs: now - 1000, pid: process.pid, senderId: '00112233aabbccdd', interface: 'goose0', uplink: 'lo', groups: ['224.0.1.100'], port: 61850, keepaliveStrategy: 'report', membership: {}, lastKeepaliveMs: null, lastCheckMs: null },
    );
    writeFileSync(stats, JSON.stringify(snap));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('status: the summary on stdout (`status | grep sent` finds the line), nothing on stderr', () => {
    const r = cli('status', '--stats-file', stats);
    expect(r.stderr).to.equal('');
    expect(r.stdout.split('\n').filter((l) => l.includes('sent'))).to.have.length.greaterThan(0);
    expect(r.stdout).to.include('1,234 datagrams').and.include('WAN GB1, NOT AUTHENTICATED');
    expect(r.status).to.equal(0);
    const j = cli('status', '--stats-file', stats, '--json');
    expect((JSON.parse(j.stdout) as { to_wan: { datagrams_sent: number }; wan_authenticated: boolean }).to_wan.datagrams_sent).to.equal(1234);
  });

  it('doctor: the findings and the count line on stdout; with --json the object on stdout and the table on stderr', () => {
    const r = cli('doctor', '--stats-file', stats, '--mcast-if', 'lo');
    expect(r.stdout).to.match(/^\[(?: ok |WARN|FAIL)\] uplink/m).and.match(/^(?:all checks passed|\d+ problems?, \d+ warnings?)$/m);
    expect(r.stdout).to.include('[WARN] WAN authentication: the WAN is unauthenticated (GB1)');
    expect(r.stdout).to.match(/, [1-9]\d* warnings?$/m); // the GB1 warning is counted
    expect(r.stderr).to.equal('');
    const j = cli('doctor', '--stats-file', stats, '--mcast-if', 'lo', '--json');
    const o = JSON.parse(j.stdout) as { problems: number; warnings: number; findings: unknown[] };
    expect(o.warnings).to.be.greaterThan(0);
    expect(j.stderr).to.include('[WARN] WAN authentication');
  });

  it('scl: the listing and report (as INI comments) and the config fragment on stdout, a loadable config', () => {
    const r = cli('scl', fileURLToPath(new URL('../../fixtures/scl/prot1-2007b.cid', import.meta.url)));
    expect(r.stderr).to.equal('');
    expect(r.stdout).to.match(/^; IED PROT1: 1 control block/m).and.match(/^; no inconsistencies$/m).and.match(/^appid_allow = 0x0021$/m);
    const conf = join(dir, 'fragment.conf');
    writeFileSync(conf, r.stdout);
    expect(loadConfig({ config: conf }, {}).config.appIdAllow).to.deep.equal([{ lo: 0x21, hi: 0x21 }]);
  });

  it('sim publisher and subscriber (pcap): summary and table on stdout; --json alone on stdout', () => {
    const pcap = join(dir, 'sim.pcap');
    const pub = cli('sim', 'publisher', '--pcap', pcap, '--count', '3');
    expect(pub.status).to.equal(0);
    expect(pub.stdout).to.match(/frames/);
    expect(pub.stderr).to.equal('');
    const pubJson = cli('sim', 'publisher', '--pcap', pcap, '--count', '3', '--json');
    expect(JSON.parse(pubJson.stdout)).to.be.an('object');
    const sub = cli('sim', 'subscriber', '--pcap', pcap);
    expect(sub.stdout).to.match(/^APPID\s/m);
    const subJson = cli('sim', 'subscriber', '--pcap', pcap, '--json');
    expect(JSON.parse(subJson.stdout)).to.be.an('object');
    expect(subJson.stderr).to.match(/^APPID\s/m);
  });
});
