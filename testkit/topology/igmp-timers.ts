// IGMP timers of the Transit Gateway stand-in and its hosts, scaled so that minutes of TGW
// behaviour play out in seconds. Pure arithmetic; the topology turns it into `ip`/sysctl calls.

/** What AWS documents for the TGW (seconds): a query every 120 s, a member missing 3 queries is
 * removed, forwarding lasts up to ~420 s after the last report. */
export const TGW_TIMERS_S = {
  queryInterval: 120,
  robustness: 3,
  /** Chosen so that membership interval = robustness × query + response = 420 s. */
  queryResponseInterval: 60,
} as const;

/** Linux hosts' defaults (ms / count), which the scaled topology shrinks by the same factor. */
export const HOST_DEFAULTS = {
  unsolicitedReportIntervalMs: 10_000,
  qrv: 2,
} as const;

/** The kernel bridge refuses query intervals (and startup query intervals) under 1 s. */
export const KERNEL_MIN_QUERY_INTERVAL_CS = 100;
export const MAX_SCALE = 120;

/** Bridge timer values in centiseconds, as `ip link … type bridge` takes them. */
export interface BridgeTimersCs {
  mcast_query_interval: number;
  mcast_query_response_interval: number;
  mcast_membership_interval: number;
  mcast_querier_interval: number;
  mcast_startup_query_interval: number;
  mcast_startup_query_count: number;
  mcast_last_member_count: number;
  mcast_last_member_interval: number;
}

export interface HostIgmpTimers {
  /** net.ipv4.conf.<if>.igmpv2_unsolicited_report_interval, ms. */
  unsolicitedReportIntervalMs: number;
  /** net.ipv4.igmp_qrv: how many unsolicited reports follow a join. */
  qrv: number;
}

export function validateScale(scale: number): number {
  if (!Number.isFinite(scale) || scale < 1 || scale > MAX_SCALE) {
    throw new RangeError(
      `scale must be a number from 1 to ${MAX_SCALE} (the kernel will not query faster than once a second), got ${scale}`,
    );
  }
  return scale;
}

const cs = (seconds: number): number => Math.max(1, Math.round(seconds * 100));

export function scaledBridgeTimers(scale: number): BridgeTimersCs {
  validateScale(scale);
  const q = TGW_TIMERS_S.queryInterval / scale;
  const r = TGW_TIMERS_S.queryResponseInterval / scale;
  const robustness = TGW_TIMERS_S.robustness;
  return {
    mcast_query_interval: Math.max(KERNEL_MIN_QUERY_INTERVAL_CS, cs(q)),
    mcast_query_response_interval: cs(r),
    // RFC 2236 group membership interval: robustness × query interval + response interval.
    mcast_membership_interval: cs(robustness * q + r),
    // RFC 2236 other-querier-present interval: robustness × query interval + response / 2.
    mcast_querier_interval: cs(robustness * q + r / 2),
    mcast_startup_query_interval: Math.max(KERNEL_MIN_QUERY_INTERVAL_CS, cs(r)),
    mcast_startup_query_count: 2,
    mcast_last_member_count: 2,
    mcast_last_member_interval: cs(r),
  };
}

export function scaledHostTimers(scale: number, qrv: number = HOST_DEFAULTS.qrv): HostIgmpTimers {
  validateScale(scale);
  if (!Number.isInteger(qrv) || qrv < 1 || qrv > 255) throw new RangeError(`igmp_qrv must be an integer 1..255, got ${qrv}`);
  return {
    unsolicitedReportIntervalMs: Math.max(1, Math.round(HOST_DEFAULTS.unsolicitedReportIntervalMs / scale)),
    qrv,
  };
}

/** Seconds after the last report at which the stand-in removes a member (scaled clock). */
export function membershipTimeoutS(scale: number): number {
  return scaledBridgeTimers(scale).mcast_membership_interval / 100;
}

