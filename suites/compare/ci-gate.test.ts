// The CI gate (fixtures/baselines/tolerances-ci.json) against copies of the committed smoke
// baseline: it must pass the unchanged baseline and fail realistic regressions.
import { expect } from 'chai';
import { XMLParser } from 'fast-xml-parser';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareReports, loadTolerances, ruleName, type ToleranceRule } from './compare.js';
import { junitXml } from './junit.js';
import { readCsv, toCsv, type Row } from '../report/csv.js';

const BASELINE = 'fixtures/baselines/smoke';
const CI = loadTolerances('fixtures/baselines/tolerances-ci.json');

/** A copy of the baseline with `edit` applied to the rows of one CSV (columns kept in order unless dropped). */
function editedCopy(dir: string, file: string, edit: (r: Row) => Row, drop: string[] = []): string {
  const out = join(dir, `copy-${Math.random().toString(36).slice(2)}`);
  cpSync(BASELINE, out, { recursive: true });
  const rows = readCsv(join(BASELINE, file));
  const columns = Object.keys(rows[0] ?? {}).filter((c) => !drop.includes(c));
  const edited = rows.map((r) => {
    const e = edit({ ...r });
    for (const c of drop) delete e[c];
    return e;
  });
  writeFileSync(join(out, file), toCsv(columns, edited));
  return out;
}

const scaled = (r: Row, columns: (c: string) => boolean, factor: number): Row => {
  for (const [c, v] of Object.entries(r)) if (columns(c) && v !== '' && v !== null && v !== undefined) r[c] = Number(v) * factor;
  return r;
};
const isLatency = (c: string): boolean => c.startsWith('latency_') && c.endsWith('_us');
/** The bridge twice as slow: its own rows and the bridge/vxlan ratio rows. */
const doubleBridge = (r: Row): Row => (r.path === 'bridge' || r.path === 'bridge/vxlan' ? scaled(r, isLatency, 2) : r);

describe('CI gate on the committed smoke baseline', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gbh-gate-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('passes the unchanged baseline', () => {
    const r = compareReports(BASELINE, BASELINE, CI);
    expect(r.findings.filter((f) => f.status !== 'ok' && f.status !== 'skipped'), r.table).to.deep.equal([]);
    expect(r.regressions).to.equal(0);
  });

  it('fails a copy whose bridge latencies are doubled', () => {
    const cur = editedCopy(dir, 'latency.csv', doubleBridge);
    const slices = readCsv(join(BASELINE, 'latency-slices.csv'));
    // The gate decides on the slices: latency.csv doubled alone leaves its verdict unchanged.
    expect(compareReports(BASELINE, cur, CI).regressions).to.equal(0);
    writeFileSync(join(cur, 'latency-slices.csv'), toCsv(Object.keys(slices[0]!), slices.map((r) => doubleBridge({ ...r }))));
    const r = compareReports(BASELINE, cur, CI);
    const slicesRule = r.findings.find((f) => f.rule === 'latency-slices.csv:bridge/vxlan:latency_p50_us')!;
    expect(slicesRule.status, r.table).to.equal('regressed');
    expect(slicesRule.p_value).to.be.below(0.01);
    expect(r.regressions).to.be.at.least(1);
  });

  it('fails a copy whose loss-free rate is halved', () => {
    const lower = (r: Row): Row => (r.path === 'bridge' || r.path === 'bridge/vxlan' ? scaled(r, (c) => c === 'rate_fps' || c === 'mbit_s', 0.5) : r);
    const r = compareReports(BASELINE, editedCopy(dir, 'throughput.csv', lower), CI);
    expect(r.findings.find((f) => f.rule === 'throughput.csv:bridge/vxlan:rate_fps')!.status, r.table).to.equal('regressed');
  });

  it('fails a copy missing any column a non-optional rule uses, or with that column empty', () => {
    const used = (rule: ToleranceRule): string[] => (rule.kind === 'binomial' ? [rule.x, rule.n, rule.p] : [rule.column]);
    for (const rule of CI.rules.filter((x) => !x.optional)) {
      for (const column of used(rule)) {
        const dropped = compareReports(BASELINE, editedCopy(dir, rule.file, (x) => x, [column]), { rules: [rule] });
        expect(dropped.findings.map((f) => f.status), `${ruleName(rule)} without ${column}`).to.include('missing');
        const emptied = compareReports(BASELINE, editedCopy(dir, rule.file, (x) => ({ ...x, [column]: '' })), { rules: [rule] });
        expect(emptied.regressions, `${ruleName(rule)} with ${column} empty`).to.be.at.least(1);
      }
    }
  });

  it('writes JUnit XML with one test case per rule and key, failures where the gate failed', () => {
    const cur = editedCopy(dir, 'latency-slices.csv', doubleBridge);
    const r = compareReports(BASELINE, cur, CI);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(junitXml(r.findings));
    const cases = [doc.testsuites.testsuite.testcase].flat() as Array<Record<string, unknown>>;
    expect(cases.length).to.equal(r.findings.length);
    expect(cases.filter((c) => c.failure !== undefined).length).to.equal(r.regressions);
    expect(Number(doc.testsuites.testsuite.failures)).to.equal(r.regressions);
    expect(cases.find((c) => String(c.name).startsWith('latency-slices.csv'))!.failure).to.not.equal(undefined);
  });
});
