// One stream's event-latency samples: kept exactly while few (a typed array, sorted once for the
// report), in a packed HdrHistogram beyond that. Tens of thousands of streams each see a handful
// of state changes in a run: a histogram per stream costs memory at creation and, worse, every
// percentile walks its buckets from the start — the end-of-run report of 20,000 streams took
// tens of seconds. Pure.
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

/** Latency values above this are clamped (µs): one minute. */
export const LATENCY_MAX_US = 60_000_000;
/** Samples kept exactly per stream before it switches to a histogram. */
export const EXACT_SAMPLES = 256;

/**
 * µs durations up to LATENCY_MAX_US, 3 significant digits. `packed` keeps a stream's histogram
 * small (slower to record); a run's one total takes plain 32-bit buckets, whose percentiles are a
 * quick array walk (a packed one's took hundreds of milliseconds of the end-of-run report on a
 * loaded machine).
 */
export function newMicrosHistogram(packed: boolean): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: LATENCY_MAX_US, numberOfSignificantValueDigits: 3, ...(packed ? { bitBucketSize: 'packed' as const } : {}) });
}

export function newLatencyHistogram(): Histogram {
  return newMicrosHistogram(true);
}

export interface LatencySummary {
  event_latency_count: number;
  event_latency_min_us: number;
  event_latency_mean_us: number;
  event_latency_p50_us: number;
  event_latency_p90_us: number;
  event_latency_p97_5_us: number;
  event_latency_p99_us: number;
  event_latency_p99_9_us: number;
  event_latency_max_us: number;
}

const PERCENTILES = [50, 90, 97.5, 99, 99.9] as const;

export function emptyLatencySummary(): LatencySummary {
  return summary(0, 0, 0, [0, 0, 0, 0, 0], 0);
}

function summary(count: number, min: number, mean: number, p: readonly number[], max: number): LatencySummary {
  return {
    event_latency_count: count,
    event_latency_min_us: min,
    event_latency_mean_us: mean,
    event_latency_p50_us: p[0]!,
    event_latency_p90_us: p[1]!,
    event_latency_p97_5_us: p[2]!,
    event_latency_p99_us: p[3]!,
    event_latency_p99_9_us: p[4]!,
    event_latency_max_us: max,
  };
}

/** A histogram's summary (the run's total: one histogram, the cost does not matter). */
export function histogramSummary(h: Histogram): LatencySummary {
  const n = h.totalCount;
  if (n === 0) return emptyLatencySummary();
  return summary(n, h.getValueAtPercentile(0), Math.round(h.mean), PERCENTILES.map((p) => h.getValueAtPercentile(p)), h.maxValue);
}

export class LatencySamples {
  private exact: Uint32Array | undefined;
  private n = 0;
  private hist: Histogram | undefined;

  get count(): number {
    return this.hist ? this.hist.totalCount : this.n;
  }

  /** One sample in whole µs (0 … LATENCY_MAX_US). */
  record(us: number): void {
    if (this.hist) {
      this.hist.recordValue(us);
      return;
    }
    if (this.n === EXACT_SAMPLES) {
      this.hist = newLatencyHistogram();
      for (let i = 0; i < this.n; i++) this.hist.recordValue(this.exact![i]!);
      this.exact = undefined;
      this.hist.recordValue(us);
      return;
    }
    if (this.exact === undefined || this.n === this.exact.length) {
      const next = new Uint32Array(Math.min(EXACT_SAMPLES, Math.max(4, this.n * 2)));
      if (this.exact) next.set(this.exact);
      this.exact = next;
    }
    this.exact[this.n++] = us;
  }

  /** Percentiles as HdrHistogram defines them (the value at rank max(1, round(p/100 · n))), exact while few. */
  summary(): LatencySummary {
    if (this.hist) return histogramSummary(this.hist);
    const n = this.n;
    if (n === 0) return emptyLatencySummary();
    const sorted = this.exact!.slice(0, n).sort();
    let sum = 0;
    for (let i = 0; i < n; i++) sum += sorted[i]!;
    const at = (p: number): number => sorted[Math.min(n, Math.max(1, Math.round((p / 100) * n))) - 1]!;
    return summary(n, sorted[0]!, Math.round(sum / n), PERCENTILES.map(at), sorted[n - 1]!);
  }
}
