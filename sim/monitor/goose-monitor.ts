// The GOOSE monitor's judgement layer: wraps the subscriber's StreamReceiver (which decodes,
// dispatches by stream and counts) and turns what it judged into timestamped events, one per
// anomaly, the way a substation message analyzer logs them. Pure: frames and receive times come
// in through handleFrame(buf, rxUs), silence is judged by tick(nowUs) with the caller's clock,
// events go out through a callback.
//
// Silence: a stream whose next valid frame arrives after its TAL is "tal-expired" (a late frame, with
// how late it was). A stream silent for TAL + grace while frames of other streams keep arriving
// is "stopped", once, until it sends again ("resumed"). When everything goes silent
// together (the run ended, the capture ended) nothing is reported. Silence is found through a
// heap of deadlines (TAL + grace after each stream's last valid frame), so a tick costs
// O(streams due · log n), not a walk over every stream: 100,000 streams stay cheap.
import { decodeFrame, formatDecodeError, peekFrameHeader, utcTimeToMicros } from '../../bridge/codec/index.js';
import type { Data, DecodeError, DecodeResult, Frame, GooseFrame, NotOurs } from '../../bridge/codec/types.js';
import { RESERVED1_SIMULATION_BIT } from '../../bridge/codec/types.js';
import { forwardDistance } from '../core/sequence-numbers.js';
import { TimerHeap } from '../core/timer-heap.js';
import { StreamReceiver, type ReceiverOptions } from '../goose/stream-receiver.js';
import { emptyCounters, type StreamCounters, type StreamKey, type StreamTracker, type Verdict } from '../goose/stream-tracker.js';
import { changedEntries } from './dataset-diff.js';
import { CHANGES_KEPT, memberChanges, type DatasetLayout, type MemberNames, type StateChange } from './dataset-values.js';
import type { EventKind } from './event-kinds.js';
import { EVENT_KINDS } from './event-kinds.js';
import { isoMicros, makeEvent, type MonitorEvent } from './monitor-event.js';

export interface MonitorOptions {
  /** Silence beyond TAL + this (µs), with other streams arriving, makes a stream "stopped". */
  graceUs: number;
  /** Receive time + this = wall-clock µs since 1970 (0 when receive times are wall clock). */
  wallOffsetUs?: number;
  /** First frame of a new state later than this after its `t` (µs) is a transfer-time event; off when undefined. */
  transferThresholdUs?: number;
  expected?: StreamKey[];
  /** Also log every state change (info) with the members that changed and their values. */
  logStateChanges?: boolean;
  /** Dataset layouts by gocbRef (from --scl); members are named `[i]` by position otherwise. */
  memberNames?: MemberNames;
  /** Called with every GOOSE message after it was judged (the subscriber's receive log). */
  onMessage?: (tracker: StreamTracker, frame: GooseFrame, rxUs: number, verdict: Verdict) => void;
  onEvent: (e: MonitorEvent) => void;
  /** The decoder (the SCL check wraps the codec's) and the SV hook, passed to the receiver. */
  decode?: ReceiverOptions['decode'];
  onSv?: ReceiverOptions['onSv'];
}

/** The monitor's view of one stream, next to the tracker's counters. */
export interface StreamWatch {
  readonly tracker: StreamTracker;
  /** Index in the monitor's deadline heap. */
  readonly id: number;
  /** Past TAL + grace, waiting for another stream's frame to tell a stop from the end of the run. */
  pending: boolean;
  expected: boolean;
  stopped: boolean;
  /** Receive time and TAL of the last valid message: the TAL countdown runs from it. */
  lastValidUs: number;
  talMs: number;
  /** Newest stNum/sqNum before the current message. */
  st: number;
  sq: number;
  /** confRev and dataset shape before the current message. */
  confRev: number;
  shape: string;
  lastData: Data[] | undefined;
  /** Dataset layout (SCL member names, structures leaf by leaf), undefined: by position. */
  names: DatasetLayout | undefined;
  lastChangeUs: number;
  /** The last state changes, newest last (at most CHANGES_KEPT). */
  lastChanges: StateChange[];
  ndsCom: boolean;
  simulationBit: boolean;
  testFlag: boolean;
  /** Events of this stream by kind. */
  counts: Partial<Record<EventKind, number>>;
  /** Events of the anomaly group (tal-expired, stopped, … are counted by kind only). */
  anomalies: number;
  lastEventKind: EventKind | undefined;
  /** Messages per second over the last rate sample. */
  fps: number;
  prev: StreamCounters;
  rateMessages: number;
  rateAtUs: number;
}

/** Streams whose deadline passed, judged per tick at most. */
export const STOP_CHECKS_PER_TICK = 2000;

const ACCEPTED: ReadonlySet<Verdict> = new Set(['first', 'in-order', 'new-state', 'gap', 'state-jump', 'st-backwards']);

export class GooseMonitor {
  readonly receiver: StreamReceiver;
  readonly watches = new Map<StreamTracker, StreamWatch>();
  /** Events so far by kind (stream-less ones included). */
  readonly counts = new Map<EventKind, number>();
  private readonly wallOffsetUs: number;
  private readonly byId: StreamWatch[] = [];
  /** Per stream: its last valid frame + TAL + grace. */
  private readonly deadlines = new TimerHeap(0, true);
  private readonly pending = new Set<StreamWatch>();
  private pendingCheckedAtUs = -1;
  private lastDecode: DecodeResult<Frame | NotOurs> | undefined;

  constructor(private readonly opts: MonitorOptions) {
    this.wallOffsetUs = opts.wallOffsetUs ?? 0;
    this.receiver = new StreamReceiver({
      decode: (buf) => (this.lastDecode = (opts.decode ?? decodeFrame)(buf)),
      // retransmissions need no decode unless a wrapping decoder (the SCL check) must see each
      skipRepeats: (opts.decode ?? decodeFrame) === decodeFrame,
      ...(opts.onSv !== undefined ? { onSv: opts.onSv } : {}),
      wallOffsetUs: this.wallOffsetUs,
      expected: opts.expected,
      onMessage: (tracker, frame, rx, verdict) => {
        this.judge(tracker, frame, rx, verdict);
        opts.onMessage?.(tracker, frame, rx, verdict);
      },
    });
  }

  /** One raw Ethernet frame received at rxUs (the receive clock). */
  handleFrame(buf: Uint8Array, rxUs: number): void {
    this.lastDecode = undefined;
    this.receiver.handleFrame(buf, rxUs);
    const r = this.lastDecode as DecodeResult<Frame | NotOurs> | undefined;
    if (r !== undefined && !r.ok) this.malformed(buf, rxUs, r.error);
  }

  /** Judges silence against the caller's clock (call a few times a second or per frame). */
  tick(nowUs: number): void {
    const lastAnyUs = this.receiver.lastRxUs;
    if (this.pending.size > 0 && lastAnyUs !== this.pendingCheckedAtUs) {
      this.pendingCheckedAtUs = lastAnyUs;
      for (const w of this.pending) this.judgeStop(w, nowUs, lastAnyUs);
    }
    // a bounded slice per tick: 100,000 streams falling silent at once are judged over a few
    // ticks instead of blocking the event loop (and SIGINT) for seconds
    for (let n = 0; n < STOP_CHECKS_PER_TICK && this.deadlines.peekTime() < nowUs; n++) {
      const w = this.byId[this.deadlines.pop()]!;
      w.pending = true;
      this.pending.add(w);
      this.judgeStop(w, nowUs, lastAnyUs);
    }
  }

  /** Stopped when others arrived after this stream's TAL ran out: a run that ends is not a loss. */
  private judgeStop(w: StreamWatch, nowUs: number, lastAnyUs: number): void {
    const deadline = w.lastValidUs + w.talMs * 1000;
    if (!(lastAnyUs > deadline && lastAnyUs > w.tracker.lastRxUs)) return;
    this.unpend(w);
    w.stopped = true;
    this.emit(w, 'stopped', nowUs, { st: w.st, sq: w.sq }, {
      tal_ms: w.talMs,
      grace_ms: this.opts.graceUs / 1000,
      silent_ms: round3((nowUs - w.lastValidUs) / 1000),
      last_valid_time: this.iso(w.lastValidUs),
    });
  }

  private unpend(w: StreamWatch): void {
    if (!w.pending) return;
    w.pending = false;
    this.pending.delete(w);
  }

  /** End of the run: expected streams never seen become events (at the last receive time). */
  finish(nowUs: number): void {
    for (const k of this.receiver.neverSeen()) {
      this.record(makeEvent('never-seen', this.at(nowUs), k, null, {}));
    }
  }

  /** Updates each stream's frames/s from the messages since the previous call. */
  sampleRates(nowUs: number): void {
    for (const w of this.watches.values()) {
      const m = w.tracker.counters.messages;
      const dt = nowUs - w.rateAtUs;
      if (dt >= 100_000) {
        w.fps = ((m - w.rateMessages) * 1e6) / dt;
        w.rateMessages = m;
        w.rateAtUs = nowUs;
      }
    }
  }

  private watch(tracker: StreamTracker, rxUs: number): StreamWatch {
    let w = this.watches.get(tracker);
    if (w === undefined) {
      w = {
        tracker,
        id: this.byId.length,
        pending: false,
        expected: this.receiver.isExpected(tracker),
        stopped: false,
        lastValidUs: -1,
        talMs: 0,
        st: 0,
        sq: 0,
        confRev: 0,
        shape: '',
        lastData: undefined,
        names: this.opts.memberNames?.(tracker.key.gocbRef),
        lastChangeUs: -1,
        lastChanges: [],
        ndsCom: false,
        simulationBit: false,
        testFlag: false,
        counts: {},
        anomalies: 0,
        lastEventKind: undefined,
        fps: 0,
        prev: emptyCounters(),
        rateMessages: 0,
        rateAtUs: rxUs,
      };
      this.watches.set(tracker, w);
      this.byId.push(w);
    }
    return w;
  }

  private judge(tracker: StreamTracker, frame: GooseFrame, rx: number, verdict: Verdict): void {
    const w = this.watch(tracker, rx);
    const pdu = frame.pdu;
    const c = tracker.counters;
    const seq = { st: pdu.stNum, sq: pdu.sqNum };
    if (verdict === 'first' && !w.expected) this.emit(w, 'unexpected-stream', rx, seq, { go_id: pdu.goID ?? '', dat_set: pdu.datSet });
    if (ACCEPTED.has(verdict) && w.lastValidUs >= 0) this.judgeSilence(w, rx, seq);
    this.judgeSequence(w, verdict, rx, seq, c.lost - w.prev.lost);
    if (c.confRevChanges > w.prev.confRevChanges) this.emit(w, 'conf-rev-change', rx, seq, { conf_rev_before: w.confRev, conf_rev: pdu.confRev });
    if (c.datasetChanges > w.prev.datasetChanges) {
      this.emit(w, 'dataset-change', rx, seq, { shape_before: w.shape, shape: tracker.lastShape, differs_from_first: tracker.datasetDiffersFromFirst });
    }
    if (c.entryCountMismatches > w.prev.entryCountMismatches) this.emit(w, 'entry-count-mismatch', rx, seq, { num_dat_set_entries: pdu.numDatSetEntries, all_data_entries: pdu.allData.length });
    const simBit = (frame.header.reserved1 & RESERVED1_SIMULATION_BIT) !== 0;
    if (pdu.ndsCom && !w.ndsCom) this.emit(w, 'nds-com', rx, seq, {});
    if (simBit && !w.simulationBit) this.emit(w, 'simulation', rx, seq, { reserved1: `0x${frame.header.reserved1.toString(16).padStart(4, '0')}` });
    if (pdu.simulation && !w.testFlag) this.emit(w, 'test', rx, seq, {});
    w.ndsCom = pdu.ndsCom;
    w.simulationBit = simBit;
    w.testFlag = pdu.simulation;
    if (verdict === 'new-state' || verdict === 'state-jump' || verdict === 'st-backwards') this.judgeStateChange(w, frame, rx, seq, verdict);
    if (ACCEPTED.has(verdict)) {
      w.lastValidUs = rx;
      w.talMs = pdu.timeAllowedToLive;
      w.stopped = false;
      w.lastData = pdu.allData;
      this.unpend(w);
      this.deadlines.schedule(w.id, rx + w.talMs * 1000 + this.opts.graceUs);
    }
    if (w.lastChangeUs < 0) w.lastChangeUs = rx;
    w.st = tracker.stNum;
    w.sq = tracker.sqHigh;
    w.confRev = tracker.confRev;
    w.shape = tracker.lastShape;
    Object.assign(w.prev, c);
  }

  /** A valid frame after the stream's TAL: late (an anomaly) or back after being stopped. */
  private judgeSilence(w: StreamWatch, rx: number, seq: { st: number; sq: number }): void {
    const deadline = w.lastValidUs + w.talMs * 1000;
    if (rx <= deadline) return;
    const silentMs = round3((rx - w.lastValidUs) / 1000);
    if (w.stopped) this.emit(w, 'resumed', rx, seq, { silent_ms: silentMs, tal_ms: w.talMs });
    else this.emit(w, 'tal-expired', rx, seq, { tal_ms: w.talMs, late_ms: round3((rx - deadline) / 1000), silent_ms: silentMs, last_valid_time: this.iso(w.lastValidUs) });
  }

  private judgeSequence(w: StreamWatch, verdict: Verdict, rx: number, seq: { st: number; sq: number }, lost: number): void {
    const newest = { newest_st_num: w.st, newest_sq_num: w.sq };
    switch (verdict) {
      case 'gap':
        this.emit(w, 'sq-gap', rx, seq, { expected_sq_num: next(w.sq), missing: lost });
        break;
      case 'state-jump': {
        const states = forwardDistance(w.st, seq.st);
        if (states > 1) this.emit(w, 'st-jump', rx, seq, { expected_st_num: next(w.st), states_skipped: states - 1, missing: lost });
        else this.emit(w, 'sq-gap', rx, seq, { expected_sq_num: 0, missing: lost });
        break;
      }
      case 'duplicate':
        this.emit(w, 'duplicate', rx, seq, newest);
        break;
      case 'out-of-order':
        this.emit(w, 'out-of-order', rx, seq, newest);
        break;
      case 'st-backwards':
        this.emit(w, 'st-backwards', rx, seq, { st_num_before: w.st });
        break;
      default:
    }
  }

  private judgeStateChange(w: StreamWatch, frame: GooseFrame, rx: number, seq: { st: number; sq: number }, verdict: Verdict): void {
    const pdu = frame.pdu;
    const changed = memberChanges(w.names, w.lastData ? changedEntries(w.lastData, pdu.allData) : [], w.lastData, pdu.allData);
    w.lastChangeUs = rx;
    w.lastChanges.push({ time: this.iso(rx), st_num: pdu.stNum, changed });
    if (w.lastChanges.length > CHANGES_KEPT) w.lastChanges.shift();
    if (this.opts.logStateChanges) {
      this.emit(w, 'state-change', rx, seq, { changed: changed.map((c) => `${c.member}: ${c.before ?? '-'} → ${c.after ?? '-'}`) });
    }
    const limit = this.opts.transferThresholdUs;
    if (limit !== undefined && pdu.sqNum === 0 && verdict !== 'st-backwards') {
      const transferUs = Math.round(rx + this.wallOffsetUs - utcTimeToMicros(pdu.t));
      if (transferUs > limit) this.emit(w, 'transfer-time', rx, seq, { transfer_us: transferUs, threshold_us: limit });
    }
  }

  private malformed(buf: Uint8Array, rxUs: number, error: DecodeError): void {
    const peek = peekFrameHeader(buf);
    const evidence: MonitorEvent['evidence'] = {
      decode_error: error.code,
      offset: error.offset,
      path: error.path,
      message: formatDecodeError(error),
      frame_bytes: buf.length,
    };
    if (typeof peek !== 'string') evidence.appid = `0x${peek.appId.toString(16).padStart(4, '0')}`;
    if (buf.length >= 12) evidence.src_mac = Array.from(buf.subarray(6, 12), (b) => b.toString(16).padStart(2, '0')).join(':');
    this.record(makeEvent('malformed', this.at(rxUs), null, null, evidence));
  }

  private emit(w: StreamWatch, kind: EventKind, rxUs: number, seq: { st: number; sq: number } | null, evidence: MonitorEvent['evidence']): void {
    this.record(makeEvent(kind, this.at(rxUs), w.tracker.key, seq, evidence));
    w.counts[kind] = (w.counts[kind] ?? 0) + 1;
    const group = EVENT_KINDS[kind].group;
    if (group === 'anomaly') w.anomalies++;
    if (group !== 'info') w.lastEventKind = kind;
  }

  private record(e: MonitorEvent): void {
    this.counts.set(e.kind, (this.counts.get(e.kind) ?? 0) + 1);
    this.opts.onEvent(e);
  }

  private at(monoUs: number): { monoUs: number; wallUs: number } {
    return { monoUs, wallUs: monoUs + this.wallOffsetUs };
  }

  private iso(monoUs: number): string {
    return isoMicros(monoUs + this.wallOffsetUs);
  }
}

function next(n: number): number {
  return n >= 0xffffffff ? 1 : n + 1;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
