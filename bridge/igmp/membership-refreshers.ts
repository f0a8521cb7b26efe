// The two keepalive mechanisms behind MembershipRefresher (see keepalive-strategy.ts for why two).
import type { MembershipRefresher } from './keepalive-strategy.js';

/** IGMPv2 report on a raw socket (Router Alert, TTL 1): refreshes the querier, no Leave. */
export class ReportRefresher implements MembershipRefresher {
  readonly strategy = 'report' as const;
  constructor(
    private readonly uplink: string,
    private readonly sendReport: (opts: { ifname: string; group: string }) => void,
  ) {}
  refresh(group: string): void {
    this.sendReport({ ifname: this.uplink, group });
  }
}

/** Drop + add membership on the group's socket (works without CAP_NET_RAW; sends a Leave). */
export class RejoinRefresher implements MembershipRefresher {
  readonly strategy = 'rejoin' as const;
  constructor(private readonly rejoin: (group: string) => void) {}
  refresh(group: string): void {
    this.rejoin(group);
  }
}
