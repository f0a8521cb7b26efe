// Membership events of a run: IGMP messages seen on the stand-in's port (from a tcpdump line),
// the stand-in's mdb changes, and what the harness itself did (keepalives, restarts, link flaps).
// Parsing is pure; the watchers that produce the lines are in membership-watch.ts.

export type MembershipEventKind =
  | 'query' // general query from the querier
  | 'group-query' // last-member (group-specific) query after a Leave
  | 'report'
  | 'leave'
  | 'mdb-added' // entry added / refreshed on the stand-in
  | 'mdb-deleted'
  | 'keepalive-rejoin'
  | 'keepalive-report'
  | 'monitor-check-failed' // the daemon's monitor saw no membership / no datagrams
  | 'monitor-reregister' // … and re-registered
  | 'daemon-start'
  | 'daemon-stop'
  | 'uplink-down'
  | 'uplink-up'
  | 'stream-start'
  | 'stream-end';

export interface MembershipEvent {
  /** CLOCK_MONOTONIC µs. */
  atUs: number;
  kind: MembershipEventKind;
  group: string;
  /** Sender address of an IGMP message, or port / process for other events. */
  source: string;
}

const TCPDUMP_IGMP_RE = /^(\d+)\.(\d{6})\s+IP\s+(\d+\.\d+\.\d+\.\d+)\s+>\s+(\d+\.\d+\.\d+\.\d+):\s+igmp\s+(.*)$/;

/**
 * Parses one `tcpdump -n -tt` line of an IGMP packet. The timestamp is CLOCK_REALTIME; the caller
 * passes `realtimeToMonoUs` (monotonic − realtime, µs) to put it on the shared monotonic clock.
 * Returns null for lines that are not IGMPv2 query/report/leave.
 */
export function parseTcpdumpIgmpLine(line: string, realtimeToMonoUs: number): MembershipEvent | null {
  const m = TCPDUMP_IGMP_RE.exec(line.trim());
  if (m === null) return null;
  const realUs = Number(m[1]) * 1_000_000 + Number(m[2]);
  const atUs = realUs + realtimeToMonoUs;
  const src = m[3]!;
  const dst = m[4]!;
  const rest = m[5]!;
  if (rest.startsWith('query')) {
    const g = /\[gaddr (\d+\.\d+\.\d+\.\d+)\]/.exec(rest);
    return g === null ? { atUs, kind: 'query', group: '', source: src } : { atUs, kind: 'group-query', group: g[1]!, source: src };
  }
  const rep = /^v[12] report (\d+\.\d+\.\d+\.\d+)/.exec(rest);
  if (rep !== null) return { atUs, kind: 'report', group: rep[1]!, source: src };
  const leave = /^leave (\d+\.\d+\.\d+\.\d+)/.exec(rest);
  if (leave !== null) return { atUs, kind: 'leave', group: leave[1]!, source: src };
  void dst;
  return null;
}
