// One-way latency publisher → subscriber through the two bridges (or two VXLAN endpoints), same
// CLOCK_MONOTONIC on both ends, HdrHistogram with coordinated-omission correction at the fixed rate.
import * as hdr from 'hdr-histogram-js';
import type { Row } from './report/csv.js';
import { writeCsv } from './report/csv.js';
import { renderTable } from './report/table.js';
import { LATENCY_KEYS, PERCENTILES, ratio, summarizeHistogram, transferTimeClass } from './stats/latency-summary.js';
import { ProcessSampler } from './stats/process-sampler.js';
import { runSender, startReceivers, collectReceivers, decodeHistogram, type ConstantSenderResult, type FlowSpec } from './traffic/flow.js';
import { withPaths, withTopology, type SuiteCommon } from './suite-context.js';
import type { L2Path, PathName } from './paths/l2-path.js';
import type { ManagedProcess } from './topology/index.js';
import { sleep } from './topology/index.js';
import type { ProcessUsage } from './stats/process-sampler.js';
import type { Progress } from './report/progress.js';

export interface LatencyOptions extends SuiteCommon {
  durationS: number;
  rateFps: number;
  publishers: number;
  sizeBytes: number;
  /** Unrecorded traffic before the measurement, seconds. */
  warmupS: number;
  /** Alternating slices per path (default 5). */
  rounds?: number;
  progress?: Progress;
}

export const LATENCY_COLUMNS = [
  'path', 'rate_fps', 'publishers', 'frame_bytes', 'sent', 'received', 'lost',
  ...LATENCY_KEYS,
  ...PERCENTILES.map(([k]) => `tt_class_${k}`), 'tt_class_max',
] as const;

export const PERCENTILE_CURVE_COLUMNS = ['path', 'percentile', 'latency_us'] as const;
export const RESOURCE_COLUMNS = ['suite', 'path', 'host', 'rate_fps', 'frame_bytes', 'cpu_percent', 'rss_peak_mb', 'samples'] as const;

/** Percentiles sampled for the "nines" chart. */
export const CURVE_PERCENTILES = [0, 10, 25, 50, 75, 90, 95, 97.5, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100];

export interface LatencyResult {
  rows: Row[];
  curve: Row[];
  resources: Row[];
  files: string[];
  table: string;
}

export function latencyRow(path: string, o: LatencyOptions, sent: number, received: number, h: hdr.Histogram): Row {
  const s = summarizeHistogram(h);
  const row: Row = {
    path, rate_fps: o.rateFps, publishers: o.publishers, frame_bytes: o.sizeBytes,
    sent, received, lost: sent - received,
    ...(s ?? {}),
  };
  if (s) {
    for (const [k] of PERCENTILES) row[`tt_class_${k}`] = transferTimeClass(s[`latency_${k}_us` as keyof typeof s]);
    row.tt_class_max = transferTimeClass(s.latency_max_us);
  }
  return row;
}

/** The `bridge/vxlan` row: each latency figure of the bridge divided by VXLAN's. */
export function ratioRow(bridge: Row | undefined, vxlan: Row | undefined): Row | null {
  if (!bridge || !vxlan) return null;
  const row: Row = { path: 'bridge/vxlan', rate_fps: bridge.rate_fps, publishers: bridge.publishers, frame_bytes: bridge.frame_bytes };
  for (const k of LATENCY_KEYS) row[k] = ratio(bridge[k] as number | undefined, vxlan[k] as number | undefined);
  return row;
}

/**
 * The paths are measured in alternating slices (A B B A A B …, `rounds` slices each, duration /
 * rounds seconds per slice) with both paths up the whole time and one receiver per path
 * accumulating across slices: load bursts on a shared machine then hit both paths alike, which
 * is what makes the bridge/VXLAN ratio meaningful. An idle path costs nothing meanwhile.
 */
export async function runLatencySuite(o: LatencyOptions): Promise<LatencyResult> {
  const rows: Row[] = [];
  const curve: Row[] = [];
  const resources: Row[] = [];
  const rounds = Math.max(1, Math.min(o.rounds ?? 5, Math.floor(o.durationS / 0.5)));
  const sliceS = o.durationS / rounds;
  await withTopology(o, 2, async (topo) => {
    o.progress?.step(`latency: starting ${o.paths.join(' + ')}`);
    await withPaths(o.paths, topo, async (paths) => {
      const specOf = (path: L2Path, duration: number): FlowSpec => ({
        topology: topo, ifname: path.ifname, from: 1, to: [2], size: o.sizeBytes,
        sender: { mode: 'send-constant', rate: o.rateFps, duration, publishers: o.publishers },
        correctCoordinatedOmission: true,
      });
      // Warm-up, not recorded: JIT, first-sender state on both ends.
      if (o.warmupS > 0) for (const path of paths) await runSender(specOf(path, o.warmupS));
      const state = new Map<PathName, { receivers: Map<number, ManagedProcess>; sent: number; maxLagUs: number; usage: ProcessUsage[][] }>();
      try {
        for (const path of paths) state.set(path.name, { receivers: await startReceivers(specOf(path, sliceS)), sent: 0, maxLagUs: 0, usage: [] });
        for (let r = 0; r < rounds; r++) {
          const order = r % 2 === 0 ? paths : [...paths].reverse();
          for (const path of order) {
            o.progress?.step(`latency ${path.name} slice ${r + 1}/${rounds} (${o.rateFps} fps × ${sliceS.toFixed(1)} s)`);
            const st = state.get(path.name)!;
            const sampler = new ProcessSampler(path.processes().map((p) => ({ pid: p.pid, label: `h${p.host}` })));
            sampler.begin();
            const s = await runSender<ConstantSenderResult>(specOf(path, sliceS), st.sent);
            st.usage.push(sampler.end());
            st.sent += s.sent;
            st.maxLagUs = Math.max(st.maxLagUs, s.maxLagUs);
          }
        }
        await sleep(300);
        for (const path of paths) {
          const st = state.get(path.name)!;
          const rx = (await collectReceivers(st.receivers)).get(2)!;
          const h = decodeHistogram(rx.histogram);
          // With CO correction the histogram holds synthetic samples too; counts come from frames.
          rows.push(latencyRow(path.name, o, st.sent, rx.distinct, h));
          if (h.totalCount > 0) for (const p of CURVE_PERCENTILES) curve.push({ path: path.name, percentile: p, latency_us: h.getValueAtPercentile(p) });
          for (const proc of path.processes()) {
            const label = `h${proc.host}`;
            const slices = st.usage.map((u) => u.find((x) => x.label === label)).filter((x): x is ProcessUsage => x !== undefined);
            if (slices.length === 0) continue;
            resources.push({
              suite: 'latency', path: path.name, host: label, rate_fps: o.rateFps, frame_bytes: o.sizeBytes,
              cpu_percent: Math.round((slices.reduce((a, x) => a + x.cpuPercent, 0) / slices.length) * 10) / 10,
              rss_peak_mb: Math.max(...slices.map((x) => x.rssPeakMb)),
              samples: slices.reduce((a, x) => a + x.samples, 0),
            });
          }
          o.log(`latency ${path.name}: sent ${st.sent}, received ${rx.distinct}, duplicates ${rx.duplicates}, receiver kernel drops ${rx.kernelDrops}, sender max lag ${Math.round(st.maxLagUs)} µs`);
        }
      } finally {
        for (const st of state.values()) for (const p of st.receivers.values()) if (p.running) await p.stop(1000);
      }
    });
  });
  const ratioR = ratioRow(rows.find((r) => r.path === 'bridge'), rows.find((r) => r.path === 'vxlan'));
  if (ratioR) rows.push(ratioR);
  const files = [
    writeCsv(o.out, 'latency.csv', LATENCY_COLUMNS, rows),
    writeCsv(o.out, 'latency-percentiles.csv', PERCENTILE_CURVE_COLUMNS, curve),
    writeCsv(o.out, 'resources-latency.csv', RESOURCE_COLUMNS, resources),
  ];
  const table = renderTable(
    [
      'path', 'sent', 'received', 'lost',
      { key: 'latency_p2_5_us', label: '2.5% µs' }, { key: 'latency_p50_us', label: '50% µs' },
      { key: 'latency_p97_5_us', label: '97.5% µs' }, { key: 'latency_p99_us', label: '99% µs' },
      { key: 'latency_p99_9_us', label: '99.9% µs' }, { key: 'latency_max_us', label: 'max µs' },
      { key: 'latency_mean_us', label: 'avg µs' }, { key: 'latency_stdev_us', label: 'stdev µs' },
      { key: 'tt_class_p99', label: 'TT@99%' },
    ],
    rows,
  );
  return { rows, curve, resources, files, table };
}
