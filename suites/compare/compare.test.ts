import { expect } from 'chai';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareRule, compareReports, limitFor, loadTolerances, type ToleranceRule } from './compare.js';
import { writeCsv } from '../report/csv.js';

const ratioRule: ToleranceRule = { file: 'latency.csv', match: { path: 'bridge/vxlan' }, column: 'latency_p50_us', better: 'lower', relative: 0.5 };

describe('report:compare', () => {
  it('never flags a figure that is as good as or better than the baseline', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1e6, noNaN: true }), fc.boolean(), (base, gain, lower) => {
        const rule: ToleranceRule = { ...ratioRule, better: lower ? 'lower' : 'higher', relative: 0.1, absolute: 0 };
        const cur = lower ? base - gain : base + gain;
        const f = compareRule(rule, [{ path: 'bridge/vxlan', latency_p50_us: String(base) }], [{ path: 'bridge/vxlan', latency_p50_us: String(cur) }]);
        expect(f[0]!.status).to.equal('ok');
      }),
    );
  });
  it('flags a figure worse than baseline × (1 + relative) + absolute, per key', () => {
    expect(limitFor({ ...ratioRule, absolute: 1 }, 2)).to.equal(4);
    expect(limitFor({ ...ratioRule, better: 'higher', relative: 0.3 }, 100)).to.equal(70);
    const rule: ToleranceRule = { file: 't.csv', match: { path: 'bridge/vxlan' }, key: ['frame_bytes'], column: 'rate_fps', better: 'higher', relative: 0.3 };
    const base = [{ path: 'bridge/vxlan', frame_bytes: '200', rate_fps: '0.8' }, { path: 'bridge/vxlan', frame_bytes: '1500', rate_fps: '0.9' }, { path: 'bridge', frame_bytes: '200', rate_fps: '9' }];
    const cur = [{ path: 'bridge/vxlan', frame_bytes: '200', rate_fps: '0.5' }, { path: 'bridge/vxlan', frame_bytes: '1500', rate_fps: '0.7' }];
    expect(compareRule(rule, base, cur).map((f) => [f.key, f.status])).to.deep.equal([
      ['frame_bytes=200', 'regressed'],
      ['frame_bytes=1500', 'ok'],
    ]);
  });
  it('counts a missing figure as a regression unless the rule is optional', () => {
    expect(compareRule(ratioRule, [{ path: 'bridge/vxlan', latency_p50_us: '1' }], [])[0]!.status).to.equal('missing');
    expect(compareRule(ratioRule, null, [])[0]!.status).to.equal('missing');
    expect(compareRule({ ...ratioRule, optional: true }, null, null)[0]!.status).to.equal('skipped');
  });
  it('compares two folders and validates the tolerance file, naming the bad field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gbh-cmp-'));
    try {
      writeCsv(join(dir, 'a'), 'latency.csv', ['path', 'latency_p50_us'], [{ path: 'bridge/vxlan', latency_p50_us: 1.2 }]);
      writeCsv(join(dir, 'b'), 'latency.csv', ['path', 'latency_p50_us'], [{ path: 'bridge/vxlan', latency_p50_us: 2.5 }]);
      const r = compareReports(join(dir, 'a'), join(dir, 'b'), { rules: [ratioRule] });
      expect(r.regressions).to.equal(1);
      expect(r.table).to.contain('regressed');
      expect(compareReports(join(dir, 'a'), join(dir, 'a'), { rules: [ratioRule] }).regressions).to.equal(0);
      expect(() => compareReports(join(dir, 'nope'), join(dir, 'a'), { rules: [] })).to.throw(/does not exist/);
      writeFileSync(join(dir, 't.json'), JSON.stringify({ rules: [{ ...ratioRule, better: 'up' }] }));
      expect(() => loadTolerances(join(dir, 't.json'))).to.throw(/rules\[0\]\.better/);
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
