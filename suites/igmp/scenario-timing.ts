// The IGMP suite's time arithmetic: the stand-in's timers at a given scale (taken from the
// topology's own scaled values, so expectations use the centiseconds the kernel really got),
// what the membership timeout predicts, and the conversion to "TGW seconds". Pure.
import {
  HOST_DEFAULTS,
  TGW_TIMERS_S,
  scaledBridgeTimers,
  scaledHostTimers,
  validateScale,
} from '../topology/igmp-timers.js';

/** Timers of one scaled run, in wall ("scaled") seconds as the stand-in runs them. */
export interface IgmpTiming {
  scale: number;
  queryIntervalS: number;
  queryResponseIntervalS: number;
  /** Group membership interval: robustness × query interval + response interval (RFC 2236). */
  membershipTimeoutS: number;
  lastMemberIntervalS: number;
  lastMemberCount: number;
  /** Host side: spacing of the unsolicited reports that follow a join, and how many there are. */
  unsolicitedReportIntervalS: number;
  unsolicitedReportCount: number;
  robustness: number;
}

export function igmpTiming(scale: number): IgmpTiming {
  validateScale(scale);
  const b = scaledBridgeTimers(scale);
  const h = scaledHostTimers(scale);
  return {
    scale,
    queryIntervalS: b.mcast_query_interval / 100,
    queryResponseIntervalS: b.mcast_query_response_interval / 100,
    membershipTimeoutS: b.mcast_membership_interval / 100,
    lastMemberIntervalS: b.mcast_last_member_interval / 100,
    lastMemberCount: b.mcast_last_member_count,
    unsolicitedReportIntervalS: h.unsolicitedReportIntervalMs / 1000,
    unsolicitedReportCount: h.qrv,
    robustness: TGW_TIMERS_S.robustness,
  };
}

/** Timers with no scaling: what a real Transit Gateway and a default Linux host use. */
export function unscaledTiming(): IgmpTiming {
  const q = TGW_TIMERS_S.queryInterval;
  const r = TGW_TIMERS_S.queryResponseInterval;
  return {
    scale: 1,
    queryIntervalS: q,
    queryResponseIntervalS: r,
    membershipTimeoutS: TGW_TIMERS_S.robustness * q + r,
    lastMemberIntervalS: 1,
    lastMemberCount: 2,
    unsolicitedReportIntervalS: HOST_DEFAULTS.unsolicitedReportIntervalMs / 1000,
    unsolicitedReportCount: HOST_DEFAULTS.qrv,
    robustness: TGW_TIMERS_S.robustness,
  };
}

/** A scaled (wall) duration expressed as the real TGW time it stands for. */
export function tgwSeconds(wallSeconds: number, scale: number): number {
  return roundS(wallSeconds * scale);
}

/** Microseconds → seconds with µs precision kept and float noise removed. */
export function usToS(us: number): number {
  return roundS(us / 1e6);
}

export function roundS(s: number): number {
  return Math.round(s * 1e6) / 1e6;
}

/**
 * With every query dropped before the member sees it, nothing refreshes the membership after the
 * last report: the stand-in removes the member one membership interval later. Returns the
 * expected loss instant (seconds on the caller's clock).
 */
export function expectedLossAtS(lastReportAtS: number, timing: IgmpTiming): number {
  return lastReportAtS + timing.membershipTimeoutS;
}

/** A window of time in seconds on one clock. */
export interface TimeWindow {
  startS: number;
  endS: number;
}

/**
 * Loss windows a keepalive predicts when queries are blocked: each refresh (report or re-join)
 * at `refreshAtS[i]` holds the membership for one membership interval; if the next refresh comes
 * later than that, traffic stops from `refresh + GMI` until that next refresh (plus join latency,
 * not modelled). The last refresh's expiry is clipped at `endS`.
 */
export function predictedLossWindows(refreshAtS: readonly number[], timing: IgmpTiming, endS: number): TimeWindow[] {
  const sorted = [...refreshAtS].sort((a, b) => a - b);
  const out: TimeWindow[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const expiry = sorted[i]! + timing.membershipTimeoutS;
    const next = i + 1 < sorted.length ? sorted[i + 1]! : endS;
    const end = Math.min(next, endS);
    if (expiry < end) out.push({ startS: roundS(expiry), endS: roundS(end) });
  }
  return out;
}

/** Evenly spaced keepalive instants from `firstS` (exclusive of `endS`). */
export function keepaliveInstants(firstS: number, intervalS: number, endS: number): number[] {
  if (!(intervalS > 0)) throw new RangeError(`keepalive interval must be > 0 s, got ${intervalS}`);
  const out: number[] = [];
  for (let t = firstS; t < endS; t = roundS(t + intervalS)) out.push(t);
  return out;
}
