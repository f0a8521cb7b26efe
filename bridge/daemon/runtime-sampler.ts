// How the daemon process itself fares: how late its event loop runs (the control plane's timers)
// and its memory. Reported in the stats file as runtime.*.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { RuntimeSnapshot } from './bridge-counters.js';

/** Sampling period of the event-loop delay histogram. Each sample wakes the process, and on a VM a
 * wake-up costs tens of µs: at 10 ms the sampling alone took 0.6 % of a core. The control plane's
 * deadlines are seconds, so a stall shorter than 100 ms that goes unseen does not matter. */
export const LOOP_DELAY_RESOLUTION_MS = 100;

export class RuntimeSampler {
  readonly #delay: IntervalHistogram = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });

  start(): void {
    this.#delay.enable();
  }

  stop(): void {
    this.#delay.disable();
  }

  /** Event-loop delay since start (null before the first sample) and memory now. */
  sample(): RuntimeSnapshot {
    const h = this.#delay;
    const mem = process.memoryUsage();
    // The histogram holds the period between samples (ns); the delay is what exceeds the period.
    const late = (ns: number): number | null => (h.count === 0 ? null : Math.max(0, Math.round(ns / 1000) - LOOP_DELAY_RESOLUTION_MS * 1000));
    return {
      event_loop_delay_p50_us: late(h.percentile(50)),
      event_loop_delay_p99_us: late(h.percentile(99)),
      event_loop_delay_max_us: late(h.max),
      rss_bytes: mem.rss,
      heap_used_bytes: mem.heapUsed,
    };
  }
}
