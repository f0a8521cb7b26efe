// The subscriber's judgement of one GOOSE stream (APPID + gocbRef + source MAC), message by
// message, the way a protection engineer reads it. Pure: receive times are passed in, and TAL
// expiry of a silent stream is evaluated by tick(nowUs) with the caller's clock.
//
// Each anomaly is counted exactly once:
// - lost: sqNum gap within a state (sq 5 after 3 → 1 lost); stNum jump (st 7 after 5 → 1 whole
//   state missed, counted as its one state-change frame, plus the new state's sqNums 0 … sq−1
//   not seen). The missing (stNum, sqNum) ranges are remembered (up to MAX_HOLES ranges), so a
//   frame that arrives late and fills one is counted out-of-order and no longer lost.
// - out-of-order: a frame older than the newest seen that was missing (fills a hole), or a late
//   frame of the previous state, or one older than the first frame seen of the state.
// - duplicate: the same (stNum, sqNum) again, or an older frame of the state already received.
// - stNum backwards: a stNum older than the previous state that fills no hole (a restarted or
//   misbehaving publisher); the stream then follows the new numbering.
// Silence (a frame later than its TAL, a stream that stopped) is the monitor's judgement
// (monitor/goose-monitor.ts): it needs the other streams and the clock, not just this one.
// - wraps (stNum 0xFFFFFFFF → 1, sqNum 0xFFFFFFFF → 1) are normal progress, counted for the record.
// - confRev change, dataset shape change (entry count or types differ from the previous
//   message; the report also says whether it differs from the first), numDatSetEntries not
//   matching allData, ndsCom and simulation flags (counted per message, not anomalies).
import type { Data, GooseFrame } from '../../bridge/codec/types.js';
import { RESERVED1_SIMULATION_BIT } from '../../bridge/codec/types.js';
import { forwardDistance, HALF_RING } from '../core/sequence-numbers.js';

export const MAX_HOLES = 32;

export interface StreamKey {
  appId: number;
  gocbRef: string;
  /** Source MAC, lower-case colon-separated. */
  src: string;
}

export function streamKeyId(k: StreamKey): string {
  return `${k.appId}|${k.src}|${k.gocbRef}`;
}

export interface StreamCounters {
  /** Frames of this stream received and decoded. */
  messages: number;
  /** Frames accepted as new (in order or a new state): what a subscriber acts on. */
  valid: number;
  /** Changes of stNum observed after the first message. */
  stateChanges: number;
  /** Frames missing (sqNum gaps, skipped states), less those that arrived late. */
  lost: number;
  duplicates: number;
  outOfOrder: number;
  stNumBackwards: number;
  stNumWraps: number;
  sqNumWraps: number;
  confRevChanges: number;
  datasetChanges: number;
  /** Messages whose numDatSetEntries differs from the number of allData entries. */
  entryCountMismatches: number;
  ndsComMessages: number;
  simulationMessages: number;
}

export const ANOMALY_KEYS = [
  'lost',
  'duplicates',
  'outOfOrder',
  'stNumBackwards',
  'confRevChanges',
  'datasetChanges',
  'entryCountMismatches',
] as const satisfies readonly (keyof StreamCounters)[];

export function emptyCounters(): StreamCounters {
  return {
    messages: 0,
    valid: 0,
    stateChanges: 0,
    lost: 0,
    duplicates: 0,
    outOfOrder: 0,
    stNumBackwards: 0,
    stNumWraps: 0,
    sqNumWraps: 0,
    confRevChanges: 0,
    datasetChanges: 0,
    entryCountMismatches: 0,
    ndsComMessages: 0,
    simulationMessages: 0,
  };
}

/** Entry count and types, e.g. `boolean,bit-string:13,structure(boolean,integer)`. */
export function datasetShape(data: readonly Data[]): string {
  let s = '';
  for (let i = 0; i < data.length; i++) {
    const d = data[i]!;
    if (i > 0) s += ',';
    if (d.type === 'structure' || d.type === 'array') s += `${d.type}(${datasetShape(d.value)})`;
    else if (d.type === 'bit-string' || d.type === 'boolean-array') s += `${d.type}:${d.bits}`;
    else s += d.type;
  }
  return s;
}

/** How a message was classified (returned for tests and logs). */
export type Verdict = 'first' | 'in-order' | 'new-state' | 'gap' | 'state-jump' | 'duplicate' | 'out-of-order' | 'st-backwards';

interface Hole {
  st: number;
  fromSq: number;
  count: number;
}

export class StreamTracker {
  readonly counters = emptyCounters();
  firstRxUs = -1;
  lastRxUs = -1;
  /** Receive time of the last valid message (TAL runs from it). */
  lastValidRxUs = -1;
  lastTalMs = 0;
  stNum = 0;
  /** Highest sqNum seen in the current state. */
  sqHigh = 0;
  private shapeOf: readonly Data[] | undefined;
  private shape = '';
  /** Lowest sqNum seen in the current state (frames before it were never expected to be seen). */
  private sqLow = 0;
  private prevSt = -1;
  private prevSqHigh = 0;
  private holes: Hole[] = [];
  confRev = 0;
  goID: string | undefined;
  datSet = '';
  firstShape = '';
  lastShape = '';
  ndsCom = false;
  simulation = false;

  constructor(readonly key: StreamKey) {}

  /** True when the current dataset shape differs from the stream's first message. */
  get datasetDiffersFromFirst(): boolean {
    return this.lastShape !== this.firstShape;
  }

  /** Processes one decoded message of this stream received at rxTimeUs. */
  handle(frame: GooseFrame, rxTimeUs: number): Verdict {
    const pdu = frame.pdu;
    const c = this.counters;
    c.messages++;
    if (pdu.ndsCom) c.ndsComMessages++;
    if (pdu.simulation || (frame.header.reserved1 & RESERVED1_SIMULATION_BIT) !== 0) c.simulationMessages++;
    if (pdu.numDatSetEntries !== pdu.allData.length) c.entryCountMismatches++;
    this.ndsCom = pdu.ndsCom;
    this.simulation = pdu.simulation;
    this.goID = pdu.goID;
    this.datSet = pdu.datSet;
    // a retransmission carries the same decoded dataset: its shape is known
    if (pdu.allData !== this.shapeOf) {
      this.shapeOf = pdu.allData;
      this.shape = datasetShape(pdu.allData);
    }
    const shape = this.shape;
    this.lastRxUs = rxTimeUs;

    if (this.firstRxUs < 0) {
      this.firstRxUs = rxTimeUs;
      this.firstShape = shape;
      this.lastShape = shape;
      this.confRev = pdu.confRev;
      this.stNum = pdu.stNum;
      this.sqHigh = pdu.sqNum;
      this.sqLow = pdu.sqNum;
      this.acceptValid(pdu.timeAllowedToLive, rxTimeUs);
      return 'first';
    }

    if (pdu.confRev !== this.confRev) {
      c.confRevChanges++;
      this.confRev = pdu.confRev;
    }
    if (shape !== this.lastShape) {
      c.datasetChanges++;
      this.lastShape = shape;
    }

    const st = pdu.stNum;
    const sq = pdu.sqNum;
    if (st === this.stNum) {
      const d = forwardDistance(this.sqHigh, sq);
      if (d > 0 && d < HALF_RING) {
        if (sq < this.sqHigh) c.sqNumWraps++;
        if (d > 1) {
          c.lost += d - 1;
          this.addSqHole(st, nextAfter(this.sqHigh), d - 1);
        }
        this.sqHigh = sq;
        this.acceptValid(pdu.timeAllowedToLive, rxTimeUs);
        return d > 1 ? 'gap' : 'in-order';
      }
      // not newer than the newest of this state
      if (this.fillHole(st, sq)) return 'out-of-order';
      if (sq !== this.sqHigh && isBefore(sq, this.sqLow)) {
        this.sqLow = sq;
        c.outOfOrder++;
        return 'out-of-order';
      }
      c.duplicates++;
      return 'duplicate';
    }

    const ds = forwardDistance(this.stNum, st);
    if (ds > 0 && ds < HALF_RING) {
      if (st < this.stNum) c.stNumWraps++;
      c.stateChanges++;
      // whole states skipped (each had at least its state-change frame), then the new
      // state's frames before the one received
      const lostHere = ds - 1 + sq;
      if (ds > 1) this.addStateHoles(this.stNum, ds - 1);
      if (sq > 0) this.addSqHole(st, 0, sq);
      c.lost += lostHere;
      this.prevSt = this.stNum;
      this.prevSqHigh = this.sqHigh;
      this.stNum = st;
      this.sqHigh = sq;
      this.sqLow = 0;
      this.acceptValid(pdu.timeAllowedToLive, rxTimeUs);
      return lostHere > 0 ? 'state-jump' : 'new-state';
    }

    // an older stNum
    if (this.fillHole(st, sq)) return 'out-of-order';
    if (st === this.prevSt) {
      const dp = forwardDistance(this.prevSqHigh, sq);
      if (dp > 0 && dp < HALF_RING) {
        // the previous state's tail, overtaken by the new state
        this.prevSqHigh = sq;
        c.outOfOrder++;
        return 'out-of-order';
      }
      c.duplicates++;
      return 'duplicate';
    }
    c.stNumBackwards++;
    this.holes = [];
    this.prevSt = -1;
    this.stNum = st;
    this.sqHigh = sq;
    this.sqLow = sq;
    this.acceptValid(pdu.timeAllowedToLive, rxTimeUs);
    return 'st-backwards';
  }

  private acceptValid(talMs: number, rxTimeUs: number): void {
    this.counters.valid++;
    this.lastValidRxUs = rxTimeUs;
    this.lastTalMs = talMs;
  }

  /** Remembers `count` missing sqNums from `fromSq` in state `st`. */
  private addSqHole(st: number, fromSq: number, count: number): void {
    this.holes.push({ st, fromSq, count });
    this.trimHoles();
  }

  /** Remembers the state-change frames of `count` whole states skipped after `afterSt`. */
  private addStateHoles(afterSt: number, count: number): void {
    // only the newest MAX_HOLES can be remembered: start right before them (no loop over a
    // jump of millions of states)
    const n = Math.min(count, MAX_HOLES);
    let s = advance(afterSt, count - n);
    for (let i = 0; i < n; i++) {
      s = nextAfter(s);
      this.holes.push({ st: s, fromSq: 0, count: 1 });
    }
    this.trimHoles();
  }

  private trimHoles(): void {
    if (this.holes.length > MAX_HOLES) this.holes.splice(0, this.holes.length - MAX_HOLES);
  }

  /** A late frame that was counted lost: now counted out-of-order instead. */
  private fillHole(st: number, sq: number): boolean {
    for (let i = 0; i < this.holes.length; i++) {
      const h = this.holes[i]!;
      if (h.st !== st) continue;
      const off = forwardDistance(h.fromSq, sq);
      if (off >= h.count) continue;
      const at = off;
      // split the range around the filled frame
      const before: Hole = { st, fromSq: h.fromSq, count: at };
      const after: Hole = { st, fromSq: nextAfter(sq), count: h.count - at - 1 };
      const repl = [before, after].filter((x) => x.count > 0);
      this.holes.splice(i, 1, ...repl);
      this.counters.lost--;
      this.counters.outOfOrder++;
      return true;
    }
    return false;
  }
}

/** `k` steps forward on the wrapping counter (1 … 0xFFFFFFFF; 0 → 1 is the first step). */
function advance(from: number, k: number): number {
  if (k === 0) return from;
  if (from === 0) return ((k - 1) % 0xffffffff) + 1;
  return ((from - 1 + k) % 0xffffffff) + 1;
}

function nextAfter(sq: number): number {
  return sq >= 0xffffffff ? 1 : sq + 1;
}

/** True when sqNum a precedes b within a state (0 precedes everything). */
function isBefore(a: number, b: number): boolean {
  const d = forwardDistance(a, b);
  return d > 0 && d < HALF_RING;
}
