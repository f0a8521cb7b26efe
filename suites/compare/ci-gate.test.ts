// The CI gate (fixtures/baselines/tolerances-ci.json) against copies of the committed smoke
// baseline whose raw rows (the measurements) were changed, with the derived ratio rows rebuilt
// from them as a suite would: it must fail each regression the gate exists for, fail a folder
// whose ratio rows contradict its raw rows, and pass a copy that differs from the baseline the
// way reruns of unchanged code do.
import { expect } from 'chai';
import { XMLParser } from 'fast-xml-parser';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareReports, loadTolerances, ruleName, type Finding, type ToleranceRule } from './compare.js';
import { isRatioPath, ratioRowsFromRaw } from './derived.js';
import { junitXml } from './junit.js';
import { readCsv, toCsv, type Row } from '../report/csv.js';

const BASELINE = 'fixtures/baselines/smoke';
const CI = loadTolerances('fixtures/baselines/tolerances-ci.json');

type Edit = (r: Row) => Row;

/**
 * A copy of the baseline with `edits` applied to the raw rows of some CSVs; each edited file's
 * ratio rows are then recomputed from its raw rows (as the suite writes them) unless
 * `keepStoredRatios`, which leaves them as they were. Columns stay in order unless dropped.
 */
function copyWith(dir: string, edits: Record<string, Edit>, o: { keepStoredRatios?: boolean; drop?: Record<string, string[]> } = {}): string {
  const out = join(dir, `copy-${Math.random().toString(36).slice(2)}`);
  cpSync(BASELINE, out, { recursive: true });
  for (const file of new Set([...Object.keys(edits), ...Object.keys(o.drop ?? {})])) {
    const rows = readCsv(join(BASELINE, file));
    const drop = o.drop?.[file] ?? [];
    const columns = Object.keys(rows[0] ?? {}).filter((c) => !drop.includes(c));
    const edit = edits[file] ?? ((r: Row) => r);
    const raw = rows.filter((r) => !isRatioPath(r.path)).map((r) => edit({ ...r }));
    const ratios = o.keepStoredRatios ? rows.filter((r) => isRatioPath(r.path)) : ratioRowsFromRaw(file, raw);
    const all = [...raw, ...ratios].map((r) => {
      for (const c of drop) delete r[c];
      return r;
    });
    writeFileSync(join(out, file), toCsv(columns, all));
  }
  return out;
}

const scaled = (r: Row, columns: readonly string[], factor: number): Row => {
  for (const c of columns) if (r[c] !== '' && r[c] !== undefined && r[c] !== null) r[c] = Math.round(Number(r[c]) * factor);
  return r;
};
const bridgeOnly = (f: Edit): Edit => (r) => (r.path === 'bridge' ? f(r) : r);

const status = (findings: readonly Finding[], rule: string, key = ''): string => {
  const f = findings.filter((x) => x.rule === rule && (key === '' || x.key === key));
  expect(f.length, `finding ${rule} ${key}`).to.be.greaterThan(0);
  return f.map((x) => x.status).join(',');
};

/**
 * Every bridge figure of the throughput search × factor: its trials, counters consistent, and its
 * result row. Slower (factor < 1), the bridge's result is what the suite then reports: the highest
 * loss-free trial, an exact figure (the baseline's may be a lower bound, stopped by the generator).
 */
const throughputScaled = (factor: number): Record<string, Edit> => {
  const counters = (r: Row): Row => {
    scaled(r, ['rate_fps', 'achieved_fps', 'max_lossless_achieved_fps', 'sent'], factor);
    r.received = r.loss_free === 'false' ? Math.round(Number(r.received) * factor) : r.sent; // loss-free trials and the result row stay loss-free
    r.lost = Number(r.sent) - Number(r.received);
    if ('mbit_s' in r) r.mbit_s = Math.round(Number(r.frame_bytes) * 8 * Number(r.rate_fps) / 1e5) / 10;
    return r;
  };
  const bestLossFree = (frameBytes: unknown): Row | undefined =>
    readCsv(join(BASELINE, 'throughput-trials.csv'))
      .filter((t) => t.path === 'bridge' && String(t.frame_bytes) === String(frameBytes) && t.loss_free === 'true')
      .map((t) => counters({ ...t }))
      .reduce<Row | undefined>((b, t) => (b === undefined || Number(t.rate_fps) > Number(b.rate_fps) ? t : b), undefined);
  const result = (r: Row): Row => {
    const best = factor < 1 ? bestLossFree(r.frame_bytes) : undefined;
    if (best === undefined) return counters(r);
    Object.assign(r, { rate_fps: best.rate_fps, sent: best.sent, received: best.received, lost: 0, bound: '=', limited_by: 'loss', max_lossless_achieved_fps: best.achieved_fps });
    if ('mbit_s' in r) r.mbit_s = Math.round(Number(r.frame_bytes) * 8 * Number(r.rate_fps) / 1e5) / 10;
    return r;
  };
  return { 'throughput.csv': bridgeOnly(result), 'throughput-trials.csv': bridgeOnly(counters) };
};

describe('CI gate on the committed smoke baseline', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gbh-gate-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('passes a copy that differs as reruns of unchanged code did: slices ±10 %, throughput one search step lower (0.82 ×)', () => {
    let i = 0;
    const jitter = (r: Row): Row => scaled(r, ['latency_p50_us', 'latency_p99_us', 'latency_p99_9_us', 'latency_max_us'], 0.9 + 0.2 * ((i++ * 7919) % 17) / 16);
    const cur = copyWith(dir, { 'latency-slices.csv': bridgeOnly(jitter), ...throughputScaled(171_000 / 207_813) });
    const r = compareReports(BASELINE, cur, CI);
    expect(r.findings.filter((f) => !['ok', 'skipped', 'unjudged'].includes(f.status)), r.table).to.deep.equal([]);
    expect(r.regressions).to.equal(0);
  });

  it('fails a copy whose bridge p50 is doubled in its raw slices', () => {
    const r = compareReports(BASELINE, copyWith(dir, { 'latency-slices.csv': bridgeOnly((x) => scaled(x, ['latency_p50_us'], 2)), 'latency.csv': bridgeOnly((x) => scaled(x, ['latency_p50_us'], 2)) }), CI);
    const f = r.findings.find((x) => x.rule === 'latency-slices.csv:bridge/vxlan:latency_p50_us')!;
    expect(f.status, r.table).to.equal('regressed');
    expect(f.p_value).to.be.below(0.01);
    expect(status(r.findings, 'latency-slices.csv:derived rows agree with raw rows', 'current')).to.equal('ok');
  });

  it('fails a copy whose bridge tail (p99, p99.9, max) is 3 × worse in its raw rows', () => {
    const tail = bridgeOnly((x) => scaled(x, ['latency_p99_us', 'latency_p99_9_us', 'latency_max_us'], 3));
    const r = compareReports(BASELINE, copyWith(dir, { 'latency-slices.csv': tail, 'latency.csv': tail }), CI);
    expect(status(r.findings, 'latency.csv:bridge/vxlan:latency_p99_9_us'), r.table).to.equal('regressed');
    expect(status(r.findings, 'latency-slices.csv:bridge/vxlan:latency_p99_us')).to.equal('regressed');
    expect(status(r.findings, 'latency-slices.csv:bridge/vxlan:latency_p50_us')).to.equal('ok');
  });

  it('fails a copy whose bridge loss-free rate is 30 % lower in its trials and result row; the capped VXLAN ratio is not judged', () => {
    const r = compareReports(BASELINE, copyWith(dir, throughputScaled(0.7)), CI);
    expect(status(r.findings, 'throughput.csv:bridge:rate_fps'), r.table).to.equal('regressed');
    expect(status(r.findings, 'throughput.csv:derived rows agree with raw rows', 'current')).to.equal('ok');
    const ratio = r.findings.find((x) => x.rule === 'throughput.csv:bridge/vxlan:rate_fps')!;
    expect(ratio.status).to.equal('unjudged');
    expect(ratio.detail).to.match(/^could not judge/);
  });

  it('does not judge the bridge\'s absolute rate on a machine that carried VXLAN far below the baseline (a loaded machine), and says so', () => {
    const slow = throughputScaled(0.2);
    const vxlanSlow = (x: Row): Row => {
      if (x.path !== 'vxlan') return slow['throughput.csv']!(x);
      // VXLAN exact at 60,000 (loss-limited) instead of ≥ 300,000 at the ceiling.
      return { ...x, rate_fps: 60_000, bound: '=', limited_by: 'loss', mbit_s: 96, max_lossless_achieved_fps: 60_000, sent: 90_000, received: 90_000, lost: 0 };
    };
    const trialsSlow = (x: Row): Row => (x.path === 'vxlan' ? { ...x, rate_fps: 60_000, achieved_fps: 60_000, sent: 90_000, received: 90_000, lost: 0, loss_free: 'true' } : slow['throughput-trials.csv']!(x));
    const r = compareReports(BASELINE, copyWith(dir, { 'throughput.csv': vxlanSlow, 'throughput-trials.csv': trialsSlow }), CI);
    const f = r.findings.find((x) => x.rule === 'throughput.csv:bridge:rate_fps')!;
    expect(f.status, r.table).to.equal('unjudged');
    expect(f.detail).to.match(/vxlan reached only 60000 .*slower or busier/);
    expect(r.regressions, r.table).to.equal(0);
  });

  it('fails a copy that lost 5 % of the bridge\'s frames at its reported rate', () => {
    const lossy = (x: Row): Row => {
      if (x.loss_free === 'false') return x;
      x.received = Math.round(Number(x.sent) * 0.95);
      x.lost = Number(x.sent) - Number(x.received);
      return x;
    };
    const r = compareReports(BASELINE, copyWith(dir, { 'throughput.csv': bridgeOnly(lossy), 'throughput-trials.csv': bridgeOnly(lossy) }), CI);
    expect(status(r.findings, 'throughput.csv:bridge:lost'), r.table).to.equal('regressed');
  });

  it('fails a copy whose raw rows disagree with its stored ratio rows, either way round', () => {
    const doubled = bridgeOnly((x) => scaled(x, ['latency_p50_us', 'latency_p99_us'], 2));
    const raw = compareReports(BASELINE, copyWith(dir, { 'latency.csv': doubled, 'latency-slices.csv': doubled }, { keepStoredRatios: true }), CI);
    expect(status(raw.findings, 'latency.csv:derived rows agree with raw rows', 'current'), raw.table).to.equal('inconsistent');
    expect(status(raw.findings, 'latency-slices.csv:derived rows agree with raw rows', 'current')).to.equal('inconsistent');
    // The verdict follows the raw rows, not the stale ratio rows.
    expect(status(raw.findings, 'latency-slices.csv:bridge/vxlan:latency_p50_us')).to.equal('regressed');
    // A throughput result row that no trial supports.
    const noTrial = compareReports(BASELINE, copyWith(dir, { 'throughput.csv': bridgeOnly((x) => ({ ...x, rate_fps: 123_457, bound: '=', limited_by: 'loss' })) }), CI);
    expect(status(noTrial.findings, 'throughput.csv:derived rows agree with raw rows', 'current'), noTrial.table).to.equal('inconsistent');
    expect(noTrial.regressions).to.be.at.least(1);
  });

  it('fails a copy missing any column a non-optional rule uses, or with that column empty', () => {
    const used = (rule: ToleranceRule): string[] => (rule.kind === 'binomial' ? [rule.x, rule.n, rule.p] : [rule.column, ...(rule.kind !== 'slices' && rule.per ? [rule.per] : [])]);
    for (const rule of CI.rules.filter((x) => !x.optional)) {
      for (const column of used(rule)) {
        const dropped = compareReports(BASELINE, copyWith(dir, {}, { drop: { [rule.file]: [column] } }), { rules: [rule] });
        expect(dropped.findings.filter((f) => f.kind !== 'derived').map((f) => f.status), `${ruleName(rule)} without ${column}`).to.include('missing');
        const emptied = compareReports(BASELINE, copyWith(dir, { [rule.file]: (x) => ({ ...x, [column]: '' }) }), { rules: [rule] });
        expect(emptied.regressions, `${ruleName(rule)} with ${column} empty`).to.be.at.least(1);
      }
    }
  });

  it('writes JUnit XML with one test case per finding, failures where the gate failed, "could not judge" as skipped', () => {
    const r = compareReports(BASELINE, copyWith(dir, { 'latency-slices.csv': bridgeOnly((x) => scaled(x, ['latency_p50_us'], 2)) }), CI);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(junitXml(r.findings));
    const cases = [doc.testsuites.testsuite.testcase].flat() as Array<Record<string, unknown>>;
    expect(cases.length).to.equal(r.findings.length);
    expect(cases.filter((c) => c.failure !== undefined).length).to.equal(r.regressions);
    expect(Number(doc.testsuites.testsuite.failures)).to.equal(r.regressions);
    expect(cases.find((c) => String(c.name).startsWith('latency-slices.csv:bridge/vxlan:latency_p50_us'))!.failure).to.not.equal(undefined);
    expect(cases.find((c) => String(c.name).startsWith('throughput.csv:bridge/vxlan'))!.skipped).to.not.equal(undefined);
  });

  it('warns about a baseline from a tree with uncommitted changes or another machine; the committed one gives neither warning', () => {
    expect(compareReports(BASELINE, copyWith(dir, {}), CI).warnings.join('\n')).to.not.match(/uncommitted changes|CPU model|kernel/);
    const dirty = copyWith(dir, {});
    const meta = JSON.parse(readFileSync(join(dirty, 'meta.json'), 'utf8')) as Record<string, string>;
    writeFileSync(join(dirty, 'meta.json'), JSON.stringify({ ...meta, clean_tree: 'no', commit: `${meta.commit} (uncommitted changes)`, cpu_model: 'another CPU' }));
    expect(compareReports(dirty, BASELINE, CI).warnings.join('\n')).to.match(/uncommitted changes/).and.to.match(/CPU model|another CPU/);
  });
});
