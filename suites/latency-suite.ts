// One-way latency publisher → subscriber through the two bridges (or two VXLAN endpoints), same
// CLOCK_MONOTONIC on both ends, HdrHistogram with coordinated-omission correction at the fixed rate.
import * as hdr from 'hdr-histogram-js';
import type { Row } from './report/csv.js';
import { writeCsv } from './report/csv.js';
import { renderTable } from './report/table.js';
import { LATENCY_KEYS, PERCENTILES, ratio, summarizeHistogram, transferTimeClass } from './stats/latency-summary.js';
import { ProcessSampler } from './stats/process-sampler.js';
import { runFlow, decodeHistogram, type ConstantSenderResult } from './traffic/flow.js';
import { withPath, withTopology, type SuiteCommon } from './suite-context.js';
import type { Progress } from './report/progress.js';

export interface LatencyOptions extends SuiteCommon {
  durationS: number;
  rateFps: number;
  publishers: number;
  sizeBytes: number;
  /** Unrecorded traffic before the measurement, seconds. */
  warmupS: number;
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

export async function runLatencySuite(o: LatencyOptions): Promise<LatencyResult> {
  const rows: Row[] = [];
  const curve: Row[] = [];
  const resources: Row[] = [];
  await withTopology(o, 2, async (topo) => {
    for (const name of o.paths) {
      o.progress?.step(`latency ${name} ${o.rateFps} fps × ${o.durationS} s`);
      await withPath(name, topo, async (path) => {
        // Warm-up, not recorded: JIT, first-sender state, ARP-less caches on both ends.
        if (o.warmupS > 0) {
          await runFlow<ConstantSenderResult>({
            topology: topo, ifname: path.ifname, from: 1, to: [2], size: o.sizeBytes,
            sender: { mode: 'send-constant', rate: o.rateFps, duration: o.warmupS, publishers: o.publishers },
          });
        }
        const sampler = new ProcessSampler(path.processes().map((p) => ({ pid: p.pid, label: `h${p.host}` })));
        const r = await runFlow<ConstantSenderResult>({
          topology: topo,
          ifname: path.ifname,
          from: 1,
          to: [2],
          size: o.sizeBytes,
          sender: { mode: 'send-constant', rate: o.rateFps, duration: o.durationS, publishers: o.publishers },
          correctCoordinatedOmission: true,
          beforeSend: async () => sampler.begin(),
        });
        const usage = sampler.end();
        const rx = r.receivers.get(2)!;
        const h = decodeHistogram(rx.histogram);
        // With CO correction the histogram holds synthetic samples too; counts come from frames.
        rows.push(latencyRow(name, o, r.sender.sent, rx.distinct, h));
        if (h.totalCount > 0) for (const p of CURVE_PERCENTILES) curve.push({ path: name, percentile: p, latency_us: h.getValueAtPercentile(p) });
        for (const u of usage) {
          resources.push({ suite: 'latency', path: name, host: u.label, rate_fps: o.rateFps, frame_bytes: o.sizeBytes, cpu_percent: u.cpuPercent, rss_peak_mb: u.rssPeakMb, samples: u.samples });
        }
        o.log(`latency ${name}: sent ${r.sender.sent}, received ${rx.distinct}, duplicates ${rx.duplicates}, receiver kernel drops ${rx.kernelDrops}, sender max lag ${Math.round(r.sender.maxLagUs)} µs`);
      });
    }
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
