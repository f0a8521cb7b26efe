// suite:sv end to end on a real topology (root): both paths measured in one run, sv.csv has
// the documented columns and honest counts. No thresholds on the figures (they are reported).
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipUnlessRoot } from '../testkit/preconditions.js';
import { readCsv } from './report/csv.js';
import { SUITE_MTU } from './suite-context.js';
import { runSvSuite, SV_COLUMNS, svPathNames } from './sv-suite.js';
import { Topology } from '../testkit/topology/index.js';

describe('suite:sv paths', () => {
  it('measures the bridge in both tiers and VXLAN, and names the requested paths that carry no SV', () => {
    expect(svPathNames(['bridge', 'bridge-user', 'vxlan', 'relay'])).to.deep.equal({ measured: ['bridge', 'bridge-user', 'vxlan'], skipped: ['relay'] });
  });
  it('refuses a list without any path that carries SV, naming the list', () => {
    expect(() => svPathNames(['relay', 'rgoose'])).to.throw(/--paths: none of relay, rgoose/);
  });
});

describe('suite:sv on a real topology (short run)', function () {
  this.timeout(180_000);
  let topo: Topology | undefined;
  let out = '';

  before(async function () {
    skipUnlessRoot(this, 'the SV suite test');
    out = mkdtempSync(join(tmpdir(), 'gbh-sv-suite-'));
    topo = await Topology.create({ hosts: 2, scale: 60, mtu: SUITE_MTU });
  });
  after(async () => {
    await topo?.destroy();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('measures the bridge (--enable-sv) and VXLAN in one run: counts agree with the subscriber\'s own sequence gaps, percentiles ordered', async () => {
    const r = await runSvSuite({ out, paths: ['bridge', 'vxlan'], scale: 60, log: () => {}, topology: topo!, streams: 2, durationS: 2, rounds: 1, rtPriority: 0 });
    expect(readFileSync(join(out, 'sv.csv'), 'utf8').split('\n')[0]!.split(',')).to.deep.equal([...SV_COLUMNS]);
    const rows = readCsv(join(out, 'sv.csv'));
    expect(rows.map((x) => x.path)).to.deep.equal(['bridge', 'vxlan']);
    for (const row of rows) {
      const [sent, received, lost] = [Number(row.sent), Number(row.received), Number(row.lost)];
      expect(sent, `${row.path} sent: 2 streams × 4000/s × 2 s`).to.equal(16_000);
      // received counts distinct frames the subscriber saw; it can never exceed what was published.
      expect(received, `${row.path}: received ≤ sent`).to.be.at.most(sent);
      expect(received, `${row.path} carried SV`).to.be.greaterThan(0);
      // The subscriber's smpCnt gap counter is independent of sent − received: every frame missing
      // between two received ones is a gap, so the missing frames are at least the gaps.
      expect(lost, `${row.path}: lost vs smpCnt gaps`).to.be.at.least(Number(row.gaps));
      expect(Number(row.loss_percent)).to.be.closeTo((lost / sent) * 100, 1e-3);
      expect(Number(row.latency_p50_us)).to.be.at.most(Number(row.latency_p99_us));
      expect(Number(row.latency_p99_us)).to.be.at.most(Number(row.latency_max_us));
      expect(Number(row.jitter_p50_us)).to.be.at.most(Number(row.jitter_max_us));
    }
    expect(r.table).to.contain('vxlan');
  });
});
