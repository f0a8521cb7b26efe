import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { ISSUE_CODES } from '../scl/scl-model.js';

const CLI = fileURLToPath(new URL('../../bin/goose-bridge.js', import.meta.url));
const DIR = fileURLToPath(new URL('../../fixtures/scl/', import.meta.url));

function scl(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'scl', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('goose-bridge scl (the real CLI)', function () {
  this.timeout(120_000);

  const good = readdirSync(DIR).filter((f) => /\.(cid|scd)$/.test(f));
  const broken = readdirSync(`${DIR}broken`);

  it('finds the fixtures (a good 2003 and 2007B CID, an SCD; a broken file per inconsistency)', () => {
    expect(good).to.include.members(['prot1-2007b.cid', 'prot3-2003.cid', 'station.scd']);
    const codes = new Set(broken.map((f) => Object.keys(ISSUE_CODES).find((c) => f.startsWith(`${c}.`) || f.startsWith(`${c}-`))));
    expect([...codes].sort()).to.deep.equal(Object.keys(ISSUE_CODES).sort());
  });

  for (const f of ['prot1-2007b.cid', 'prot3-2003.cid', 'station.scd', 'samu1-2007b.cid']) {
    it(`${f}: exit 0, "no inconsistencies", the listing (INI comments) and the config fragment on stdout`, () => {
      const r = scl(`${DIR}${f}`);
      expect(r.stdout).to.match(/^; no inconsistencies$/m);
      expect(r.stderr).to.equal('');
      expect(r.stdout).to.match(/^appid_allow = 0x/m).and.match(/^group_map = appid:/m);
      expect(r.status).to.equal(0);
    });
  }

  for (const f of readdirSync(`${DIR}broken`)) {
    it(`broken/${f}: exit 1, names the inconsistency and its SCL path`, () => {
      const code = Object.keys(ISSUE_CODES).find((c) => f.startsWith(`${c}.`) || f.startsWith(`${c}-`))!;
      const r = scl(`${DIR}broken/${f}`);
      expect(r.stdout).to.match(new RegExp(`^;   ${code}  SCL/\\S+$`, 'm'));
      expect(r.status).to.equal(1);
    });
  }

  it('--ied narrows the listing and the fragment; --json holds the control blocks, issues and config', () => {
    const r = scl(`${DIR}station.scd`, '--ied', 'MU1', '--json');
    expect(r.status).to.equal(0);
    const j = JSON.parse(r.stdout) as { ieds: string[]; controlBlocks: { ref: string }[]; issues: unknown[]; config: Record<string, unknown> };
    expect(j.ieds).to.deep.equal(['MU1']);
    expect(j.controlBlocks.map((c) => c.ref)).to.deep.equal(['MU1MU/LLN0$MS$MSVCB01']);
    expect(j.config).to.deep.equal({ appid_allow: '0x4000', group_map: 'appid:0x4000=239.0.1.101', enable_sv: true });
  });

  it('a duplicate APPID is reported for either IED chosen alone (it involves both)', () => {
    for (const ied of ['PROT1', 'PROT2']) {
      const r = scl(`${DIR}broken/duplicate-appid.scd`, '--ied', ied);
      expect(r.stdout, ied).to.contain('duplicate-appid');
      expect(r.status).to.equal(1);
    }
  });

  it('an unknown IED, a file that is not XML and a missing file exit 2 with GB_ERR_SCL', () => {
    const unknown = scl(`${DIR}station.scd`, '--ied', 'NOPE');
    expect(unknown.stderr).to.contain('GB_ERR_SCL: IED "NOPE" is not in');
    expect(unknown.status).to.equal(2);
    const notXml = scl(fileURLToPath(new URL('../../package.json', import.meta.url)));
    expect(notXml.stderr).to.contain('not well-formed XML');
    expect(notXml.status).to.equal(2);
    const missing = scl(`${DIR}does-not-exist.scd`);
    expect(missing.stderr).to.contain('cannot read SCL file');
    expect(missing.status).to.equal(2);
  });

  it('a file beyond a limit exits 2 with GB_ERR_SCL naming the limit and its value; the option raises it', () => {
    const deep = scl(`${DIR}station.scd`, '--max-depth', '5');
    expect(deep.stderr).to.match(/GB_ERR_SCL: .*station\.scd: element nesting \(inside SCL > Communication > SubNetwork > ConnectedAP > Address\) exceeds 5 at line \d+ \(limit --max-depth 5\)/);
    expect(deep.status).to.equal(2);
    expect(scl(`${DIR}station.scd`, '--max-depth', '10').status).to.equal(0);
    const kept = scl(`${DIR}station.scd`, '--max-kept', '10');
    expect(kept.stderr).to.match(/exceeds 10 at line \d+ \(limit --max-kept 10\)/);
    expect(kept.status).to.equal(2);
  });
});
