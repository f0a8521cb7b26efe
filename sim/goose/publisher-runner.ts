// Runs the publisher engine against real time (frames out of a packet socket on an interface)
// or virtual time (frames into a pcap with the schedule's exact timestamps). Thin I/O around
// the pure engine; the CLI parses options and prints the summary.
//
// Real-time loop and virtual time: core/real-time-loop.ts. |actual − scheduled| of every frame
// goes into a histogram.
import { PcapWriter } from '../../bridge/pcap/index.js';
import { PacketSocket } from '../../native/index.js';
import { fastMonotonicUs as monotonicUs } from '../core/monotonic-clock.js';
import { formatSendErrors, NO_SEND_ERRORS, realTimeLoop, runVirtualTime, SendErrors, virtualStartWallUs, wallMinusMonotonicUs, type PublisherOutput, type SendErrorPercentiles } from '../core/real-time-loop.js';
import { LineLogWriter } from '../core/line-log-writer.js';
import { PublisherEngine, type EngineConfig, type FrameSink } from './publisher-engine.js';

/**
 * Delay between start-up and the first frame of a real-time run: time to encode every initial
 * state (~50 µs per publisher measured; 3× that for a loaded machine) plus a margin.
 */
export function startLeadUs(publishers: number): number {
  return 200_000 + 150 * publishers;
}

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

export interface PublisherSummary extends SendErrorPercentiles {
  output: 'interface' | 'pcap' | 'custom';
  publishers: number;
  frames: number;
  events: number;
  send_failures: number;
  duration_us: number;
  frames_per_s: number;
  /** Clock of the send log's times: CLOCK_MONOTONIC µs (interface) or wall µs since 1970 (pcap). */
  clock: 'monotonic' | 'wall';
  aborted: boolean;
}

/** Columns of the per-frame --send-log (docs/results-schema.md). */
export const SEND_LOG_COLUMNS = ['publisher', 'appid', 'src_mac', 'st_num', 'sq_num', 'scheduled_us', 'sent_us'] as const;

export async function runPublisher(opts: PublisherRunOptions): Promise<PublisherSummary> {
  const ids = opts.engine.identities;
  const log = opts.sendLogPath ? await LineLogWriter.open(opts.sendLogPath, SEND_LOG_COLUMNS.join(',')) : undefined;
  const appIdHex = ids.map((id) => `0x${id.appId.toString(16).padStart(4, '0')}`);
  const errors = new SendErrors();
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
        errors.record(now - scheduled);
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

async function runVirtual(opts: PublisherRunOptions, out: { path: string; startWallUs?: number }, log: LineLogWriter | undefined, appIdHex: string[]): Promise<PublisherSummary> {
  const cfg = opts.engine;
  const startWall = virtualStartWallUs(out, { durationUs: cfg.durationUs, count: cfg.countPerPublisher });
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

function summary(
  output: PublisherSummary['output'],
  engine: PublisherEngine,
  failures: number,
  durationUs: number,
  errors: SendErrors | undefined,
  clock: PublisherSummary['clock'],
  aborted: boolean,
): PublisherSummary {
  return {
    output,
    publishers: engine.config.identities.length,
    frames: engine.totalFrames,
    events: engine.totalEvents,
    send_failures: failures,
    duration_us: durationUs,
    frames_per_s: durationUs > 0 ? Math.round((engine.totalFrames * 1e6) / durationUs) : 0,
    ...(errors?.percentiles() ?? NO_SEND_ERRORS),
    clock,
    aborted,
  };
}

export function formatPublisherSummary(s: PublisherSummary): string {
  const lines = [
    `publishers ${s.publishers}, frames ${s.frames} (${s.frames_per_s}/s), events ${s.events}, send failures ${s.send_failures}, duration ${(s.duration_us / 1e6).toFixed(3)} s${s.aborted ? ' (stopped early)' : ''}`,
  ];
  if (s.output !== 'pcap') {
    lines.push(formatSendErrors(s));
  }
  return `${lines.join('\n')}\n`;
}
