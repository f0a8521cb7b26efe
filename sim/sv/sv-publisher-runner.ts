// Runs the SV publisher engine against real time (one sendmmsg per sample instant on a packet
// socket) or virtual time (a pcap with the grid's exact timestamps). Real time: the sample grid
// is CLOCK_MONOTONIC, so smpCnt 0 leaves at each whole second of that clock and a subscriber on
// the same host can tell each sample's age; the wait before a batch is core/real-time-loop.ts's
// (timer, futex sleep, short spin). The send error of a frame is
// |time sendmmsg returned − scheduled|: an upper bound for every frame of the batch.
import { PcapWriter } from '../../bridge/pcap/index.js';
import { PacketSocket } from '../../native/index.js';
import { fastMonotonicUs as monotonicUs } from '../core/monotonic-clock.js';
import { formatSendErrors, NO_SEND_ERRORS, realTimeLoop, runVirtualTime, SendErrors, virtualStartWallUs, wallMinusMonotonicUs, type PublisherOutput, type SendErrorPercentiles } from '../core/real-time-loop.js';
import { isoUtcUs } from './sv-report.js';
import { SvPublisherEngine, type SvBatchSink, type SvEngineConfig } from './sv-publisher-engine.js';

/** Delay before the first frame of a real-time run (encode templates, warm the hot path). */
const START_LEAD_US = 300_000;
/**
 * Spin before each instant: a sample instant every 250 µs would make the GOOSE publisher's
 * 100 µs spin 40 % of a CPU, which a loaded machine's scheduler punishes with whole time
 * slices of delay; the futex sleep does most of the waiting instead.
 */
const SV_SPIN_US = 25;

export interface SvPublisherRunOptions {
  engine: SvEngineConfig;
  output: PublisherOutput;
  signal?: AbortSignal;
  /** Replaces the packet socket (the benchmark measures the scheduler alone). */
  sendBatch?: (frames: Buffer[]) => number;
}

export interface SvPublisherSummary extends SendErrorPercentiles {
  output: 'interface' | 'pcap' | 'custom';
  streams: number;
  samples_per_s: number;
  asdus_per_frame: number;
  frames: number;
  /** Frames the kernel refused (queue full): lost at the source. */
  send_failures: number;
  duration_us: number;
  frames_per_s: number;
  /** Batches (one per sample instant) and the most frames a single wake-up sent (backlog). */
  batches: number;
  max_batch_frames: number;
  /** The fault's first sample: its smpCnt and its index since the stream's first sample (-1 without a fault). */
  fault_smp_cnt: number;
  fault_sample_index: number;
  /** Scheduled instant of the fault's first sample, wall clock: ISO-8601 UTC with µs and µs since the epoch ('' / -1 without). */
  fault_utc: string;
  fault_utc_us: number;
  clock: 'monotonic' | 'wall';
  aborted: boolean;
}

export async function runSvPublisher(opts: SvPublisherRunOptions): Promise<SvPublisherSummary> {
  if (opts.output.kind === 'pcap') return runVirtual(opts.engine, opts.output);
  let socket: PacketSocket | undefined;
  let send = opts.sendBatch;
  if (!send) {
    const s = PacketSocket.open(opts.output.ifname, { etherTypes: [] });
    socket = s;
    send = (frames) => s.sendMany(frames);
  }
  try {
    const errors = new SendErrors();
    const engine = new SvPublisherEngine(opts.engine, 0, monotonicUs() + START_LEAD_US);
    const sendAll = send;
    let failures = 0;
    let batches = 0;
    let maxBatch = 0;
    let wakeFrames = 0;
    const sink: SvBatchSink = (frames, scheduled) => {
      failures += frames.length - sendAll(frames);
      errors.record(monotonicUs() - scheduled, frames.length);
      batches++;
      wakeFrames += frames.length;
    };
    const startUs = engine.sampleUs(engine.firstSample);
    const aborted = await realTimeLoop(() => engine.nextDueUs(), (now) => {
      wakeFrames = 0;
      engine.runDue(now, sink);
      if (wakeFrames > maxBatch) maxBatch = wakeFrames;
    }, opts.signal, SV_SPIN_US);
    const s = summary(opts.sendBatch ? 'custom' : 'interface', engine, monotonicUs() - startUs, errors, 'monotonic', wallMinusMonotonicUs(), aborted);
    return { ...s, send_failures: failures, batches, max_batch_frames: maxBatch };
  } finally {
    socket?.close();
  }
}

async function runVirtual(cfg: SvEngineConfig, out: { path: string; startWallUs?: number }): Promise<SvPublisherSummary> {
  // virtual time: the grid origin is a whole wall-clock second, so the first frame has smpCnt 0
  const startWall = virtualStartWallUs(out, { durationUs: cfg.durationUs, count: cfg.countPerStream });
  const writer = await PcapWriter.open(out.path);
  const engine = new SvPublisherEngine(cfg, startWall, startWall);
  let batches = 0;
  const sink: SvBatchSink = (frames, scheduled) => {
    const at = Math.round(scheduled);
    for (const f of frames) writer.write(f, at);
    batches++;
  };
  await runVirtualTime(engine, sink, writer);
  const duration = engine.framesPerStream * cfg.asdusPerFrame * (1e6 / cfg.samplesPerSecond);
  return { ...summary('pcap', engine, duration, undefined, 'wall', 0, false), batches, max_batch_frames: cfg.streams.length };
}

function summary(
  output: SvPublisherSummary['output'],
  engine: SvPublisherEngine,
  durationUs: number,
  errors: SendErrors | undefined,
  clock: SvPublisherSummary['clock'],
  /** Wall-clock µs minus the engine clock's µs: 0 when the engine runs on wall-clock time (pcap). */
  wallOffsetUs: number,
  aborted: boolean,
): SvPublisherSummary {
  const cfg = engine.config;
  const fault = engine.faultSample;
  const faulted = Number.isFinite(fault);
  const faultUtcUs = faulted ? Math.round(engine.sampleUs(fault) + wallOffsetUs) : -1;
  return {
    output,
    streams: cfg.streams.length,
    samples_per_s: cfg.samplesPerSecond,
    asdus_per_frame: cfg.asdusPerFrame,
    frames: engine.totalFrames,
    send_failures: 0,
    duration_us: Math.round(durationUs),
    frames_per_s: durationUs > 0 ? Math.round((engine.totalFrames * 1e6) / durationUs) : 0,
    batches: 0,
    max_batch_frames: 0,
    ...(errors?.percentiles() ?? NO_SEND_ERRORS),
    fault_smp_cnt: faulted ? fault % cfg.samplesPerSecond : -1,
    fault_sample_index: faulted ? fault - engine.firstSample : -1,
    fault_utc: faulted ? isoUtcUs(faultUtcUs) : '',
    fault_utc_us: faultUtcUs,
    clock,
    aborted,
  };
}

export function formatSvPublisherSummary(s: SvPublisherSummary): string {
  const lines = [
    `SV streams ${s.streams} × ${s.samples_per_s} samples/s (${s.asdus_per_frame} ASDU/frame), frames ${s.frames} (${s.frames_per_s}/s), send failures ${s.send_failures}, duration ${(s.duration_us / 1e6).toFixed(3)} s${s.aborted ? ' (stopped early)' : ''}`,
  ];
  if (s.fault_sample_index >= 0) {
    lines.push(`fault at ${s.fault_utc} (UTC, scheduled send time): smpCnt ${s.fault_smp_cnt} = sample ${s.fault_sample_index} since stream start (${(s.fault_sample_index / s.samples_per_s).toFixed(4)} s)`);
  }
  if (s.output !== 'pcap') {
    lines.push(`${formatSendErrors(s)}; ${s.batches} batches, largest wake-up ${s.max_batch_frames} frames`);
  }
  return `${lines.join('\n')}\n`;
}
