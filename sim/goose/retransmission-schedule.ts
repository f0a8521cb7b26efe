// The GOOSE retransmission schedule and the timeAllowedToLive (TAL) policy. Pure: the clock is
// passed in, nothing here reads time. IEC 61850-8-1 leaves the schedule to the vendor, so it is
// pluggable; all times are integer microseconds so a virtual-time run (--pcap) reproduces the
// schedule exactly, to the microsecond.
//
// Timeline of one state (event E at time 0, t1 = 2 ms, t0 = 1000 ms; `|` = a frame, sqNum below):
//
//   doubling (default): gaps t1, 2·t1, 4·t1 … each capped at t0
//
//   E
//   |--2--|----4----|--------8--------| … |---- 512 ----|------- 1000 -------|------- 1000 ---…
//   0     1         2                 3     9            10                   11
//   t=0   2         6                14    1022         2022                 3022   (ms)
//
//   the k-th retransmission (k ≥ 1) is at t1·(2^k − 1) while t1·2^(k−1) ≤ t0 (the "sum law");
//   from then on every t0.
//
//   fixed (the reference C stack, libiec61850): 3 retransmissions t1 apart, then every t0
//
//   E
//   |--2--|--2--|--2--|----------------- 1000 -----------------|----------------- 1000 ---…
//   0     1     2     3                                          4
//   t=0   2     4     6                                       1006                    2006  (ms)
//
// TAL of a frame = ceil(talFactor × gap to the next scheduled frame), in whole ms (the PDU field
// is an INTEGER of ms). Because of the ceiling and talFactor > 1 it always exceeds that gap, so a
// subscriber never declares a healthy stream lost just because the next frame is on time.

export type ScheduleName = 'doubling' | 'fixed';

export const SCHEDULE_NAMES: readonly ScheduleName[] = ['doubling', 'fixed'];

export interface ScheduleParams {
  /** Heartbeat: the longest gap between frames (µs, integer > 0). */
  t0Us: number;
  /** First retransmission gap after a state change (µs, integer, 0 < t1 ≤ t0). */
  t1Us: number;
}

/** Where a publisher stands in its current state; the schedule reads nothing else. */
export interface ScheduleState {
  /** Frames already sent in the current state (1 right after the state-change frame). */
  framesInState: number;
  /** When the previous frame was scheduled (µs). Scheduled, not actual: errors must not accumulate. */
  lastScheduledUs: number;
}

export interface RetransmissionSchedule {
  readonly name: ScheduleName;
  readonly params: ScheduleParams;
  /** Gap (µs) between the frame with index `frameIndex` in its state (0 = state change) and the next one. */
  gapAfter(frameIndex: number): number;
  /**
   * When the next frame is due, given the state and the current time. A retransmission that is
   * already overdue (nowUs past it, e.g. after a stall) is due now rather than in the past.
   */
  next(state: ScheduleState, nowUs: number): number;
}

/** A bad schedule parameter, named. Thrown only at configuration time. */
export class ScheduleConfigError extends Error {
  override readonly name = 'ScheduleConfigError';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

function validate(params: ScheduleParams): void {
  const { t0Us, t1Us } = params;
  if (!Number.isSafeInteger(t0Us) || t0Us <= 0) {
    throw new ScheduleConfigError('t0', `t0 must be a positive whole number of µs, got ${t0Us}`);
  }
  if (!Number.isSafeInteger(t1Us) || t1Us <= 0) {
    throw new ScheduleConfigError('t1', `t1 must be a positive whole number of µs, got ${t1Us}`);
  }
  if (t1Us > t0Us) {
    throw new ScheduleConfigError('t1', `t1 (${t1Us} µs) must not exceed t0 (${t0Us} µs)`);
  }
}

abstract class ScheduleBase implements RetransmissionSchedule {
  abstract readonly name: ScheduleName;
  constructor(readonly params: ScheduleParams) {
    validate(params);
  }
  abstract gapAfter(frameIndex: number): number;
  next(state: ScheduleState, nowUs: number): number {
    const due = state.lastScheduledUs + this.gapAfter(Math.max(0, state.framesInState - 1));
    return due < nowUs ? nowUs : due;
  }
}

/** t1, 2·t1, 4·t1 … capped at t0. */
export class DoublingSchedule extends ScheduleBase {
  readonly name = 'doubling' as const;
  /** Index from which the gap is t0; below it the gap is t1·2^i. */
  private readonly capIndex: number;
  constructor(params: ScheduleParams) {
    super(params);
    let i = 0;
    while (params.t1Us * 2 ** i < params.t0Us) i++;
    this.capIndex = i;
  }
  gapAfter(frameIndex: number): number {
    if (frameIndex >= this.capIndex) return this.params.t0Us;
    return this.params.t1Us * 2 ** frameIndex;
  }
}

/** libiec61850's server: three retransmissions t1 apart, then every t0. */
export class FixedSchedule extends ScheduleBase {
  readonly name = 'fixed' as const;
  static readonly FAST_RETRANSMISSIONS = 3;
  gapAfter(frameIndex: number): number {
    return frameIndex < FixedSchedule.FAST_RETRANSMISSIONS ? this.params.t1Us : this.params.t0Us;
  }
}

export function createSchedule(name: ScheduleName, params: ScheduleParams): RetransmissionSchedule {
  switch (name) {
    case 'doubling':
      return new DoublingSchedule(params);
    case 'fixed':
      return new FixedSchedule(params);
    default:
      throw new ScheduleConfigError('schedule', `schedule must be one of ${SCHEDULE_NAMES.join(', ')}, got "${String(name)}"`);
  }
}

export const DEFAULT_TAL_FACTOR = 2;

/** TAL = ceil(factor × gap to the next frame) in ms; factor > 1 so TAL always exceeds the gap. */
export class TalPolicy {
  constructor(readonly factor: number = DEFAULT_TAL_FACTOR) {
    if (!Number.isFinite(factor) || factor <= 1 || factor > 1000) {
      throw new ScheduleConfigError('tal-factor', `tal-factor must be a number > 1 and ≤ 1000, got ${factor}`);
    }
  }
  /** TAL (ms) to put in a frame followed by a gap of `gapToNextUs`. */
  talMs(gapToNextUs: number): number {
    // The ceiling guarantees talMs·1000 ≥ factor·gap > gap.
    return Math.ceil((this.factor * gapToNextUs) / 1000);
  }
}
