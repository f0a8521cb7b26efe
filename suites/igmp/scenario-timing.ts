// The IGMP suite's time arithmetic: the stand-in's timers at a given scale (taken from the
// topology's own scaled values, so expectations use the centiseconds the kernel really got),
// what the membership timeout predicts, and the conversion to "TGW seconds". Pure.
import {
  HOST_DEFAULTS,
  TGW_TIMERS_S,
  scaledBridgeTimers,
  scaledHostTimers,
  validateScale,
} from '../../testkit/topology/igmp-timers.js';

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
