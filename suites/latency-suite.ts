// One-way latency publisher → subscriber through the two bridges (or two VXLAN endpoints), same
// CLOCK_MONOTONIC on both ends. Two figures per frame, no synthetic samples: actual send →
// receive (the path) and scheduled send → receive (the path plus the open-loop generator's own
// lateness, which is how coordinated omission is avoided), and the generator's lag itself.
import * as hdr from 'hdr-histogram-js';
import type { Row } from './report/csv.js';
import { writeCsv } from './report/csv.js';
import { renderTable } from './report/table.js';
import { LAG_KEYS, LATENCY_KEYS, PERCENTILES, SCHED_KEYS, lagSummary, newLatencyHistogram, ratio, summarizeAs, summarizeHistogram, transferTimeClass } from './stats/latency-summary.js';
import { ProcessSampler } from './stats/process-sampler.js';
import { runSender, startReceivers, startSliceSender, collectReceivers, decodeHistogram, type FlowSpec, type ReceiverResult, type SliceSender } from './traffic/flow.js';
import { RATIO_PATHS, withPaths, withTopology, type SuiteCommon } from './suite-context.js';
import type { L2Path, PathName } from './paths/l2-path.js';
import type { ManagedProcess } from '../testkit/topology/index.js';
import { sleep } from '../testkit/topology/index.js';
import type { ProcessUsage } from './stats/process-sampler.js';
import type { Progress } from './report/progress.js';
import { CpuTally, MachineCpuRecorder, backgroundWarning, machineCpuColumns, quietCpuColumns, quietWindow, type Window } from './stats/machine-cpu.js';

export interface LatencyOptions extends SuiteCommon {
  durationS: number;
  rateFps: number;
  publishers: number;
  sizeBytes: number;
  /** Unrecorded traffic before the measurement, seconds. */
  warmupS: number;
  /** Interleaved slices per path (default 10; slices are at least 0.25 s). */
  rounds?: number;
  progress?: Progress;
}

export const LATENCY_COLUMNS = [
  'path', 'rate_fps', 'publishers', 'frame_bytes', 'slices', 'slice_s', 'sent', 'refused', 'received', 'lost',
  ...LATENCY_KEYS, ...SCHED_KEYS, ...LAG_KEYS,
  ...PERCENTILES.map(([k]) => `tt_class_${k}`), 'tt_class_max',
] as const;

/** One row per round and path, in run order, plus a `<path>/vxlan` row per round and ratio path (the slices of a round ran back to back). */
export const SLICE_COLUMNS = [
  'path', 'round', 'start_s', 'sent', 'received',
  'latency_p50_us', 'latency_p99_us', 'latency_p99_9_us', 'latency_max_us',
  'latency_sched_p50_us', 'latency_sched_p99_us', 'gen_lag_p99_us',
] as const;
const SLICE_FIGURES = SLICE_COLUMNS.filter((c) => c.startsWith('latency_') || c.startsWith('gen_'));

export const PERCENTILE_CURVE_COLUMNS = ['path', 'kind', 'percentile', 'latency_us'] as const;
/**
 * Rows per path and daemon (host h1, h2: that process's CPU and RSS), plus per path a `machine`
 * row (the whole machine's CPU over the path's own slices or trials, per frame delivered) and one
 * `idle` row (the machine in quiet windows: every path up, no traffic).
 */
export const RESOURCE_COLUMNS = [
  'suite', 'path', 'host', 'rate_fps', 'frame_bytes', 'cpu_percent', 'cpu_ns_per_frame', 'background_ns_per_frame', 'softirq_ns_per_frame', 'background_softirq_ns_per_frame',
  'frames', 'window_s', 'rss_peak_mb', 'samples',
] as const;

/** Percentiles sampled for the "nines" chart. */
export const CURVE_PERCENTILES = [0, 10, 25, 50, 75, 90, 95, 97.5, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100];

export interface LatencyResult {
  rows: Row[];
  slices: Row[];
  curve: Row[];
  resources: Row[];
  files: string[];
  table: string;
}

export interface PathTotals {
  sent: number;
  refused: number;
  received: number;
  actual: hdr.Histogram;
  sched: hdr.Histogram;
  lag: hdr.Histogram;
  slices: number;
}

export function latencyRow(path: string, o: LatencyOptions, t: PathTotals, sliceS: number): Row {
  const s = summarizeHistogram(t.actual);
  const row: Row = {
    path, rate_fps: o.rateFps, publishers: o.publishers, frame_bytes: o.sizeBytes, slices: t.slices, slice_s: sliceS,
    sent: t.sent, refused: t.refused, received: t.received, lost: t.sent - t.received,
    ...(s ?? {}), ...(summarizeAs('latency_sched_', t.sched) ?? {}), ...(lagSummary(t.lag) ?? {}),
  };
  if (s) {
    for (const [k] of PERCENTILES) row[`tt_class_${k}`] = transferTimeClass(s[`latency_${k}_us` as keyof typeof s]);
    row.tt_class_max = transferTimeClass(s.latency_max_us);
  }
  return row;
}

/** `<path>/vxlan`: each latency figure of a path divided by VXLAN's. */
export function ratioRow(path: Row | undefined, vxlan: Row | undefined): Row | null {
  if (!path || !vxlan) return null;
  const row: Row = { path: `${path.path}/vxlan`, rate_fps: path.rate_fps, publishers: path.publishers, frame_bytes: path.frame_bytes };
  for (const k of [...LATENCY_KEYS, ...SCHED_KEYS]) row[k] = ratio(path[k] as number | undefined, vxlan[k] as number | undefined);
  return row;
}

/** `<path>/vxlan` rows of latency-slices.csv (bridge, bridge-user, relay): the ratio of each figure within one round. */
export function sliceRatioRows(slices: readonly Row[]): Row[] {
  const out: Row[] = [];
  for (const name of RATIO_PATHS) {
    for (const b of slices.filter((r) => r.path === name)) {
      const v = slices.find((r) => r.path === 'vxlan' && r.round === b.round);
      if (!v) continue;
      const row: Row = { path: `${name}/vxlan`, round: b.round };
      for (const k of SLICE_FIGURES) row[k] = ratio(b[k] as number | undefined, v[k] as number | undefined);
      out.push(row);
    }
  }
  return out;
}

export function sliceRow(path: string, round: number, startS: number, sent: number, rx: ReceiverResult['slices'][number] | undefined, lag: hdr.Histogram): Row {
  const a = rx ? summarizeHistogram(decodeHistogram(rx.histogram)) : null;
  const sc = rx ? summarizeAs('latency_sched_', decodeHistogram(rx.schedHistogram)) : null;
  const l = lagSummary(lag);
  return {
    path, round, start_s: Math.round(startS * 1000) / 1000, sent, received: rx?.distinct ?? 0,
    latency_p50_us: a?.latency_p50_us, latency_p99_us: a?.latency_p99_us, latency_p99_9_us: a?.latency_p99_9_us, latency_max_us: a?.latency_max_us,
    latency_sched_p50_us: sc?.latency_sched_p50_us, latency_sched_p99_us: sc?.latency_sched_p99_us, gen_lag_p99_us: l?.gen_lag_p99_us,
  };
}

/** Shortest slice: a slice's percentiles need a few hundred frames at the default 1,000 frames/s. */
export const MIN_SLICE_S = 0.25;

/** Slices per path for a duration: the rounds asked, fewer when the duration cannot hold them. */
export function slicesFor(durationS: number, rounds: number): number {
  return Math.max(1, Math.min(rounds, Math.floor(durationS / MIN_SLICE_S)));
}

/**
 * The paths are measured in alternating slices (A B B A A B …, `rounds` slices each, duration /
 * rounds seconds per slice) with both paths up the whole time and one receiver per path that
 * keeps a histogram per slice (the slice number travels in every frame). Load bursts on a shared
 * machine then hit both paths alike, and the per-round bridge/VXLAN ratios form a distribution
 * that report:compare tests rather than one number. An idle path costs nothing meanwhile.
 */
export async function runLatencySuite(o: LatencyOptions): Promise<LatencyResult> {
  const rows: Row[] = [];
  const slices: Row[] = [];
  const curve: Row[] = [];
  const resources: Row[] = [];
  const rounds = slicesFor(o.durationS, o.rounds ?? 10);
  if (rounds < (o.rounds ?? 10)) o.log(`latency: ${o.durationS} s allows only ${rounds} slice(s) of ≥ ${MIN_SLICE_S} s per path, not the ${o.rounds ?? 10} rounds asked (report:compare's slice rules need ≥ 10)`);
  const sliceS = o.durationS / rounds;
  await withTopology(o, 2, async (topo) => {
    o.progress?.step(`latency: starting ${o.paths.join(' + ')}`);
    await withPaths(o.paths, topo, async (paths) => {
      const specOf = (path: L2Path, duration: number): FlowSpec => ({
        topology: topo, ifname: path.ifname, from: 1, to: [2], size: o.sizeBytes,
        sender: { mode: 'send-constant', rate: o.rateFps, duration, publishers: o.publishers, slice: 0 },
      });
      // Warm-up, not recorded (slice 0 is left out of every figure): JIT, first-sender state on both ends.
      if (o.warmupS > 0) for (const path of paths) await runSender(specOf(path, o.warmupS));
      interface PathState { receivers: Map<number, ManagedProcess>; sender: SliceSender; seq: number; perSlice: Array<{ round: number; startS: number; sent: number; refused: number; lag: hdr.Histogram; window: Window }>; usage: ProcessUsage[][] }
      const state = new Map<PathName, PathState>();
      const t0 = Date.now();
      // The machine's CPU over each path's own slices, and in a quiet window per round (no traffic).
      const machineCpu = new MachineCpuRecorder();
      const quiet = new CpuTally();
      try {
        for (const path of paths) {
          const receivers = await startReceivers(specOf(path, sliceS));
          state.set(path.name, { receivers, sender: await startSliceSender(specOf(path, sliceS)), seq: 0, perSlice: [], usage: [] });
        }
        machineCpu.start();
        for (let r = 0; r < rounds; r++) {
          const order = r % 2 === 0 ? paths : [...paths].reverse();
          for (const path of order) {
            o.progress?.step(`latency ${path.name} slice ${r + 1}/${rounds} (${o.rateFps} fps × ${sliceS.toFixed(2)} s)`);
            const st = state.get(path.name)!;
            const sampler = new ProcessSampler(path.processes().map((p) => ({ pid: p.pid, label: `h${p.host}` })));
            sampler.begin();
            const startS = (Date.now() - t0) / 1000;
            const s = await st.sender.runSlice(r + 1, st.seq, sliceS);
            st.usage.push(sampler.end());
            st.seq += s.offered;
            st.perSlice.push({ round: r + 1, startS, sent: s.offered, refused: s.refused, lag: decodeHistogram(s.lagHistogram), window: { startUs: s.startUs, endUs: s.endUs } });
          }
          quiet.add(machineCpu, await quietWindow(sliceS));
        }
        machineCpu.stop();
        resources.push({ suite: 'latency', path: 'idle', host: 'machine', rate_fps: 0, frame_bytes: o.sizeBytes, ...quietCpuColumns(quiet) });
        const busy = backgroundWarning('latency', quiet);
        if (busy) o.log(busy);
        await sleep(300);
        for (const path of paths) {
          const st = state.get(path.name)!;
          const rx = (await collectReceivers(st.receivers)).get(2)!;
          const t: PathTotals = { sent: 0, refused: 0, received: 0, actual: newLatencyHistogram(), sched: newLatencyHistogram(), lag: newLatencyHistogram(), slices: st.perSlice.length };
          const machine = new CpuTally();
          for (const sl of st.perSlice) {
            const got = rx.slices.find((x) => x.slice === sl.round);
            machine.add(machineCpu, sl.window, got?.distinct ?? 0);
            slices.push(sliceRow(path.name, sl.round, sl.startS, sl.sent, got, sl.lag));
            t.sent += sl.sent;
            t.refused += sl.refused;
            t.lag.add(sl.lag);
            if (!got) continue;
            t.received += got.distinct;
            t.actual.add(decodeHistogram(got.histogram));
            t.sched.add(decodeHistogram(got.schedHistogram));
          }
          rows.push(latencyRow(path.name, o, t, sliceS));
          for (const [kind, h] of [['actual', t.actual], ['sched', t.sched]] as const) {
            if (h.totalCount > 0) for (const p of CURVE_PERCENTILES) curve.push({ path: path.name, kind, percentile: p, latency_us: h.getValueAtPercentile(p) });
          }
          resources.push({ suite: 'latency', path: path.name, host: 'machine', rate_fps: o.rateFps, frame_bytes: o.sizeBytes, ...machineCpuColumns(machine, quiet) });
          for (const proc of path.processes()) {
            const label = `h${proc.host}`;
            const used = st.usage.map((u) => u.find((x) => x.label === label)).filter((x): x is ProcessUsage => x !== undefined);
            if (used.length === 0) continue;
            resources.push({
              suite: 'latency', path: path.name, host: label, rate_fps: o.rateFps, frame_bytes: o.sizeBytes,
              cpu_percent: Math.round((used.reduce((a, x) => a + x.cpuPercent, 0) / used.length) * 10) / 10,
              rss_peak_mb: Math.max(...used.map((x) => x.rssPeakMb)),
              samples: used.reduce((a, x) => a + x.samples, 0),
            });
          }
          o.log(`latency ${path.name}: offered ${t.sent}, refused by the sender's kernel ${t.refused}, received ${t.received}, duplicates ${rx.duplicates}, receiver kernel drops ${rx.kernelDrops}, generator lag p99 ${t.lag.getValueAtPercentile(99)} µs`);
        }
      } finally {
        machineCpu.stop();
        for (const st of state.values()) {
          await st.sender.stop();
          for (const p of st.receivers.values()) if (p.running) await p.stop(1000);
        }
      }
    });
  });
  for (const name of RATIO_PATHS) {
    const r = ratioRow(rows.find((x) => x.path === name), rows.find((x) => x.path === 'vxlan'));
    if (r) rows.push(r);
  }
  slices.push(...sliceRatioRows(slices));
  const files = [
    writeCsv(o.out, 'latency.csv', LATENCY_COLUMNS, rows),
    writeCsv(o.out, 'latency-slices.csv', SLICE_COLUMNS, slices),
    writeCsv(o.out, 'latency-percentiles.csv', PERCENTILE_CURVE_COLUMNS, curve),
    writeCsv(o.out, 'resources-latency.csv', RESOURCE_COLUMNS, resources),
  ];
  const table = renderTable(
    [
      'path', 'sent', 'received', 'lost',
      { key: 'latency_p2_5_us', label: '2.5% µs' }, { key: 'latency_p50_us', label: '50% µs' },
      { key: 'latency_p97_5_us', label: '97.5% µs' }, { key: 'latency_p99_us', label: '99% µs' },
      { key: 'latency_p99_9_us', label: '99.9% µs' }, { key: 'latency_max_us', label: 'max µs' },
      { key: 'latency_sched_p50_us', label: 'sched 50% µs' }, { key: 'latency_sched_p99_us', label: 'sched 99% µs' },
      { key: 'gen_lag_p99_us', label: 'gen lag 99% µs' },
      { key: 'tt_class_p99', label: 'TT@99%' },
    ],
    rows,
  );
  return { rows, slices, curve, resources, files, table };
}
