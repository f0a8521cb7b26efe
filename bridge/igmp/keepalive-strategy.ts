// Which mechanism re-asserts group membership. Measured on the TGW stand-in (docs/igmp.md):
//  - report: an unsolicited IGMPv2 membership report on a raw socket (Router Alert, TTL 1).
//    Sends no Leave, so a querier that removes members on a Leave at once never drops us.
//    Needs CAP_NET_RAW.
//  - rejoin: drop + add membership on the UDP socket (what a plain socket application does). The kernel
//    sends a Leave then a Join; with fast-leave the TGW stand-in lost ~10 ms of traffic per re-join.
// Pure: the capability is passed in.
import { GbError } from '../../errors/error-codes.js';
import type { KeepaliveStrategyName } from '../config/config-keys.js';

export type EffectiveStrategy = 'report' | 'rejoin';

export interface StrategyChoice {
  strategy: EffectiveStrategy;
  /** A line for the log explaining a fallback, or null. */
  note: string | null;
}

export function chooseKeepaliveStrategy(configured: KeepaliveStrategyName, hasCapNetRaw: boolean): StrategyChoice {
  if (configured === 'rejoin') return { strategy: 'rejoin', note: null };
  if (configured === 'report') {
    if (!hasCapNetRaw) {
      throw new GbError('GB_ERR_PERMISSION', 'keepalive_strategy = report needs CAP_NET_RAW (run as root or grant AmbientCapabilities=CAP_NET_RAW); or set keepalive_strategy = rejoin / auto');
    }
    return { strategy: 'report', note: null };
  }
  return hasCapNetRaw
    ? { strategy: 'report', note: null }
    : {
        strategy: 'rejoin',
        note: 'no CAP_NET_RAW: IGMP keepalive falls back to drop + add membership (rejoin), which sends a Leave each time; grant CAP_NET_RAW to use report-without-Leave',
      };
}

/** The I/O side implements this per strategy (membership-refreshers.ts). */
export interface MembershipRefresher {
  readonly strategy: EffectiveStrategy;
  /** Re-asserts membership of one group on the uplink. Throws GbError on failure. */
  refresh(group: string): void;
}
