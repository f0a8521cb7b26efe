// The subscriber's receiving side: decodes each frame, dispatches it by stream key (APPID +
// gocbRef + source MAC) to that stream's tracker, counts what is not a GOOSE message, and keeps
// the event latencies. Pure: receive times are passed in (silence is the monitor's judgement).
import type { DecodeErrorCode, DecodeResult, Frame, GooseFrame, NotOurs, SvFrame } from '../../bridge/codec/types.js';
import { utcTimeToMicros } from '../../bridge/codec/index.js';
import { LATENCY_MAX_US, LatencySamples, newLatencyHistogram, newMicrosHistogram } from '../core/latency-samples.js';
import { RepeatFrames } from './repeat-frames.js';
import { StreamTracker, streamKeyId, type StreamKey, type Verdict } from './stream-tracker.js';

export type FrameDecoder = (buf: Uint8Array) => DecodeResult<Frame | NotOurs>;

export interface ReceiverOptions {
  decode: FrameDecoder;
  /**
   * Added to a receive time to get wall-clock µs since 1970, for event latency against the
   * PDU's `t` (0 when receive times are already wall clock, e.g. pcap timestamps).
   */
  wallOffsetUs?: number;
  /** Streams that must appear; those that never do are reported "never seen". */
  expected?: StreamKey[];
  /** Called for every GOOSE message after it was judged (recv log). */
  onMessage?: (tracker: StreamTracker, frame: GooseFrame, rxTimeUs: number, verdict: Verdict) => void;
  /** Called for every decoded Sampled Values frame (the SV side tracks its own streams). */
  onSv?: (frame: SvFrame, rxTimeUs: number) => void;
  /**
   * Retransmissions (the stream's last message again, only sqNum differing) are recognised by
   * their bytes and not decoded again (repeat-frames.ts). Off when the decoder must see every
   * frame (the SCL check).
   */
  skipRepeats?: boolean;
}

export class StreamReceiver {
  readonly streams = new Map<string, StreamTracker>();
  /** Event latencies of the streams that had one. */
  readonly latency = new Map<StreamTracker, LatencySamples>();
  readonly totalLatency = newMicrosHistogram(false);
  readonly decodeErrors = new Map<DecodeErrorCode, number>();
  readonly expected = new Map<string, StreamKey>();
  /** Frames of other EtherTypes, SV and GSE management frames: counted, not judged. */
  notOurs = 0;
  svFrames = 0;
  gseFrames = 0;
  frames = 0;
  /** sqNum-0 messages whose `t` is after their receive time (clocks not shared). */
  negativeLatency = 0;
  firstRxUs = -1;
  lastRxUs = -1;
  private readonly wallOffsetUs: number;
  /** Each stream's last decoded message, for retransmissions; undefined when every frame is decoded. */
  readonly repeats: RepeatFrames<{ tracker: StreamTracker; frame: GooseFrame }> | undefined;

  constructor(private readonly options: ReceiverOptions) {
    this.wallOffsetUs = options.wallOffsetUs ?? 0;
    if (options.skipRepeats) this.repeats = new RepeatFrames();
    for (const k of options.expected ?? []) this.expected.set(streamKeyId(k), k);
  }

  /** One raw Ethernet frame received at rxTimeUs. */
  handleFrame(buf: Uint8Array, rxTimeUs: number): void {
    this.frames++;
    if (this.firstRxUs < 0) this.firstRxUs = rxTimeUs;
    this.lastRxUs = rxTimeUs;
    const repeat = this.repeats?.lookup(buf);
    if (repeat !== undefined) {
      const frame: GooseFrame = { ...repeat.frame, pdu: { ...repeat.frame.pdu, sqNum: this.repeats!.sqNum } };
      this.judgeGoose(repeat.tracker, frame, rxTimeUs);
      return;
    }
    const r = this.options.decode(buf);
    if (!r.ok) {
      this.decodeErrors.set(r.error.code, (this.decodeErrors.get(r.error.code) ?? 0) + 1);
      return;
    }
    const f = r.value;
    if (f.kind === 'goose') {
      const tracker = this.trackerOf(f);
      this.judgeGoose(tracker, f, rxTimeUs);
      this.repeats?.remember(buf, { tracker, frame: f });
    } else if (f.kind === 'sv') this.handleSv(f, rxTimeUs);
    else if (f.kind === 'gse') this.gseFrames++;
    else this.notOurs++;
  }

  private handleSv(frame: SvFrame, rxTimeUs: number): void {
    this.svFrames++;
    this.options.onSv?.(frame, rxTimeUs);
  }

  /** One decoded GOOSE message. */
  handleGoose(frame: GooseFrame, rxTimeUs: number): Verdict {
    return this.judgeGoose(this.trackerOf(frame), frame, rxTimeUs);
  }

  private trackerOf(frame: GooseFrame): StreamTracker {
    const key: StreamKey = { appId: frame.header.appId, gocbRef: frame.pdu.gocbRef, src: frame.eth.src };
    const id = streamKeyId(key);
    let tracker = this.streams.get(id);
    if (tracker === undefined) {
      tracker = new StreamTracker(key);
      this.streams.set(id, tracker);
    }
    return tracker;
  }

  private judgeGoose(tracker: StreamTracker, frame: GooseFrame, rxTimeUs: number): Verdict {
    const verdict = tracker.handle(frame, rxTimeUs);
    if (frame.pdu.sqNum === 0 && (verdict === 'new-state' || verdict === 'first' || verdict === 'state-jump')) {
      // event latency: from the state change (t) to its first frame's arrival
      let us = Math.round(rxTimeUs + this.wallOffsetUs - utcTimeToMicros(frame.pdu.t));
      if (us < 0) {
        this.negativeLatency++;
      } else {
        if (us > LATENCY_MAX_US) us = LATENCY_MAX_US;
        let samples = this.latency.get(tracker);
        if (samples === undefined) this.latency.set(tracker, (samples = new LatencySamples()));
        samples.record(us);
        this.totalLatency.recordValue(us);
      }
    }
    this.options.onMessage?.(tracker, frame, rxTimeUs, verdict);
    return verdict;
  }

  /** Expected streams never seen. */
  neverSeen(): StreamKey[] {
    if (this.expected.size === 0) return [];
    return [...this.expected].filter(([id]) => !this.streams.has(id)).map(([, k]) => k);
  }

  isExpected(tracker: StreamTracker): boolean {
    return this.expected.size === 0 || this.expected.has(streamKeyId(tracker.key));
  }
}
