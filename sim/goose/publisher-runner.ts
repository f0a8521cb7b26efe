// Runs the publisher engine against real time (frames out of a packet socket on an interface)
// or virtual time (frames into a pcap with the schedule's exact timestamps). Thin I/O around
// the pure engine; the CLI parses options and prints the summary.
//
// Real-time loop: one timer structure (the engine's heap). While the next frame is more than
// TIMER_US away the loop sleeps with setTimeout (whole-ms granularity, so it aims to wake
// ~2 ms early); the last stretch is a futex sleep with sub-ms timeout (sleepUs) and a final
// spin of at most SPIN_US on the clock, so the frame leaves within microseconds of its
// scheduled time without burning a CPU (a spinning process is what the kernel preempts for
// whole time slices when CPUs are shared). |actual − scheduled| of every frame goes into a
// histogram; the clock is the allocation-free fastMonotonicUs (no BigInt per read).
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import { PcapWriter } from '../../bridge/pcap/index.js';
import { PacketSocket } from '../../native/index.js';
import { fastMonotonicUs as monotonicUs, sleepUs } from '../core/monotonic-clock.js';
import { LineLogWriter } from '../core/line-log-writer.js';
import { PublisherEngine, type EngineConfig, type FrameSink } from './publisher-engine.js';

export const TIMER_US = 3000;
export const SPIN_US = 100;
/**
 * Delay between start-up and the first frame of a real-time run: time to encode every initial
 * state (~50 µs per publisher measured; 3× that for a loaded machine) plus a margin.
 */
export function startLeadUs(publishers: number): number {
  return 200_000 + 150 * publishers;
}

export type PublisherOutput = { kind: 'interface'; ifname: string } | { kind: 'pcap'; path: string; startWallUs?: number };

export interface PublisherRunOptions {
  engine: EngineConfig;
  output: PublisherOutput;
  /** Per-frame CSV: publisher,appid,src_mac,st_num,sq_num,scheduled_us,sent_us. */
  sendLogPath?: string;
  /** Stops a real-time run early (SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Replaces the packet socket (benchmarks measure the scheduler with a no-op sink). */
  sendFrame?: (frame: Buffer) => boolean;
}

export interface PublisherSummary {
  output: 'interface' | 'pcap' | 'custom';
  publishers: number;
  frames: number;
  events: number;
  send_failures: number;
  duration_us: number;
  frames_per_s: number;
  /** |actual − scheduled| send time (real time only; 0 in virtual time). */
  send_error_p50_us: number;
  send_error_p97_5_us: number;
  send_error_p99_us: number;
  send_error_p99_9_us: number;
  send_error_max_us: number;
  /** Clock of the send log's times: CLOCK_MONOTONIC µs (interface) or wall µs since 1970 (pcap). */
  clock: 'monotonic' | 'wall';
  aborted: boolean;
}

function newErrorHistogram(): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
}

/** Wall clock minus monotonic clock, µs: maps send/receive times to the PDU's `t`. */
export function wallMinusMonotonicUs(): number {
  // performance.now() runs on the monotonic clock from timeOrigin (a wall-clock instant).
  const mono = monotonicUs();
  const wall = Math.round((performance.timeOrigin + performance.now()) * 1000);
  return wall - mono;
}

/** Columns of the per-frame --send-log (docs/results-schema.md). */
export const SEND_LOG_COLUMNS = ['publisher', 'appid', 'src_mac', 'st_num', 'sq_num', 'scheduled_us', 'sent_us'] as const;

export async function runPublisher(opts: PublisherRunOptions): Promise<PublisherSummary> {
  const ids = opts.engine.identities;
  const log = opts.sendLogPath ? await LineLogWriter.open(opts.sendLogPath, SEND_LOG_COLUMNS.join(',')) : undefined;
  const appIdHex = ids.map((id) => `0x${id.appId.toString(16).padStart(4, '0')}`);
  const errors = newErrorHistogram();
  let failures = 0;
  try {
    if (opts.output.kind === 'pcap') {
      return await runVirtual(opts, opts.output, log, appIdHex);
    }
    let socket: PacketSocket | undefined;
    let send = opts.sendFrame;
    if (!send) {
      const s = PacketSocket.open(opts.output.ifname, { etherTypes: [] });
      socket = s;
      send = (f) => s.send(f);
    }
    try {
      // a moment to encode every initial state and warm the hot path before the first frame
      const start = monotonicUs() + startLeadUs(ids.length);
      const engine = new PublisherEngine(opts.engine, start, start + wallMinusMonotonicUs());
      engine.warmUp();
      const sink: FrameSink = (frame, p, st, sq, scheduled) => {
        const now = monotonicUs();
        if (!send(frame)) failures++;
        const err = Math.abs(now - scheduled);
        errors.recordValue(err > 60_000_000 ? 60_000_000 : err);
        if (log) log.line(`${p},${appIdHex[p]},${ids[p]!.src},${st},${sq},${scheduled},${now}`);
      };
      const aborted = await realTimeLoop(() => engine.nextDueUs(), (now) => engine.runDue(now, sink), opts.signal);
      const duration = monotonicUs() - start;
      return summary(opts.sendFrame ? 'custom' : 'interface', engine, failures, duration, errors, 'monotonic', aborted);
    } finally {
      socket?.close();
    }
  } finally {
    await log?.close();
  }
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

async function runVirtual(opts: PublisherRunOptions, out: { path: string; startWallUs?: number }, log: LineLogWriter | undefined, appIdHex: string[]): Promise<PublisherSummary> {
  const cfg = opts.engine;
  if (cfg.durationUs === undefined && cfg.countPerPublisher === undefined) {
    throw new RangeError('a --pcap run needs --duration or --count (virtual time would never end)');
  }
  const startWall = out.startWallUs ?? Math.floor(Date.now() / 1000) * 1_000_000;
  const writer = await PcapWriter.open(out.path);
  const ids = cfg.identities;
  // virtual time: the engine clock IS wall time, so pcap timestamps are the schedule's
  const engine = new PublisherEngine(cfg, startWall, startWall);
  let lastScheduled = startWall;
  const sink: FrameSink = (frame, p, st, sq, scheduled) => {
    writer.write(frame, scheduled);
    lastScheduled = scheduled;
    if (log) log.line(`${p},${appIdHex[p]},${ids[p]!.src},${st},${sq},${scheduled},${scheduled}`);
  };
  await runVirtualTime(engine, sink, writer);
  return summary('pcap', engine, 0, cfg.durationUs ?? lastScheduled - startWall, undefined, 'wall', false);
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

function summary(
  output: PublisherSummary['output'],
  engine: PublisherEngine,
  failures: number,
  durationUs: number,
  errors: Histogram | undefined,
  clock: PublisherSummary['clock'],
  aborted: boolean,
): PublisherSummary {
  const q = (p: number): number => (errors && errors.totalCount > 0 ? errors.getValueAtPercentile(p) : 0);
  return {
    output,
    publishers: engine.config.identities.length,
    frames: engine.totalFrames,
    events: engine.totalEvents,
    send_failures: failures,
    duration_us: durationUs,
    frames_per_s: durationUs > 0 ? Math.round((engine.totalFrames * 1e6) / durationUs) : 0,
    send_error_p50_us: q(50),
    send_error_p97_5_us: q(97.5),
    send_error_p99_us: q(99),
    send_error_p99_9_us: q(99.9),
    send_error_max_us: errors && errors.totalCount > 0 ? errors.maxValue : 0,
    clock,
    aborted,
  };
}

export function formatPublisherSummary(s: PublisherSummary): string {
  const lines = [
    `publishers ${s.publishers}, frames ${s.frames} (${s.frames_per_s}/s), events ${s.events}, send failures ${s.send_failures}, duration ${(s.duration_us / 1e6).toFixed(3)} s${s.aborted ? ' (stopped early)' : ''}`,
  ];
  if (s.output !== 'pcap') {
    lines.push(`send time error |actual − scheduled|: p50 ${s.send_error_p50_us} µs, p99 ${s.send_error_p99_us} µs, p99.9 ${s.send_error_p99_9_us} µs, max ${s.send_error_max_us} µs`);
  }
  return `${lines.join('\n')}\n`;
}
