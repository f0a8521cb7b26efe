// Highest loss-free rate per frame size and path, RFC 2544 style: binary search over trials of
// ≥ 10 s at a fixed rate (shorter trials overstate rates: buffers absorb a short overload); a
// trial passes when every frame scheduled arrived. The paths' trials interleave (trialOrder). One loss definition for every path: offered =
// frames scheduled, each offered once; a frame the sender's kernel refuses is lost, not retried. CPU % and peak RSS of each
// bridge process are sampled during every trial; the row keeps those of the best passing one.
import type { Row } from './report/csv.js';
import { writeCsv } from './report/csv.js';
import { renderTable } from './report/table.js';
import { ZeroLossSearch } from './stats/binary-search.js';
import { ratio } from './stats/latency-summary.js';
import { ProcessSampler, type ProcessUsage } from './stats/process-sampler.js';
import { runFlow, type ConstantSenderResult } from './traffic/flow.js';
import { RATIO_PATHS, withPaths, withTopology, type SuiteCommon } from './suite-context.js';
import type { L2Path } from './paths/l2-path.js';
import type { Topology } from '../testkit/topology/index.js';
import type { Progress } from './report/progress.js';
import { RESOURCE_COLUMNS } from './latency-suite.js';
import { readHostCounters, diffCounters } from './paths/host-counters.js';
import { CpuTally, MachineCpuRecorder, backgroundWarning, machineCpuColumns, quietCpuColumns, quietWindow } from './stats/machine-cpu.js';

export interface ThroughputOptions extends SuiteCommon {
  sizes: readonly number[];
  trialS: number;
  minFps: number;
  maxFps: number;
  resolution: number;
  maxTrials: number;
  progress?: Progress;
}

export const THROUGHPUT_COLUMNS = [
  'path', 'frame_bytes', 'rate_fps', 'bound', 'mbit_s', 'sent', 'received', 'lost', 'trials', 'trial_s', 'limited_by', 'max_lossless_achieved_fps',
  'cpu_h1_percent', 'cpu_h2_percent', 'rss_h1_peak_mb', 'rss_h2_peak_mb',
] as const;

export const TRIAL_COLUMNS = [
  // started_s: seconds since the suite's first trial (the paths' trials interleave); trial_s: its length.
  'path', 'frame_bytes', 'trial', 'started_s', 'trial_s', 'rate_fps', 'achieved_fps', 'sent', 'refused', 'received', 'lost', 'receiver_kernel_drops', 'loss_free',
  // The whole machine's busy CPU time from the first frame due to the last sent, per frame received.
  'cpu_ns_per_frame',
  // Where the lost frames went (deltas over the trial): the L2 interfaces' drops, the UDP layer's
  // buffer errors on both hosts, and the bridge daemons' own drop counters (empty for VXLAN).
  'h1_if_dropped', 'h1_udp_sndbuf_errors', 'h2_udp_rcvbuf_errors', 'h2_udp_in_errors', 'h2_if_dropped',
  'bridge_h1_to_wan_dropped', 'bridge_h2_from_wan_dropped',
] as const;

/** Seconds of each round's quiet window (every path up, no traffic): the machine's background CPU. */
export const QUIET_WINDOW_S = 1;

/** A trial at `rate` counts only if the generator really offered it (within 3 %). */
export const GENERATOR_TOLERANCE = 0.97;

export function mbitPerS(frameBytes: number, fps: number): number {
  return Math.round(((frameBytes * 8 * fps) / 1e6) * 10) / 10;
}

/**
 * A path's loss-free rate: the searched rate, exact ('='), unless the search passed its ceiling or
 * the generator could not offer a rate the path would have carried (a trial that lost nothing at
 * a lower achieved rate than asked): then the best rate seen loss-free is a lower bound ('≥').
 */
export function throughputFigure(searchedFps: number, maxLosslessAchievedFps: number, ceilingFps: number): { fps: number; bound: '=' | '≥' } {
  if (searchedFps >= ceilingFps) return { fps: searchedFps, bound: '≥' };
  if (maxLosslessAchievedFps > searchedFps) return { fps: maxLosslessAchievedFps, bound: '≥' };
  return { fps: searchedFps, bound: '=' };
}

/**
 * What a ratio of two searched rates means when the search hit its ceiling on one side: the
 * capped figure is a lower bound, so bridge/VXLAN is "≥" (bridge capped), "≤" (VXLAN capped),
 * "?" (both: nothing known) or "=".
 */
export function ratioBound(bridgeCapped: boolean, vxlanCapped: boolean): '=' | '≥' | '≤' | '?' {
  if (bridgeCapped && vxlanCapped) return '?';
  return bridgeCapped ? '≥' : vxlanCapped ? '≤' : '=';
}

export interface ThroughputResult {
  rows: Row[];
  trials: Row[];
  resources: Row[];
  files: string[];
  table: string;
}

/** One path's search for one frame size, as the interleaved trials fill it in. */
interface PathSearch {
  path: L2Path;
  search: ZeroLossSearch;
  best: { sent: number; received: number; usage: ProcessUsage[]; machine: CpuTally } | null;
  generatorShort: number;
  /**
   * Highest rate the sender actually achieved in a trial that lost nothing, offered or not: for
   * in-kernel paths the sender's own syscalls carry the forwarding work, so this is what the
   * path sustained when the generator could not reach the asked rate (a lower bound).
   */
  maxLosslessAchieved: number;
  lossy: number;
  n: number;
}

/**
 * Each path's searches run with every path up, their trials interleaved A B | B A | A B … (one
 * trial of each path per round, the order reversed every round), so slow drift of a shared
 * machine reaches every path alike and their ratio cancels it, as the latency slices do.
 */
export function trialOrder<T>(paths: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...paths] : [...paths].reverse();
}

/** One trial of one path at a fixed rate: offered vs received, where lost frames went, CPU/RSS. */
async function runTrial(o: ThroughputOptions, topo: Topology, cpu: MachineCpuRecorder, st: PathSearch, size: number, rate: number, startedS: number): Promise<Row> {
  const { path } = st;
  const name = path.name;
  st.n++;
  o.progress?.step(`throughput ${name} ${size} B trial ${st.n} at ${rate} fps`);
  const sampler = new ProcessSampler(path.processes().map((p) => ({ pid: p.pid, label: `h${p.host}` })));
  const k1 = await readHostCounters(topo, 1, path.ifname);
  const k2 = await readHostCounters(topo, 2, path.ifname);
  const c0 = await path.counters();
  const r = await runFlow<ConstantSenderResult>({
    topology: topo,
    ifname: path.ifname,
    from: 1,
    to: [2],
    size,
    sender: { mode: 'send-constant', rate, duration: o.trialS, publishers: 1 },
    beforeSend: async () => sampler.begin(),
    settleMs: 500,
  });
  const usage = sampler.end();
  const d1 = diffCounters(await readHostCounters(topo, 1, path.ifname), k1);
  const d2 = diffCounters(await readHostCounters(topo, 2, path.ifname), k2);
  if (path.processes().length > 0) await new Promise((res) => setTimeout(res, 600)); // one more stats-file write
  const c1 = await path.counters();
  const daemonDelta = (host: number, key: string): number | null => {
    const a = c1.get(host)?.[key];
    return a === undefined || path.processes().length === 0 ? null : a - (c0.get(host)?.[key] ?? 0);
  };
  const rx = r.receivers.get(2)!;
  const machine = new CpuTally();
  machine.add(cpu, { startUs: r.sender.startUs, endUs: r.sender.endUs }, rx.distinct);
  const lost = r.sender.offered - rx.distinct;
  const offered = r.sender.achievedFps >= rate * GENERATOR_TOLERANCE;
  const pass = lost === 0 && offered;
  if (!offered) st.generatorShort++;
  if (lost > 0) st.lossy++;
  else st.maxLosslessAchieved = Math.max(st.maxLosslessAchieved, Math.round(r.sender.achievedFps));
  const where = lost > 0
    ? ` [h1 if drops ${d1.ifDropped}, h1 udp sndbuf ${d1.udpSndbufErrors}, h2 udp rcvbuf ${d2.udpRcvbufErrors}, h2 if drops ${d2.ifDropped}, receiver socket ${rx.kernelDrops}]`
    : '';
  o.log(`throughput ${name} ${size} B @ ${rate} fps: achieved ${Math.round(r.sender.achievedFps)}, lost ${lost}${where} → ${pass ? 'pass' : 'fail'}`);
  if (pass && rate >= st.search.bestFps) st.best = { sent: r.sender.offered, received: rx.distinct, usage, machine };
  st.search.report(rate, pass);
  return {
    path: name, frame_bytes: size, trial: st.n, started_s: Math.round(startedS * 10) / 10, trial_s: o.trialS, rate_fps: rate, achieved_fps: Math.round(r.sender.achievedFps),
    sent: r.sender.offered, refused: r.sender.refused, received: rx.distinct, lost, receiver_kernel_drops: rx.kernelDrops, loss_free: pass,
    cpu_ns_per_frame: machine.nsPerFrame(),
    h1_if_dropped: d1.ifDropped, h1_udp_sndbuf_errors: d1.udpSndbufErrors,
    h2_udp_rcvbuf_errors: d2.udpRcvbufErrors, h2_udp_in_errors: d2.udpInErrors, h2_if_dropped: d2.ifDropped,
    bridge_h1_to_wan_dropped: daemonDelta(1, 'to_wan.dropped'), bridge_h2_from_wan_dropped: daemonDelta(2, 'from_wan.dropped'),
  };
}

export async function runThroughputSuite(o: ThroughputOptions): Promise<ThroughputResult> {
  const rows: Row[] = [];
  const trials: Row[] = [];
  const resources: Row[] = [];
  const t0 = Date.now();
  await withTopology(o, 2, async (topo) => {
    await withPaths(o.paths, topo, async (paths) => {
      // The machine's CPU over each trial's sending, and in a quiet window per round (no traffic).
      const machineCpu = new MachineCpuRecorder();
      machineCpu.start();
      try {
        await searchSizes(topo, paths, machineCpu);
      } finally {
        machineCpu.stop();
      }
    });
  });
  async function searchSizes(topo: Topology, paths: L2Path[], machineCpu: MachineCpuRecorder): Promise<void> {
    for (const size of o.sizes) {
      const searches = paths.map((path): PathSearch => ({
        path, search: new ZeroLossSearch({ minFps: o.minFps, maxFps: o.maxFps, resolution: o.resolution, maxTrials: o.maxTrials }),
        best: null, generatorShort: 0, maxLosslessAchieved: 0, lossy: 0, n: 0,
      }));
      const quiet = new CpuTally();
      for (let round = 0; searches.some((x) => x.search.next() !== null); round++) {
        quiet.add(machineCpu, await quietWindow(QUIET_WINDOW_S));
        for (const st of trialOrder(searches, round)) {
          const rate = st.search.next();
          if (rate === null) continue;
          trials.push(await runTrial(o, topo, machineCpu, st, size, rate, (Date.now() - t0) / 1000));
        }
      }
      resources.push({ suite: 'throughput', path: 'idle', host: 'machine', rate_fps: 0, frame_bytes: size, ...quietCpuColumns(quiet) });
      const busy = backgroundWarning(`throughput ${size} B`, quiet);
      if (busy) o.log(busy);
      for (const st of searches) {
        const name = st.path.name;
        const { fps, bound } = throughputFigure(st.search.bestFps, st.maxLosslessAchieved, o.maxFps);
        const limitedBy = st.search.bestFps >= o.maxFps ? 'ceiling' : fps > st.search.bestFps || (st.lossy === 0 && st.generatorShort > 0) ? 'generator' : st.lossy > 0 ? 'loss' : 'trials';
        const cpu = (h: string): number | null => st.best?.usage.find((u) => u.label === h)?.cpuPercent ?? null;
        const rss = (h: string): number | null => st.best?.usage.find((u) => u.label === h)?.rssPeakMb ?? null;
        rows.push({
          // A figure the generator stopped is a lower bound even when the search found no loss.
          path: name, frame_bytes: size, rate_fps: fps, bound: limitedBy === 'generator' ? '≥' : bound, mbit_s: mbitPerS(size, fps),
          sent: st.best?.sent ?? 0, received: st.best?.received ?? 0, lost: st.best ? st.best.sent - st.best.received : 0,
          trials: st.search.trialCount, trial_s: o.trialS, limited_by: limitedBy,
          max_lossless_achieved_fps: st.maxLosslessAchieved,
          cpu_h1_percent: cpu('h1'), cpu_h2_percent: cpu('h2'), rss_h1_peak_mb: rss('h1'), rss_h2_peak_mb: rss('h2'),
        });
        if (st.best) resources.push({ suite: 'throughput', path: name, host: 'machine', rate_fps: fps, frame_bytes: size, ...machineCpuColumns(st.best.machine, quiet) });
        for (const u of st.best?.usage ?? []) {
          resources.push({ suite: 'throughput', path: name, host: u.label, rate_fps: fps, frame_bytes: size, cpu_percent: u.cpuPercent, rss_peak_mb: u.rssPeakMb, samples: u.samples });
        }
      }
    }
  }
  for (const size of o.sizes) {
    const v = rows.find((r) => r.path === 'vxlan' && r.frame_bytes === size);
    for (const name of RATIO_PATHS) {
      const p = rows.find((r) => r.path === name && r.frame_bytes === size);
      if (!p || !v) continue;
      rows.push({
        path: `${name}/vxlan`, frame_bytes: size, rate_fps: ratio(p.rate_fps as number, v.rate_fps as number),
        bound: ratioBound(p.bound === '≥', v.bound === '≥'), mbit_s: ratio(p.mbit_s as number, v.mbit_s as number),
      });
    }
  }
  const files = [
    writeCsv(o.out, 'throughput.csv', THROUGHPUT_COLUMNS, rows),
    writeCsv(o.out, 'throughput-trials.csv', TRIAL_COLUMNS, trials),
    writeCsv(o.out, 'resources-throughput.csv', RESOURCE_COLUMNS, resources),
  ];
  const table = renderTable(
    ['path', 'frame_bytes', 'bound', 'rate_fps', 'mbit_s', 'lost', 'trials', 'limited_by', 'cpu_h1_percent', 'cpu_h2_percent', 'rss_h1_peak_mb', 'rss_h2_peak_mb'],
    rows,
  );
  return { rows, trials, resources, files, table };
}
