// The suites run end to end on a real topology and write well-formed CSVs with honest counts.
// Deliberately no thresholds on the figures: those are benchmarks, reported, not asserted.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { skipUnlessRoot } from '../testkit/preconditions.js';
import { Topology, runSync } from './topology/index.js';
import { parseNetnsList } from './topology/stale.js';
import { readCsv } from './report/csv.js';
import { runLatencySuite, LATENCY_COLUMNS } from './latency-suite.js';
import { runThroughputSuite, THROUGHPUT_COLUMNS } from './throughput-suite.js';
import { runLossSuite, LOSS_COLUMNS } from './loss-suite.js';
import { writeReportFolder } from './report/report-folder.js';
import { SUITE_MTU } from './suite-context.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../', import.meta.url));

function header(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n')[0]!.split(',');
}
const int = (v: string | undefined): number => {
  expect(v, 'count cell').to.match(/^\d+$/);
  return Number(v);
};

describe('suites CLI', function () {
  this.timeout(30_000);
  it('documents every suite in --help and exits 2 on a bad argument, naming it', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', CLI, '--help'], { cwd: REPO });
    for (const c of ['latency', 'throughput', 'loss', 'all', 'compare']) expect(stdout).to.match(new RegExp(`^\\s+${c}\\b`, 'm'));
    const bad = await run(process.execPath, ['--import', 'tsx', CLI, 'latency', '--rate', 'fast'], { cwd: REPO }).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(bad?.code).to.equal(2);
    expect(bad?.stderr).to.contain('--rate must be a number');
  });
});

describe('suites on a real topology (short runs)', function () {
  this.timeout(240_000);
  let topo: Topology | undefined;
  let out = '';
  const log = (): void => {};

  before(async function () {
    skipUnlessRoot(this, 'the suites test');
    out = mkdtempSync(join(tmpdir(), 'gbh-suites-'));
    topo = await Topology.create({ hosts: 2, scale: 60, mtu: SUITE_MTU });
  });
  after(async () => {
    const names = topo ? [topo.tgwNs, ...topo.hosts.map((h) => h.ns)] : [];
    await topo?.destroy();
    if (out) rmSync(out, { recursive: true, force: true });
    const left = parseNetnsList(runSync(['ip', 'netns', 'list']));
    for (const n of names) expect(left).to.not.include(n);
  });

  const common = () => ({ out, paths: ['bridge', 'vxlan'] as const, scale: 60, log, topology: topo! });

  it('latency: one row per path plus bridge/vxlan, sent = received + lost', async () => {
    const r = await runLatencySuite({ ...common(), durationS: 1.5, rateFps: 500, publishers: 2, sizeBytes: 200, warmupS: 0 });
    expect(header(join(out, 'latency.csv'))).to.deep.equal([...LATENCY_COLUMNS]);
    const rows = readCsv(join(out, 'latency.csv'));
    expect(rows.map((x) => x.path)).to.deep.equal(['bridge', 'vxlan', 'bridge/vxlan']);
    for (const row of rows.slice(0, 2)) {
      const sent = int(row.sent);
      expect(sent).to.equal(750);
      expect(int(row.received) + int(row.lost)).to.equal(sent);
      expect(int(row.received), `${row.path} carried frames`).to.be.greaterThan(0);
      expect(int(row.latency_p2_5_us)).to.be.at.most(int(row.latency_p50_us));
      expect(int(row.latency_p99_9_us)).to.be.at.most(int(row.latency_max_us));
      expect(row.tt_class_p50).to.match(/^(TT6|TT5|TT4|none)$/);
    }
    const curve = readCsv(join(out, 'latency-percentiles.csv'));
    expect(curve.filter((c) => c.path === 'bridge').length).to.be.greaterThan(5);
    const res = readCsv(join(out, 'resources-latency.csv'));
    expect(res.map((x) => `${x.path}:${x.host}`)).to.deep.equal(['bridge:h1', 'bridge:h2']);
    for (const x of res) expect(Number(x.rss_peak_mb)).to.be.greaterThan(0);
    expect(r.table).to.contain('bridge/vxlan');
  });

  it('throughput: a searched rate per size and path, trials logged with honest counts', async () => {
    await runThroughputSuite({ ...common(), sizes: [200], trialS: 1, minFps: 1_000, maxFps: 4_000, resolution: 0.2, maxTrials: 2 });
    expect(header(join(out, 'throughput.csv'))).to.deep.equal([...THROUGHPUT_COLUMNS]);
    const rows = readCsv(join(out, 'throughput.csv'));
    expect(rows.map((x) => x.path)).to.deep.equal(['bridge', 'vxlan', 'bridge/vxlan']);
    for (const row of rows.slice(0, 2)) {
      expect(int(row.trials)).to.be.within(1, 2);
      expect(row.limited_by).to.match(/^(ceiling|loss|generator|trials)$/);
      if (int(row.rate_fps) > 0) expect(int(row.received) + int(row.lost)).to.equal(int(row.sent));
    }
    for (const t of readCsv(join(out, 'throughput-trials.csv'))) expect(int(t.received) + int(t.lost)).to.equal(int(t.sent));
  });

  it('loss: injected drops explain the measured loss; state changes are counted', async () => {
    await runLossSuite({ ...common(), lossPercents: [20], durationS: 4, publishers: 10, eventIntervalMs: 1200 });
    expect(header(join(out, 'loss.csv'))).to.deep.equal([...LOSS_COLUMNS]);
    const rows = readCsv(join(out, 'loss.csv'));
    expect(rows.map((x) => x.path)).to.deep.equal(['bridge', 'vxlan']);
    for (const row of rows) {
      const sent = int(row.sent);
      expect(sent).to.be.greaterThan(100);
      expect(int(row.received) + int(row.lost)).to.equal(sent);
      // Every frame nftables dropped is a lost frame (the path cannot resurrect it).
      expect(int(row.lost)).to.be.at.least(int(row.injected_drops));
      expect(int(row.injected_drops)).to.be.greaterThan(0);
      expect(int(row.states)).to.be.greaterThan(0);
      for (const d of ['4ms', '10ms', '100ms', '1s']) {
        expect(Number(row[`delivered_${d}_fraction`])).to.be.within(0, 1);
        expect(Number(row[`predicted_${d}_fraction`])).to.be.within(0, 1);
      }
    }
    // The bridge's WAN-gap counter saw the injected loss (sequence gaps at the receiving daemon).
    expect(int(rows[0]!.wan_gap_frames)).to.be.greaterThan(0);
    const { files } = await writeReportFolder(out, { test: 'suites.test.ts' });
    for (const f of files) expect(existsSync(f)).to.equal(true);
  });
});
