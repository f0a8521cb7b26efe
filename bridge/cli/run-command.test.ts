// The CLI contract for configuration errors: exit code 2, message naming key, value, allowed.
// Needs no root: the configuration is rejected before any interface is touched.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { addConfigOptions, loadConfig } from './run-command.js';

const CLI = fileURLToPath(new URL('../../bin/goose-bridge.js', import.meta.url));

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, 'run', ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
  return { code: r.status, stderr: r.stderr };
}

describe('goose-bridge run (configuration errors)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'gb-run-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 2 naming the flag, the value and what is allowed (command line)', () => {
    const r = run(['--port', '70000']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('GB_ERR_CONFIG').and.include('--port "70000"').and.include('1 to 65535');
    const linkLocal = run(['-g', '224.0.0.1']);
    expect(linkLocal.code).to.equal(2);
    expect(linkLocal.stderr).to.include('--group "224.0.0.1"').and.include('link-local');
  });

  it('exits 2 naming file and lines when the config file sets a key twice', () => {
    const file = join(dir, 'twice.conf');
    writeFileSync(file, '[DEFAULT]\nbuffer_size = 2048\nttl = 8\nbuffer_size = 4096\n');
    const r = run(['-c', file]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include(`${file}:4: buffer_size is set again (first on line 2)`);
  });

  it('exits 2 for an unknown key in the config file', () => {
    const file = join(dir, 'bad.conf');
    writeFileSync(file, '[DEFAULT]\ninterface = goose0\nmulticast_adress = 224.0.1.100\n');
    const r = run(['--config', file]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('multicast_adress').and.include(file);
  });

  it('exits 2 for a bad environment value and a missing config file', () => {
    const env = run([], { GOOSE_BRIDGE_TTL: '0' });
    expect(env.code).to.equal(2);
    expect(env.stderr).to.include('GOOSE_BRIDGE_TTL="0"');
    const missing = run(['--config', join(dir, 'nope.conf')]);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.include('nope.conf').and.include('ENOENT');
  });

  it('takes every key by its own name as a flag beside the shorter one (--multicast-ip as --group), and refuses both at once', () => {
    const parse = (...argv: string[]): Record<string, unknown> => addConfigOptions(new Command().exitOverride()).parse(argv, { from: 'user' }).opts();
    expect(loadConfig(parse('--multicast-ip', '239.0.1.9'), {}).config.multicastIp).to.equal('239.0.1.9');
    expect(loadConfig(parse('-g', '239.0.1.9'), {}).config.multicastIp).to.equal('239.0.1.9');
    expect(loadConfig(parse('--multicast-port', '61000', '--attach-interface', 'eth7'), {}).config).to.include({ multicastPort: 61000, attachInterface: 'eth7' });
    expect(() => loadConfig(parse('--group', '239.0.1.9', '--multicast-ip', '239.0.1.8'), {})).to.throw('--group and --multicast-ip both set multicast_ip');
    expect(() => loadConfig(parse('--multicast-ip', '224.0.0.5'), {})).to.throw('--multicast-ip "224.0.0.5" is not allowed');
  });
});
