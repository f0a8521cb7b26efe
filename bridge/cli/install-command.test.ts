// `goose-bridge install --root DIR` / `uninstall --root DIR` through the real CLI: the files
// appear and go, twice in a row, nothing is run on the host, and the operator's edits survive.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { INSTALLED, WRAPPER_MARK } from '../install/install-plan.js';

const CLI = fileURLToPath(new URL('../../bin/goose-bridge.js', import.meta.url));
const CHECKOUT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
const FILES = [INSTALLED.config, INSTALLED.unit, INSTALLED.sysctl, INSTALLED.wrapper];

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, lines: r.stdout.trimEnd().split('\n') };
}

describe('goose-bridge install / uninstall --root (staging root)', function () {
  this.timeout(60_000);
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'gb-install-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('install then uninstall, twice in a row: the files appear and go; no command runs; the config stays', () => {
    for (const round of [1, 2]) {
      const i = cli('install', '--root', root);
      expect(i.status, `round ${round}: ${i.stderr}`).to.equal(0);
      for (const f of FILES) expect(existsSync(join(root, f)), `round ${round}: /${f} installed`).to.equal(true);
      expect(i.lines.filter((l) => l.startsWith('ran'))).to.deep.equal([]);
      expect(i.lines.filter((l) => l.startsWith('not run')).map((l) => l.split(' ').filter(Boolean)[2])).to.deep.equal(['useradd', 'sysctl', 'systemctl', 'systemctl']);
      const u = cli('uninstall', '--root', root);
      expect(u.status, `round ${round}: ${u.stderr}`).to.equal(0);
      for (const f of [INSTALLED.unit, INSTALLED.sysctl, INSTALLED.wrapper]) expect(existsSync(join(root, f)), `round ${round}: /${f} removed`).to.equal(false);
      expect(existsSync(join(root, INSTALLED.config)), `round ${round}: config kept`).to.equal(true);
    }
    const purge = cli('uninstall', '--root', root, '--purge');
    expect(purge.status, purge.stderr).to.equal(0);
    expect(existsSync(join(root, INSTALLED.configDir))).to.equal(false);
    expect(purge.lines).to.include('not run   userdel goose-bridge (staging root; on the host: the service user)');
  });

  it('a second install changes nothing and keeps an edited config; a changed unit is put back', () => {
    expect(cli('install', '--root', root).status).to.equal(0);
    writeFileSync(join(root, INSTALLED.config), 'mcast_if = ens5\n');
    writeFileSync(join(root, INSTALLED.unit), 'stale');
    const again = cli('install', '--root', root);
    expect(again.lines.filter((l) => !l.startsWith('not run'))).to.deep.equal([
      `kept      /${INSTALLED.config} (exists; yours)`,
      `updated   /${INSTALLED.unit}`,
      `unchanged /${INSTALLED.sysctl}`,
      `unchanged /${INSTALLED.wrapper}`,
    ]);
    expect(readFileSync(join(root, INSTALLED.config), 'utf8')).to.equal('mcast_if = ens5\n');
  });

  it('the unit runs this checkout with this node; the wrapper on PATH runs the CLI with the installed config', () => {
    expect(cli('install', '--root', root).status).to.equal(0);
    const unit = readFileSync(join(root, INSTALLED.unit), 'utf8');
    expect(unit).to.include(`ExecStart=${process.execPath} ${CHECKOUT}/bin/goose-bridge.js run --config /etc/goose-bridge/goose-bridge.conf`);
    expect(unit).not.to.include('/opt/goose-bridge');
    const wrapper = join(root, INSTALLED.wrapper);
    expect(statSync(wrapper).mode & 0o777).to.equal(0o755);
    expect(readFileSync(wrapper, 'utf8')).to.include(WRAPPER_MARK);
    const version = spawnSync(wrapper, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    expect(version.stdout.trim()).to.equal((JSON.parse(readFileSync(join(CHECKOUT, 'package.json'), 'utf8')) as { version: string }).version);
    expect(readFileSync(join(root, INSTALLED.sysctl), 'utf8')).to.equal(readFileSync(join(CHECKOUT, 'deploy/90-goose-bridge.conf'), 'utf8'));
  });

  it('uninstall leaves a goose-bridge on PATH that install did not write', () => {
    expect(cli('install', '--root', root).status).to.equal(0);
    writeFileSync(join(root, INSTALLED.wrapper), '#!/bin/sh\necho mine\n');
    const u = cli('uninstall', '--root', root);
    expect(u.lines).to.include(`kept      /${INSTALLED.wrapper} (not written by install)`);
    expect(existsSync(join(root, INSTALLED.wrapper))).to.equal(true);
  });
});
