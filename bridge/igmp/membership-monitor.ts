// The membership monitor's decision, separated from its timers: each check looks at what the
// kernel reports (/proc/net/igmp) and whether datagrams arrived since the previous check, and
// after `threshold` consecutive failed checks asks for a re-registration.
// Pure: observations and time come in as arguments.

export interface MonitorState {
  consecutiveFailures: number;
  /** Datagrams counted at the previous check (to see whether any arrived since). */
  lastDatagrams: number;
  /** True once any datagram arrived on the group: silence only means trouble after traffic was seen. */
  trafficSeen: boolean;
}

export interface MonitorObservation {
  /** The group is listed for the uplink in /proc/net/igmp. */
  membershipPresent: boolean;
  /** Total datagrams received on the group so far (a monotonic counter). */
  datagrams: number;
}

export type CheckFailure = 'membership-missing' | 'no-datagrams';

export interface MonitorDecision {
  state: MonitorState;
  /** Why this check failed, null when it passed. */
  failure: CheckFailure | null;
  /** Re-register now (threshold reached); the failure count restarts from zero. */
  reregister: boolean;
}

export function initialMonitorState(datagrams = 0): MonitorState {
  return { consecutiveFailures: 0, lastDatagrams: datagrams, trafficSeen: datagrams > 0 };
}

export function checkMembership(state: MonitorState, obs: MonitorObservation, threshold: number): MonitorDecision {
  const arrived = obs.datagrams > state.lastDatagrams;
  let failure: CheckFailure | null = null;
  if (!obs.membershipPresent) failure = 'membership-missing';
  // A quiet group is only suspicious when it used to carry traffic (GOOSE heartbeats every few
  // seconds): silence on a group nobody publishes to is not a fault.
  else if (!arrived && state.trafficSeen) failure = 'no-datagrams';
  const failures = failure === null ? 0 : state.consecutiveFailures + 1;
  const reregister = failures >= threshold;
  return {
    state: {
      consecutiveFailures: reregister ? 0 : failures,
      lastDatagrams: obs.datagrams,
      trafficSeen: state.trafficSeen || arrived,
    },
    failure,
    reregister,
  };
}
