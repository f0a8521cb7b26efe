// The publishers' clockwork, GOOSE and SV alike: a real-time loop that sends each frame within
// microseconds of its scheduled time, a virtual-time run into a pcap, and the send-time error
// histogram both report.
//
// Real-time loop: one timer structure (the engine's heap). While the next frame is more than
// TIMER_US away the loop sleeps with setTimeout (whole-ms granularity, so it aims to wake
// ~2 ms early); the last stretch is a futex sleep with sub-ms timeout (sleepUs) and a final
// spin of at most SPIN_US on the clock, so the frame leaves within microseconds of its
// scheduled time without burning a CPU (a spinning process is what the kernel preempts for
// whole time slices when CPUs are shared). The clock is the allocation-free fastMonotonicUs
// (no BigInt per read).
import type { Histogram } from 'hdr-histogram-js';
import type { PcapWriter } from '../../bridge/pcap/index.js';
import { LATENCY_MAX_US, newMicrosHistogram } from './latency-samples.js';
import { fastMonotonicUs as monotonicUs, sleepUs } from './monotonic-clock.js';

export const TIMER_US = 3000;
export const SPIN_US = 100;

export type PublisherOutput = { kind: 'interface'; ifname: string } | { kind: 'pcap'; path: string; startWallUs?: number };

/** Wall clock minus monotonic clock, µs: maps send/receive times to the PDU's `t`. */
export function wallMinusMonotonicUs(): number {
  // performance.now() runs on the monotonic clock from timeOrigin (a wall-clock instant).
  const mono = monotonicUs();
  const wall = Math.round((performance.timeOrigin + performance.now()) * 1000);
  return wall - mono;
}

/**
 * Calls runDue at each due time until nextDueUs says Infinity (false) or the signal aborts (true).
 * `spinUs`: the last stretch spent spinning on the clock (more: punctual; less: less CPU).
 */
export function realTimeLoop(nextDueUs: () => number, runDue: (nowUs: number) => void, signal: AbortSignal | undefined, spinUs = SPIN_US): Promise<boolean> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      if (timer) clearTimeout(timer);
      resolve(true);
    };
    if (signal?.aborted) return resolve(true);
    signal?.addEventListener('abort', onAbort, { once: true });
    const step = (): void => {
      timer = undefined;
      if (signal?.aborted) return;
      const next = nextDueUs();
      if (next === Infinity) {
        signal?.removeEventListener('abort', onAbort);
        resolve(false);
        return;
      }
      let now = monotonicUs();
      const wait = next - now;
      if (wait > TIMER_US) {
        timer = setTimeout(step, Math.max(1, Math.floor((wait - 2000) / 1000)));
        return;
      }
      if (wait > spinUs + 50) {
        sleepUs(wait - spinUs);
        now = monotonicUs();
      }
      while (now < next) now = monotonicUs();
      runDue(now);
      // yield to I/O and signals between bursts
      setImmediate(step);
    };
    step();
  });
}

/**
 * The wall-clock start of a virtual-time run: the --start-time given, else now on a whole second.
 * A run without an end is refused (virtual time would never stop).
 */
export function virtualStartWallUs(out: { startWallUs?: number }, end: { durationUs?: number; count?: number }): number {
  if (end.durationUs === undefined && end.count === undefined) {
    throw new RangeError('a --pcap run needs --duration or --count (virtual time would never end)');
  }
  return out.startWallUs ?? Math.floor(Date.now() / 1000) * 1_000_000;
}

/** Runs an engine to its end in virtual time into a pcap writer (flushed as it goes, closed at the end). */
export async function runVirtualTime<S>(engine: { readonly done: boolean; nextDueUs(): number; runDue(nowUs: number, sink: S): number }, sink: S, writer: PcapWriter): Promise<void> {
  try {
    let sinceFlush = 0;
    while (!engine.done) {
      sinceFlush += engine.runDue(engine.nextDueUs(), sink);
      if (sinceFlush >= 65536) {
        sinceFlush = 0;
        await writer.flush(); // bound memory on long runs
      }
    }
  } finally {
    await writer.close();
  }
}

/** |actual − scheduled| send times, µs (values past a minute are recorded as a minute). */
export class SendErrors {
  private readonly histogram = newMicrosHistogram(false);

  record(errorUs: number, frames = 1): void {
    this.histogram.recordValueWithCount(Math.min(LATENCY_MAX_US, Math.round(Math.abs(errorUs))), frames);
  }

  /** The summary's send-error fields (all 0 without a value, as in virtual time). */
  percentiles(): SendErrorPercentiles {
    return sendErrorPercentiles(this.histogram);
  }
}

export interface SendErrorPercentiles {
  send_error_p50_us: number;
  send_error_p97_5_us: number;
  send_error_p99_us: number;
  send_error_p99_9_us: number;
  send_error_max_us: number;
}

/** The send-error fields of a run without a real-time clock (virtual time). */
export const NO_SEND_ERRORS: SendErrorPercentiles = sendErrorPercentiles(undefined);

function sendErrorPercentiles(h: Histogram | undefined): SendErrorPercentiles {
  const q = (p: number): number => (h && h.totalCount > 0 ? h.getValueAtPercentile(p) : 0);
  return {
    send_error_p50_us: q(50),
    send_error_p97_5_us: q(97.5),
    send_error_p99_us: q(99),
    send_error_p99_9_us: q(99.9),
    send_error_max_us: h && h.totalCount > 0 ? h.maxValue : 0,
  };
}

/** The summary line of the send-time error, shared by the publishers' text summaries. */
export function formatSendErrors(s: SendErrorPercentiles): string {
  return `send time error |actual − scheduled|: p50 ${s.send_error_p50_us} µs, p99 ${s.send_error_p99_us} µs, p99.9 ${s.send_error_p99_9_us} µs, max ${s.send_error_max_us} µs`;
}
