// The suites run end to end on a real topology and write well-formed CSVs whose counts agree with
// independent ones: nftables counters on the stand-in (GB1 and VXLAN carry one frame per
// datagram), the daemons' own sequence-gap counters. No thresholds on the figures: those are
// benchmarks, reported, not asserted.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { skipUnlessEthtool, skipUnlessRoot } from '../testkit/preconditions.js';
import { Topology, runSync, deliveryCounterTable, type NftTable } from '../testkit/topology/index.js';
import { BRIDGE_DEFAULTS } from './paths/bridge-path.js';
import { VXLAN_DEFAULTS } from './paths/vxlan-path.js';
import { RELAY_DEFAULTS } from './paths/relay-path.js';
import { parseNetnsList } from '../testkit/topology/stale.js';
import { readCsv } from './report/csv.js';
import { runLatencySuite, LATENCY_COLUMNS, RESOURCE_COLUMNS, SLICE_COLUMNS } from './latency-suite.js';
import { runThroughputSuite, THROUGHPUT_COLUMNS } from './throughput-suite.js';
import { runLossSuite, LOSS_COLUMNS } from './loss-suite.js';
import { PATH_FAILURE_COLUMNS } from './path-failure.js';
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

/**
 * The machine rows of resources-latency.csv: each path's divisor is the frames that path
 * delivered (latency.csv's received), its CPU time is positive (its sender ran), and the quiet
 * windows span one slice per round.
 */
function expectMachineRows(res: Array<Record<string, string>>, latency: Array<Record<string, string>>): void {
  const idle = res.find((x) => x.path === 'idle')!;
  for (const row of latency.filter((x) => !x.path!.includes('/'))) {
    const m = res.find((x) => x.path === row.path && x.host === 'machine')!;
    expect(int(m.frames), `${row.path}: frames = received`).to.equal(int(row.received));
    expect(Number(m.cpu_ns_per_frame), `${row.path} cpu_ns_per_frame`).to.be.greaterThan(0);
    expect(Number(m.softirq_ns_per_frame)).to.be.at.least(0).and.at.most(Number(m.cpu_ns_per_frame));
    expect(int(m.samples)).to.equal(int(row.slices));
    expect(int(idle.samples)).to.equal(int(row.slices));
  }
  expect(Number(idle.cpu_percent)).to.be.at.least(0);
}

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
    skipUnlessEthtool(this, 'the suites test');
    out = mkdtempSync(join(tmpdir(), 'gbh-suites-'));
    // The stand-in's nftables counters count packets: the uplinks cut UDP GSO runs into
    // datagrams, so each count is one per frame, as on a network behind a NIC without USO.
    topo = await Topology.create({ hosts: 2, scale: 60, mtu: SUITE_MTU, uplinkGso: false });
  });
  after(async () => {
    const names = topo ? [topo.tgwNs, ...topo.hosts.map((h) => h.ns)] : [];
    await topo?.destroy();
    if (out) rmSync(out, { recursive: true, force: true });
    const left = parseNetnsList(runSync(['ip', 'netns', 'list']));
    for (const n of names) expect(left).to.not.include(n);
  });

  const common = () => ({ out, paths: ['bridge', 'vxlan'] as const, scale: 60, log, topology: topo! });

  /** Runs fn with a counter of each path's datagrams leaving the stand-in towards host 2. */
  async function counted(fn: () => Promise<void>): Promise<Record<'bridge' | 'vxlan', number>> {
    const tables: Array<[('bridge' | 'vxlan'), NftTable]> = [
      ['bridge', deliveryCounterTable('gbh_cnt_bridge', { ports: [topo!.host(2).tgwPort], group: BRIDGE_DEFAULTS.group, udpPort: BRIDGE_DEFAULTS.udpPort })],
      ['vxlan', deliveryCounterTable('gbh_cnt_vxlan', { ports: [topo!.host(2).tgwPort], group: VXLAN_DEFAULTS.group, udpPort: VXLAN_DEFAULTS.udpPort })],
    ];
    for (const [, t] of tables) await topo!.applyNft(topo!.tgwNs, t);
    try {
      await fn();
      const out = { bridge: 0, vxlan: 0 };
      for (const [name, t] of tables) out[name] = await topo!.nftCounterPackets(topo!.tgwNs, t);
      return out;
    } finally {
      for (const [, t] of tables) await topo!.removeNft(topo!.tgwNs, t);
    }
  }

  it('latency: received matches the stand-in\'s count, each slice matches the schedule, scheduled ≥ actual', async () => {
    let r: Awaited<ReturnType<typeof runLatencySuite>> | undefined;
    const delivered = await counted(async () => {
      r = await runLatencySuite({ ...common(), durationS: 1.5, rateFps: 500, publishers: 2, sizeBytes: 200, warmupS: 0 });
    });
    expect(header(join(out, 'latency.csv'))).to.deep.equal([...LATENCY_COLUMNS]);
    expect(header(join(out, 'latency-slices.csv'))).to.deep.equal([...SLICE_COLUMNS]);
    const rows = readCsv(join(out, 'latency.csv'));
    const slices = readCsv(join(out, 'latency-slices.csv'));
    expect(rows.map((x) => x.path)).to.deep.equal(['bridge', 'vxlan', 'bridge/vxlan']);
    for (const row of rows.slice(0, 2)) {
      const path = row.path as 'bridge' | 'vxlan';
      expect(int(row.sent)).to.equal(750); // the schedule: 500 frames/s × 1.5 s
      // What the receiver counted in its own sequence space vs what nftables saw leave the stand-in.
      expect(int(row.received), `${path}: receiver vs stand-in counter`).to.equal(delivered[path]);
      const own = slices.filter((x) => x.path === path);
      expect(own.length).to.equal(int(row.slices));
      // Each slice against the schedule (500 frames/s × its length), not against totals summed from the slices.
      for (const x of own) {
        expect(int(x.sent), `${path} slice ${x.round} sent`).to.be.closeTo(500 * Number(row.slice_s), 1);
        expect(int(x.received), `${path} slice ${x.round} received ≤ sent`).to.be.at.most(int(x.sent));
      }
      expect(int(row.latency_p2_5_us)).to.be.at.most(int(row.latency_p50_us));
      expect(int(row.latency_p99_9_us)).to.be.at.most(int(row.latency_max_us));
      // Every frame left at or after its scheduled time: each scheduled figure ≥ the actual one.
      for (const k of ['p50', 'p99', 'max']) expect(int(row[`latency_sched_${k}_us`]), k).to.be.at.least(int(row[`latency_${k}_us`]));
      expect(row.tt_class_p50).to.match(/^(TT6|TT5|TT4|none)$/);
    }
    expect(slices.filter((x) => x.path === 'bridge/vxlan').length).to.equal(int(rows[0]!.slices));
    const curve = readCsv(join(out, 'latency-percentiles.csv'));
    expect(curve.filter((c) => c.path === 'bridge').length).to.be.greaterThan(5);
    const res = readCsv(join(out, 'resources-latency.csv'));
    expect(header(join(out, 'resources-latency.csv'))).to.deep.equal([...RESOURCE_COLUMNS]);
    expect(res.map((x) => `${x.path}:${x.host}`)).to.deep.equal(['idle:machine', 'bridge:machine', 'bridge:h1', 'bridge:h2', 'vxlan:machine']);
    for (const x of res.filter((x) => x.host !== 'machine')) expect(Number(x.rss_peak_mb)).to.be.greaterThan(0);
    expectMachineRows(res, rows);
    expect(r!.table).to.contain('bridge/vxlan');
  });

  it('latency with the minimal relay: every frame through it, its own ratio row and resource rows, nothing of it left', async () => {
    await runLatencySuite({ ...common(), paths: ['relay', 'vxlan'], durationS: 1, rateFps: 500, publishers: 2, sizeBytes: 200, warmupS: 0 });
    const rows = readCsv(join(out, 'latency.csv'));
    expect(rows.map((x) => x.path)).to.deep.equal(['relay', 'vxlan', 'relay/vxlan']);
    expect(int(rows[0]!.received)).to.equal(int(rows[0]!.sent));
    expect(Number(rows[2]!.latency_p50_us)).to.equal(Math.round((int(rows[0]!.latency_p50_us) / int(rows[1]!.latency_p50_us)) * 1000) / 1000);
    const res = readCsv(join(out, 'resources-latency.csv'));
    expect(res.map((x) => `${x.path}:${x.host}`)).to.deep.equal(['idle:machine', 'relay:machine', 'relay:h1', 'relay:h2', 'vxlan:machine']);
    for (const x of res.filter((x) => x.host !== 'machine')) expect(Number(x.rss_peak_mb)).to.be.within(0.1, 20); // a C process, not a node one
    expectMachineRows(res, rows);
    for (const h of topo!.hosts) expect(runSync(['ip', '-n', h.ns, 'link', 'show'])).to.not.contain(RELAY_DEFAULTS.ifname);
  });

  it('throughput: a searched rate per size and path, trial counts bracketed by the stand-in\'s count', async () => {
    const delivered = await counted(async () => {
      await runThroughputSuite({ ...common(), sizes: [200], trialS: 1, minFps: 1_000, maxFps: 4_000, resolution: 0.2, maxTrials: 2 });
    });
    expect(header(join(out, 'throughput.csv'))).to.deep.equal([...THROUGHPUT_COLUMNS]);
    const rows = readCsv(join(out, 'throughput.csv'));
    expect(rows.map((x) => x.path)).to.deep.equal(['bridge', 'vxlan', 'bridge/vxlan']);
    for (const row of rows.slice(0, 2)) {
      expect(int(row.trials)).to.be.within(1, 2);
      expect(row.limited_by).to.match(/^(ceiling|loss|generator|trials)$/);
    }
    const trials = readCsv(join(out, 'throughput-trials.csv'));
    // Interleaved: the first round runs bridge then VXLAN, the next VXLAN first; each trial states its length and start.
    expect(trials.slice(0, 2).map((t) => t.path)).to.deep.equal(['bridge', 'vxlan']);
    if (trials.length === 4) expect(trials.slice(2).map((t) => t.path)).to.deep.equal(['vxlan', 'bridge']);
    for (const [i, t] of trials.entries()) {
      expect(Number(t.trial_s)).to.equal(1);
      if (i > 0) expect(Number(t.started_s)).to.be.at.least(Number(trials[i - 1]!.started_s));
    }
    for (const path of ['bridge', 'vxlan'] as const) {
      const own = trials.filter((t) => t.path === path);
      const received = own.reduce((n, t) => n + int(t.received), 0);
      const accepted = own.reduce((n, t) => n + int(t.sent) - int(t.refused), 0);
      // Frames received passed the stand-in; frames passing it were accepted by the sender's kernel.
      expect(received, `${path}: received ≤ stand-in count`).to.be.at.most(delivered[path]);
      expect(delivered[path], `${path}: stand-in count ≤ frames the sender's kernel accepted`).to.be.at.most(accepted);
    }
    // The machine's CPU per frame: every trial has it, and each path's machine row counts its best trial's frames.
    for (const t of trials.filter((x) => int(x.received) > 0)) expect(Number(t.cpu_ns_per_frame), `trial ${t.path} ${t.trial}`).to.be.greaterThan(0);
    const res = readCsv(join(out, 'resources-throughput.csv'));
    expect(res[0]).to.include({ path: 'idle', host: 'machine' });
    for (const row of rows.slice(0, 2).filter((x) => int(x.received) > 0)) {
      expect(res.find((x) => x.path === row.path && x.host === 'machine')?.frames, `${row.path} machine row`).to.equal(row.received);
    }
  });

  it('loss: the injected drops (nft counter) match the bridge\'s own sequence-gap count; state changes are counted', async () => {
    await runLossSuite({ ...common(), lossPercents: [20], durationS: 4, publishers: 10, eventIntervalMs: 1200 });
    expect(header(join(out, 'loss.csv'))).to.deep.equal([...LOSS_COLUMNS]);
    const rows = readCsv(join(out, 'loss.csv'));
    expect(rows.map((x) => x.path)).to.deep.equal(['bridge', 'vxlan']);
    for (const row of rows) {
      const sent = int(row.sent);
      expect(sent).to.be.greaterThan(100);
      // Every frame nftables dropped is a lost frame (the path cannot resurrect it).
      expect(int(row.lost)).to.be.at.least(int(row.injected_drops));
      expect(int(row.injected_drops)).to.be.greaterThan(0);
      expect(int(row.states)).to.be.greaterThan(0);
      for (const d of ['4ms', '10ms', '100ms', '1s']) {
        expect(Number(row[`delivered_${d}_fraction`])).to.be.within(0, 1);
        expect(Number(row[`predicted_${d}_fraction`])).to.be.within(0, 1);
      }
    }
    // Two independent counts of the same drops: nftables on the stand-in, and the gaps in the
    // receiving daemon's sequence space. Only frames lost after the stream's last delivered one
    // escape the gap counter (at 20 % loss, 6 in a row: p ≈ 6e-5).
    const b = rows[0]!;
    expect(int(b.injected_drops) - int(b.wan_gap_frames)).to.be.within(0, 5);
    // Two WAN paths, the first cut for a third of the run and restored: PRP over IP loses nothing.
    expect(header(join(out, 'loss-path-failure.csv'))).to.deep.equal([...PATH_FAILURE_COLUMNS]);
    const [f] = readCsv(join(out, 'loss-path-failure.csv'));
    expect([int(f!.lost), int(f!.delivered_twice), int(f!.path2_missing_frames)], 'lost, delivered twice, missed by path 2').to.deep.equal([0, 0, 0]);
    expect(int(f!.path1_missing_frames), 'missed by the cut path').to.be.greaterThan(0);
    expect(int(f!.path1_datagrams_received), 'path 1 carried frames before the cut and after the restore').to.be.greaterThan(0);
    const { files } = await writeReportFolder(out, { test: 'suites.test.ts' });
    for (const f of files) expect(existsSync(f)).to.equal(true);
  });
});
