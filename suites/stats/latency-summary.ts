// Latency figures in the project's autocannon shape (integer µs, percentile keys p2_5 … p99_9),
// the IEC 61850-5 transfer-time class each figure meets, and the bridge/VXLAN ratio. Pure.
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

export const PERCENTILES = [
  ['p2_5', 2.5],
  ['p50', 50],
  ['p97_5', 97.5],
  ['p99', 99],
  ['p99_9', 99.9],
] as const;

export type PercentileKey = (typeof PERCENTILES)[number][0];

export interface LatencySummary {
  latency_p2_5_us: number;
  latency_p50_us: number;
  latency_p97_5_us: number;
  latency_p99_us: number;
  latency_p99_9_us: number;
  latency_max_us: number;
  latency_mean_us: number;
  latency_stdev_us: number;
}

export const LATENCY_KEYS: ReadonlyArray<keyof LatencySummary> = [
  'latency_p2_5_us',
  'latency_p50_us',
  'latency_p97_5_us',
  'latency_p99_us',
  'latency_p99_9_us',
  'latency_max_us',
  'latency_mean_us',
  'latency_stdev_us',
];

/** The suites' latency histograms: 1 µs to 120 s at 3 significant digits. */
export function newLatencyHistogram(): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
}

export function summarizeHistogram(h: Histogram): LatencySummary | null {
  if (h.totalCount === 0) return null;
  return {
    latency_p2_5_us: h.getValueAtPercentile(2.5),
    latency_p50_us: h.getValueAtPercentile(50),
    latency_p97_5_us: h.getValueAtPercentile(97.5),
    latency_p99_us: h.getValueAtPercentile(99),
    latency_p99_9_us: h.getValueAtPercentile(99.9),
    latency_max_us: h.maxValue,
    latency_mean_us: Math.round(h.mean),
    latency_stdev_us: Math.round(h.stdDeviation),
  };
}

/** Scheduled send → receive: the same figures with the generator's own lateness included. */
export const SCHED_KEYS: readonly string[] = LATENCY_KEYS.map((k) => k.replace('latency_', 'latency_sched_'));

/** Generator lag (actual − scheduled send time) percentiles. */
export const LAG_KEYS = ['gen_lag_p50_us', 'gen_lag_p99_us', 'gen_lag_p99_9_us', 'gen_lag_max_us'] as const;

/** summarizeHistogram with its keys renamed from `latency_` to `prefix` (e.g. `latency_sched_`). */
export function summarizeAs(prefix: string, h: Histogram): Record<string, number> | null {
  const s = summarizeHistogram(h);
  return s && Object.fromEntries(Object.entries(s).map(([k, v]) => [k.replace('latency_', prefix), v]));
}

export function lagSummary(h: Histogram): Record<(typeof LAG_KEYS)[number], number> | null {
  if (h.totalCount === 0) return null;
  return {
    gen_lag_p50_us: h.getValueAtPercentile(50),
    gen_lag_p99_us: h.getValueAtPercentile(99),
    gen_lag_p99_9_us: h.getValueAtPercentile(99.9),
    gen_lag_max_us: h.maxValue,
  };
}

/** IEC 61850-5 transfer-time classes (upper bounds, µs), fastest first. */
export const TRANSFER_TIME_CLASSES = [
  { name: 'TT6', maxUs: 3_000 },
  { name: 'TT5', maxUs: 10_000 },
  { name: 'TT4', maxUs: 20_000 },
] as const;

/** The fastest class whose bound the value meets, or 'none'. */
export function transferTimeClass(us: number): 'TT6' | 'TT5' | 'TT4' | 'none' {
  for (const c of TRANSFER_TIME_CLASSES) if (us <= c.maxUs) return c.name;
  return 'none';
}

/** a / b rounded to 3 decimals; null when b is 0 or either is missing. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return Math.round((a / b) * 1000) / 1000;
}
