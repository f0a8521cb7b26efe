// Feeds the frame judge (the monitor around a StreamReceiver) from an interface (packet socket,
// kernel receive timestamps on CLOCK_MONOTONIC) or from a capture file (its timestamps as
// receive times), optionally recording what arrived to a pcap and logging every message's
// receive time. A capture is judged in slices that yield to the event loop, so SIGINT/SIGTERM
// stop it at once. Thin I/O; the CLI builds and prints the report.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { decodeFrame } from '../../bridge/codec/index.js';
import { ETHERTYPE_GOOSE, ETHERTYPE_GSE, ETHERTYPE_SV } from '../../bridge/codec/types.js';
import { PcapWriter, readCapture } from '../../bridge/pcap/index.js';
import { monotonicUs, PacketSocket, type FrameBatch } from '../../native/index.js';
import { LineLogWriter } from '../core/line-log-writer.js';
import { wallMinusMonotonicUs } from '../core/real-time-loop.js';
import type { FrameDecoder, ReceiverOptions, StreamReceiver } from './stream-receiver.js';
import type { StreamKey } from './stream-tracker.js';

export type SubscriberInput = { kind: 'interface'; ifname: string } | { kind: 'pcap'; path: string };

export interface SubscriberRunOptions {
  input: SubscriberInput;
  /** Stop after this long (interface); for a pcap: only frames within this long of the first. */
  durationUs?: number;
  recordPath?: string;
  /** Per-message CSV: rx_us,appid,src_mac,st_num,sq_num,verdict. */
  recvLogPath?: string;
  expected?: StreamKey[];
  onSv?: ReceiverOptions['onSv'];
  signal?: AbortSignal;
  /** Replaces the codec's decodeFrame (the SCL check sees every decoded frame through it). */
  decode?: FrameDecoder;
  /** Called once the socket is open and receiving (tests start the publisher then). */
  onReady?: () => void;
  /** Builds what judges the frames (the monitor, around a StreamReceiver made with these options). */
  judge: (receiverOptions: ReceiverOptions) => FrameJudge;
}

/** What frames and clock ticks are fed to: something that wraps a StreamReceiver. */
export interface FrameJudge {
  readonly receiver: StreamReceiver;
  handleFrame(buf: Uint8Array, rxUs: number): void;
  tick(nowUs: number): void;
}

/** How often silent streams are checked against their TAL (ms). */
export const TICK_INTERVAL_MS = 10;
/**
 * TAL of silent streams is judged against now − this: frames already timestamped by the
 * kernel may still wait in a batch, and must not be declared missing. Arrivals themselves are
 * judged exactly by their receive time.
 */
export const TICK_GRACE_US = 20_000;
/** A capture is judged this many frames at a time between turns of the event loop. */
export const PCAP_SLICE_FRAMES = 2048;

export interface SubscriberRun {
  receiver: StreamReceiver;
  /** Clock of the receive times: CLOCK_MONOTONIC µs (interface) or the capture's wall µs (pcap). */
  clock: 'monotonic' | 'wall';
  /** Kernel-side drops of the packet socket (receive buffer full). */
  kernelDrops: number;
  /** Frames offered to the socket but not judged: the backlog was full, or they were still queued (kernel socket buffer, reader, backlog) when the run stopped. */
  backlogDrops: number;
  aborted: boolean;
}

/** Columns of the per-message --recv-log (docs/results-schema.md). */
export const RECV_LOG_COLUMNS = ['rx_us', 'appid', 'src_mac', 'st_num', 'sq_num', 'verdict'] as const;

/** Received frames are judged for this long (ms) per turn of the event loop, the clock read every SLICE_CHECK_FRAMES. */
const SLICE_MS = 8;
const SLICE_CHECK_FRAMES = 32;
/**
 * Frames waiting to be judged at most (a few seconds of 20,000 streams' heartbeats); beyond,
 * frames are dropped and counted. A judge that far behind will not catch up: copying more only
 * feeds the garbage collector (on a loaded machine GC took a sixth of the run).
 */
export const BACKLOG_MAX_FRAMES = 65_536;
/**
 * At the end of --duration the frames already received are judged for at most this long (ms);
 * the rest are counted as not judged: a judge that fell behind must not push the report out.
 */
export const END_DRAIN_MS = 250;

/** Received batches, copied, judged SLICE_MS at a time per turn of the event loop. */
class BatchBacklog {
  private readonly queue: { data: Buffer; offsets: Uint32Array; lengths: Uint32Array; rx: Float64Array; count: number; next: number }[] = [];
  private queued = 0;
  private scheduled = false;
  private idle: (() => void) | undefined;
  /** Frames handed over by the socket's reader. */
  received = 0;
  dropped = 0;

  constructor(private readonly judge: (frame: Uint8Array, rxUs: number) => void) {}

  push(b: FrameBatch): void {
    this.received += b.count;
    if (this.queued + b.count > BACKLOG_MAX_FRAMES) {
      this.dropped += b.count;
      return;
    }
    const end = b.count > 0 ? b.offsets[b.count - 1]! + b.lengths[b.count - 1]! : 0;
    this.queue.push({ data: Buffer.from(b.data.subarray(0, end)), offsets: b.offsets.slice(0, b.count), lengths: b.lengths.slice(0, b.count), rx: b.rxTimeUs.slice(0, b.count), count: b.count, next: 0 });
    this.queued += b.count;
    this.schedule();
  }

  discard(): void {
    this.dropped += this.queued;
    this.queue.length = 0;
    this.queued = 0;
  }

  /** Resolves when all queued frames were judged, or after `limitMs` with the rest discarded. */
  async drained(limitMs: number): Promise<void> {
    if (this.queued === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.idle = resolve;
      timer = setTimeout(resolve, limitMs);
    });
    clearTimeout(timer);
    this.idle = undefined;
    this.discard();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.run());
  }

  private run(): void {
    this.scheduled = false;
    // a slice ends after SLICE_MS, not after a number of frames: on a loaded machine a frame may
    // take ten times as long, and a signal must still be seen within milliseconds
    const until = performance.now() + SLICE_MS;
    let budget = SLICE_CHECK_FRAMES;
    while (this.queue.length > 0 && (budget > 0 || ((budget = SLICE_CHECK_FRAMES), performance.now() < until))) {
      const q = this.queue[0]!;
      for (; q.next < q.count && budget > 0; q.next++, budget--, this.queued--) {
        const off = q.offsets[q.next]!;
        this.judge(q.data.subarray(off, off + q.lengths[q.next]!), q.rx[q.next]!);
      }
      if (q.next === q.count) this.queue.shift();
    }
    if (this.queue.length > 0) this.schedule();
    else this.idle?.();
  }
}

export async function runSubscriber(opts: SubscriberRunOptions): Promise<SubscriberRun> {
  const live = opts.input.kind === 'interface';
  const log = opts.recvLogPath ? await LineLogWriter.open(opts.recvLogPath, RECV_LOG_COLUMNS.join(',')) : undefined;
  const wallOffset = live ? wallMinusMonotonicUs() : 0;
  const onMessage: ReceiverOptions['onMessage'] = log
    ? (tracker, frame, rx, verdict) => log.line(`${rx},0x${tracker.key.appId.toString(16).padStart(4, '0')},${tracker.key.src},${frame.pdu.stNum},${frame.pdu.sqNum},${verdict}`)
    : undefined;
  const receiverOptions: ReceiverOptions = { decode: opts.decode ?? decodeFrame, wallOffsetUs: wallOffset, expected: opts.expected, onSv: opts.onSv, onMessage };
  const sink = opts.judge(receiverOptions);
  const receiver = sink.receiver;
  const recorder = opts.recordPath ? await PcapWriter.open(opts.recordPath) : undefined;
  try {
    if (opts.input.kind === 'pcap') {
      const cap = await readCapture(opts.input.path);
      const first = cap.frames[0]?.timestampUs ?? 0;
      const end = opts.durationUs === undefined ? Infinity : first + opts.durationUs;
      const frames = cap.frames;
      for (let i = 0; i < frames.length; i++) {
        const f = frames[i]!;
        if (f.timestampUs >= end) break;
        if (i % PCAP_SLICE_FRAMES === 0 && i > 0) {
          await yieldToLoop();
          if (opts.signal?.aborted) return { receiver, clock: 'wall', kernelDrops: 0, backlogDrops: 0, aborted: true };
        }
        sink.tick(f.timestampUs);
        recorder?.write(f.data, f.timestampUs);
        sink.handleFrame(f.data, f.timestampUs);
      }
      return { receiver, clock: 'wall', kernelDrops: 0, backlogDrops: 0, aborted: false };
    }
    const socket = PacketSocket.open(opts.input.ifname, { etherTypes: [ETHERTYPE_GOOSE, ETHERTYPE_SV, ETHERTYPE_GSE] });
    try {
      // Batches are copied and judged in slices on the event loop: when the judge falls behind,
      // the loop still turns (SIGINT is handled at once) and the backlog is bounded.
      const backlog = new BatchBacklog((frame, rx) => {
        recorder?.write(frame, rx + wallOffset);
        sink.handleFrame(frame, rx);
      });
      socket.start((batch) => backlog.push(batch));
      opts.onReady?.();
      const aborted = await new Promise<boolean>((resolve) => {
        const ticker = setInterval(() => sink.tick(monotonicUs() - TICK_GRACE_US), TICK_INTERVAL_MS);
        const stopAt = opts.durationUs === undefined ? undefined : setTimeout(() => done(false), opts.durationUs / 1000);
        const onAbort = (): void => done(true);
        function done(a: boolean): void {
          clearInterval(ticker);
          if (stopAt) clearTimeout(stopAt);
          opts.signal?.removeEventListener('abort', onAbort);
          resolve(a);
        }
        if (opts.signal?.aborted) return done(true);
        opts.signal?.addEventListener('abort', onAbort, { once: true });
      });
      socket.close(); // no batch callback after this returns; its final stats stay readable
      const st = socket.stats();
      // frames the kernel had queued for the socket or the reader had read but not handed over:
      // tp_packets counts every frame the socket was offered, drops included
      const unread = Math.max(0, st.kernelPackets - st.kernelDrops - st.filtered - st.outgoingSkipped - st.truncated - backlog.received);
      // after a signal the run ends now; at the end of --duration within END_DRAIN_MS: what is
      // still queued then is counted, not judged
      if (aborted) backlog.discard();
      else await backlog.drained(END_DRAIN_MS);
      sink.tick(monotonicUs() - TICK_GRACE_US);
      return { receiver, clock: 'monotonic', kernelDrops: st.kernelDrops, backlogDrops: backlog.dropped + unread, aborted };
    } finally {
      socket.close();
    }
  } finally {
    await recorder?.close();
    await log?.close();
  }
}

