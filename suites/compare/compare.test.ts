import { expect } from 'chai';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareRule, compareReports, limitFor, loadTolerances, type BinomialRule, type SlicesRule, type ThresholdRule } from './compare.js';
import { writeCsv } from '../report/csv.js';
import { signedRankBeyond } from './stat-tests.js';
import { provenanceOf } from './provenance.js';

const ratioRule: ThresholdRule = { file: 'latency.csv', match: { path: 'bridge/vxlan' }, column: 'latency_p50_us', better: 'lower', relative: 0.5, false_alarm: 'test' };
const slicesRule: SlicesRule = { kind: 'slices', file: 'latency-slices.csv', match: { path: 'bridge/vxlan' }, column: 'latency_p50_us', better: 'lower', relative: 0.5, alpha: 0.01 };
const lossRule: BinomialRule = { kind: 'binomial', file: 'loss.csv', match: { path: 'bridge' }, key: ['loss_set_percent'], x: 'lost', n: 'sent', p: 'loss_set_percent', p_scale: 0.01, alternative: 'greater', alpha: 0.01 };
const slice = (v: number | string) => ({ path: 'bridge/vxlan', latency_p50_us: String(v) });

/** loadTolerances on a file holding one rule. */
function loadTolerancesFrom(rule: object): void {
  const dir = mkdtempSync(join(tmpdir(), 'gb-tol-'));
  try {
    writeFileSync(join(dir, 't.json'), JSON.stringify({ description: 'test', rules: [rule] }));
    loadTolerances(join(dir, 't.json'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('report:compare', () => {
  it('never flags a figure that is as good as or better than the baseline', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1e6, noNaN: true }), fc.boolean(), (base, gain, lower) => {
        const rule: ThresholdRule = { ...ratioRule, better: lower ? 'lower' : 'higher', relative: 0.1, absolute: 0 };
        const cur = lower ? base - gain : base + gain;
        const f = compareRule(rule, [{ path: 'bridge/vxlan', latency_p50_us: String(base) }], [{ path: 'bridge/vxlan', latency_p50_us: String(cur) }]);
        expect(f[0]!.status).to.equal('ok');
      }),
    );
  });
  it('flags a figure worse than baseline × (1 + relative) + absolute, per key', () => {
    expect(limitFor({ ...ratioRule, absolute: 1 }, 2)).to.equal(4);
    expect(limitFor({ ...ratioRule, better: 'higher', relative: 0.3 }, 100)).to.equal(70);
    const rule: ThresholdRule = { file: 't.csv', match: { path: 'bridge/vxlan' }, key: ['frame_bytes'], column: 'rate_fps', better: 'higher', relative: 0.3, false_alarm: 'test' };
    const base = [{ path: 'bridge/vxlan', frame_bytes: '200', rate_fps: '0.8' }, { path: 'bridge/vxlan', frame_bytes: '1500', rate_fps: '0.9' }, { path: 'bridge', frame_bytes: '200', rate_fps: '9' }];
    const cur = [{ path: 'bridge/vxlan', frame_bytes: '200', rate_fps: '0.5' }, { path: 'bridge/vxlan', frame_bytes: '1500', rate_fps: '0.7' }];
    expect(compareRule(rule, base, cur).map((f) => [f.key, f.status])).to.deep.equal([
      ['frame_bytes=200', 'regressed'],
      ['frame_bytes=1500', 'ok'],
    ]);
  });
  it('counts a missing figure, or an empty cell, as a regression unless the rule is optional', () => {
    expect(compareRule(ratioRule, [{ path: 'bridge/vxlan', latency_p50_us: '1' }], [])[0]!.status).to.equal('missing');
    expect(compareRule(ratioRule, [{ path: 'bridge/vxlan', latency_p50_us: '' }], [{ path: 'bridge/vxlan', latency_p50_us: '1' }])[0]!.status).to.equal('missing');
    expect(compareRule(ratioRule, [{ path: 'bridge/vxlan', latency_p50_us: '1' }], [{ path: 'bridge/vxlan', latency_p50_us: '' }])[0]!.status).to.equal('missing');
    expect(compareRule(ratioRule, null, [])[0]!.status).to.equal('missing');
    expect(compareRule({ ...ratioRule, optional: true }, null, null)[0]!.status).to.equal('skipped');
  });
  it('slices: fails a shifted per-slice distribution, passes one at the baseline, and refuses too few slices', () => {
    const base = [1.9, 2.1, 2.0, 2.2, 1.8, 2.05, 1.95, 2.15].map(slice);
    expect(compareRule(slicesRule, base, base)[0]!).to.include({ status: 'ok', baseline: 2.025, limit: 3.0375 });
    const doubled = compareRule(slicesRule, base, base.map((r) => slice(Number(r.latency_p50_us) * 2)))[0]!;
    expect(doubled.status).to.equal('regressed');
    expect(doubled.p_value).to.be.below(0.01);
    // 6 slices can reach p = 1/64 > 0.01: such a gate could never fail, so it fails instead.
    expect(compareRule(slicesRule, base, base.slice(0, 6).map((r) => slice(Number(r.latency_p50_us) * 2)))[0]!.status).to.equal('missing');
    expect(compareRule(slicesRule, base, [...base.slice(1), slice('')])[0]!.status).to.equal('missing');
  });
  it('slices: never fails slices that stay within ±25 % of the baseline\'s (limit: +50 %)', () => {
    const base = [1.9, 2.1, 2.0, 2.2, 1.8, 2.05, 1.95, 2.15].map(slice);
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.75, max: 1.25, noNaN: true }), { minLength: 8, maxLength: 12 }), (factors) => {
        expect(compareRule(slicesRule, base, factors.map((f) => slice(2 * f)))[0]!.status).to.equal('ok');
      }),
    );
  });
  it('binomial: fails loss well above the injected rate, passes loss at it, names the empty column', () => {
    const row = (lost: number) => ({ path: 'bridge', loss_set_percent: '20', sent: '800', lost: String(lost) });
    expect(compareRule(lossRule, null, [row(165)])[0]!.status).to.equal('ok');
    const high = compareRule(lossRule, null, [row(220)])[0]!;
    expect(high.status).to.equal('regressed');
    expect(high.p_value).to.be.below(0.001);
    const empty = compareRule(lossRule, null, [{ ...row(1), sent: '' }])[0]!;
    expect(empty).to.include({ status: 'missing' });
    expect(empty.detail).to.contain('sent');
  });
  it('threshold: gives no verdict on a ratio whose figures are bounds, nor on a low figure that is only a lower bound', () => {
    const rule: ThresholdRule = { file: 'throughput.csv', match: { path: 'bridge/vxlan' }, column: 'rate_fps', better: 'higher', relative: 0.3, false_alarm: 'test' };
    const row = (rate: number, bound: string) => [{ path: 'bridge/vxlan', rate_fps: String(rate), bound }];
    expect(compareRule(rule, row(0.7, '='), row(0.3, '='))[0]!.status).to.equal('regressed');
    const capped = compareRule(rule, row(0.7, '≤'), row(0.3, '='))[0]!;
    expect(capped.status).to.equal('unjudged');
    expect(capped.detail).to.match(/^could not judge/);
    const raw: ThresholdRule = { ...rule, match: { path: 'bridge' } };
    const bridge = (rate: number, limitedBy: string, bound = '=') => [{ path: 'bridge', rate_fps: String(rate), bound, limited_by: limitedBy }];
    expect(compareRule(raw, bridge(200_000, 'loss'), bridge(100_000, 'loss'))[0]!.status).to.equal('regressed');
    expect(compareRule(raw, bridge(200_000, 'loss'), bridge(100_000, 'generator'))[0]!.status).to.equal('unjudged');
    expect(compareRule(raw, bridge(200_000, 'loss'), bridge(190_000, 'generator', '≥'))[0]!.status).to.equal('ok');
  });
  it('threshold: judges a lower bound below the limit when the reference path carried more in the same run (the same generator could send faster)', () => {
    const rule: ThresholdRule = { file: 'throughput.csv', match: { path: 'bridge' }, column: 'rate_fps', better: 'higher', relative: 0.3, false_alarm: 'test', reference: { path: 'vxlan', within: 0.2 } };
    const run = (bridge: number, vxlan: number) => [
      { path: 'bridge', rate_fps: String(bridge), bound: '≥', limited_by: 'generator' },
      { path: 'vxlan', rate_fps: String(vxlan), bound: '≥', limited_by: 'generator' },
    ];
    const base = run(250_000, 300_000);
    expect(compareRule(rule, base, run(150_000, 290_000))[0]!.status).to.equal('regressed');
    // The generator itself stopped both paths at the same figure: the bridge may carry more.
    expect(compareRule(rule, base, run(150_000, 150_000))[0]!.status).to.equal('unjudged');
    // The reference fell below 0.8 × the baseline's: a slower machine, not a slower bridge.
    expect(compareRule(rule, base, run(150_000, 230_000))[0]!.detail).to.match(/could not judge: vxlan reached only 230000/);
    expect(compareRule(rule, base, run(240_000, 290_000))[0]!.status).to.equal('ok');
  });
  it('slices with test "median": fails when the median of the current slices lies beyond the limit, however widely they scatter', () => {
    const rule: SlicesRule = { ...slicesRule, relative: 0.7, alpha: undefined, test: 'median', false_alarm: 'test' };
    const base = [0.1, 5, 1, 0.8, 40, 1.2, 0.9, 1.1].map(slice);
    const scaled = (f: number) => base.map((r) => slice(Number(r.latency_p50_us) * f));
    expect(compareRule(rule, base, scaled(1.6))[0]!).to.include({ status: 'ok', baseline: 1.05, limit: 1.785 });
    expect(compareRule(rule, base, scaled(1.8))[0]!.status).to.equal('regressed');
    expect(() => loadTolerancesFrom({ ...rule, false_alarm: undefined })).to.throw(/false_alarm must state/);
    expect(() => loadTolerancesFrom({ ...rule, test: 'mean' as never })).to.throw(/test must be "wilcoxon" or "median", got "mean"/);
  });
  it('threshold: judges a column per another (lost per sent) in both runs', () => {
    const rule: ThresholdRule = { file: 'throughput.csv', match: { path: 'bridge' }, column: 'lost', per: 'sent', better: 'lower', absolute: 0.001, false_alarm: 'test' };
    const row = (lost: number) => [{ path: 'bridge', sent: '10000', lost: String(lost) }];
    expect(compareRule(rule, row(0), row(10))[0]!).to.include({ status: 'ok', current: 0.001 });
    expect(compareRule(rule, row(0), row(500))[0]!).to.include({ status: 'regressed', current: 0.05 });
    expect(compareRule(rule, row(0), [{ path: 'bridge', sent: '', lost: '1' }])[0]!.status).to.equal('missing');
  });
  it('slices in pairs: tests the geometric mean of rounds 1+2, 3+4, … (a cold and a warm slice of each path)', () => {
    const rule: SlicesRule = { ...slicesRule, pairs: true, alpha: 0.005 };
    // Alternating cold (×10) and warm rounds: per-round ratios are bimodal, pairs are flat at 2.
    const rows = Array.from({ length: 16 }, (_, i) => ({ ...slice(i % 2 === 0 ? 0.632456 : 6.32456), round: String(i + 1) }));
    expect(compareRule(rule, rows, rows)[0]!).to.include({ status: 'ok', baseline: 2 });
    const tripled = compareRule(rule, rows, rows.map((r) => ({ ...r, latency_p50_us: String(Number(r.latency_p50_us) * 3) })))[0]!;
    expect(tripled).to.include({ status: 'regressed', current: 6 });
    expect(tripled.detail).to.contain('8 round pairs');
  });
  it('signed-rank: exact without ties; with ties says so, and its smallest p is the approximation\'s, not 2^-n', () => {
    const distinct = signedRankBeyond([3, 4, 5, 6, 7, 8, 9, 10], 2, 'lower');
    expect(distinct).to.include({ exact: true, minPValue: 2 ** -8 });
    expect(distinct.pValue).to.be.closeTo(2 ** -8, 1e-12);
    const tied = signedRankBeyond([3, 3, 5, 5, 7, 7, 9, 9], 2, 'lower');
    expect(tied.exact).to.equal(false);
    // All eight above the limit: the normal approximation cannot go below ~0.006, above α = 0.005.
    expect(tied.minPValue).to.be.above(0.005);
    expect(tied.pValue).to.equal(tied.minPValue);
  });
  it('provenance: warns of different machines and a dirty baseline, and of nothing for two clean runs on one machine', () => {
    const meta = { cpu_model: 'AMD EPYC 7R13', kernel: '6.1.0', cpus: '2', commit: 'abc', clean_tree: 'yes' };
    expect(provenanceOf(meta, meta)).to.deep.equal([]);
    const w = provenanceOf({ ...meta, clean_tree: 'no', commit: 'abc (uncommitted changes)' }, { ...meta, kernel: '6.8.0' });
    expect(w).to.have.length(2);
    expect(w[0]).to.match(/different machines: baseline kernel "6.1.0", current "6.8.0"/);
    expect(w[1]).to.match(/uncommitted changes/);
    expect(provenanceOf({}, meta)[0]).to.match(/baseline's meta.json does not record CPU model, kernel, CPU count/);
  });
  it('compares two folders and validates the tolerance file, naming the bad field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gbh-cmp-'));
    try {
      // The rule names the ratio row; the gate derives it from the raw rows (120/100, 250/100).
      const cols = ['path', 'rate_fps', 'publishers', 'frame_bytes', 'latency_p50_us'];
      const rows = (bridge: number, stored: number) => [
        { path: 'bridge', rate_fps: 1000, publishers: 1, frame_bytes: 200, latency_p50_us: bridge },
        { path: 'vxlan', rate_fps: 1000, publishers: 1, frame_bytes: 200, latency_p50_us: 100 },
        { path: 'bridge/vxlan', rate_fps: 1000, publishers: 1, frame_bytes: 200, latency_p50_us: stored },
      ];
      writeCsv(join(dir, 'a'), 'latency.csv', cols, rows(120, 1.2));
      writeCsv(join(dir, 'b'), 'latency.csv', cols, rows(250, 2.5));
      const r = compareReports(join(dir, 'a'), join(dir, 'b'), { rules: [ratioRule] });
      expect(r.regressions).to.equal(1);
      expect(r.findings.find((f) => f.rule === ratioRule.file + ':bridge/vxlan:latency_p50_us')).to.include({ baseline: 1.2, current: 2.5, status: 'regressed' });
      writeCsv(join(dir, 'c'), 'latency.csv', cols, rows(250, 1.2));
      const stale = compareReports(join(dir, 'a'), join(dir, 'c'), { rules: [ratioRule] });
      expect(stale.findings.map((f) => `${f.key}:${f.status}`)).to.include.members(['current:inconsistent', 'baseline:ok', '*:regressed']);
      expect(compareReports(join(dir, 'a'), join(dir, 'a'), { rules: [ratioRule] }).regressions).to.equal(0);
      expect(() => compareReports(join(dir, 'nope'), join(dir, 'a'), { rules: [] })).to.throw(/does not exist/);
      writeFileSync(join(dir, 't.json'), JSON.stringify({ rules: [{ ...ratioRule, better: 'up' }] }));
      expect(() => loadTolerances(join(dir, 't.json'))).to.throw(/rules\[0\]\.better/);
      writeFileSync(join(dir, 't.json'), JSON.stringify({ rules: [{ ...ratioRule, false_alarm: undefined }] }));
      expect(() => loadTolerances(join(dir, 't.json'))).to.throw(/rules\[0\]\.false_alarm/);
      writeFileSync(join(dir, 't.json'), JSON.stringify({ rules: [{ ...slicesRule, alpha: 0.7 }] }));
      expect(() => loadTolerances(join(dir, 't.json'))).to.throw(/rules\[0\]\.alpha/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('accepts the committed tolerance files', () => {
    for (const f of ['fixtures/baselines/tolerances.json', 'fixtures/baselines/tolerances-ci.json']) {
      expect(loadTolerances(f).rules.length).to.be.greaterThan(3);
    }
  });
});
