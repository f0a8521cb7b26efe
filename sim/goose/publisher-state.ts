// One simulated IED's GOOSE state: stNum/sqNum/t and where it stands in the retransmission
// schedule. Pure (no clock, no I/O): the caller passes every time in.
//
// Semantics (IEC 61850-8-1):
// - a state change (event) → stNum += 1 (0xFFFFFFFF wraps to 1), sqNum = 0, t = the event time;
// - each retransmission repeats the state with sqNum += 1 (0xFFFFFFFF wraps to 1 — 0 only ever
//   marks the first frame of a state);
// - the very first frame after start-up is the first frame of state `initialStNum` (sqNum 0).
import type { Data, UtcTime } from '../../bridge/codec/types.js';
import type { RetransmissionSchedule, TalPolicy } from './retransmission-schedule.js';
import { nextSqNum, nextStNum, U32_MAX } from '../core/sequence-numbers.js';

/** TimeQuality octet we send: clock OK, synchronised, 10 significant fraction bits (~1 ms). */
export const SIM_TIME_QUALITY = 0x0a;

/** What goes into the next frame. */
export interface FrameSequence {
  stNum: number;
  sqNum: number;
  /** timeAllowedToLive for this frame (ms). */
  talMs: number;
  /** Index of this frame in its state (0 = the state-change frame). */
  frameIndex: number;
}

export class PublisherState {
  stNum: number;
  sqNum = 0;
  t: UtcTime;
  values: Data[];
  /** Frames sent in the current state. */
  framesInState = 0;
  /** Events applied since start (the initial state is not an event). */
  eventCount = 0;
  /** Bumped on every state change so cached encodings know they are stale. */
  stateVersion = 0;

  constructor(initialStNum: number, t: UtcTime, values: Data[]) {
    if (!Number.isInteger(initialStNum) || initialStNum < 1 || initialStNum > U32_MAX) {
      throw new RangeError(`initial stNum must be 1 … ${U32_MAX}, got ${initialStNum}`);
    }
    this.stNum = initialStNum;
    this.t = t;
    this.values = values;
  }

  /** A state change at time `t` with the new values. */
  applyEvent(t: UtcTime, values: Data[]): void {
    this.stNum = nextStNum(this.stNum);
    this.sqNum = 0;
    this.framesInState = 0;
    this.t = t;
    this.values = values;
    this.eventCount++;
    this.stateVersion++;
  }

  /**
   * The sequence numbers and TAL of the frame to send now; advances the state past it.
   * The TAL covers the gap to the frame the schedule sends after this one.
   */
  takeFrame(schedule: RetransmissionSchedule, tal: TalPolicy): FrameSequence {
    const frameIndex = this.framesInState;
    const seq: FrameSequence = {
      stNum: this.stNum,
      sqNum: this.sqNum,
      talMs: tal.talMs(schedule.gapAfter(frameIndex)),
      frameIndex,
    };
    this.sqNum = nextSqNum(this.sqNum);
    this.framesInState++;
    return seq;
  }

  /** For tests and wrap scenarios: continue the current state from a given sqNum. */
  setSqNum(sqNum: number): void {
    if (!Number.isInteger(sqNum) || sqNum < 0 || sqNum > U32_MAX) throw new RangeError(`sqNum must be 0 … ${U32_MAX}, got ${sqNum}`);
    this.sqNum = sqNum;
  }
}
