// Keeps the uplink's group memberships alive: a keepalive every igmp_keepalive_interval through
// the chosen strategy, and a monitor every igmp_monitor_interval that reads /proc/net/igmp and
// the datagram counters, re-registering after igmp_reregister_threshold consecutive failed
// checks. Timers, the clock and the /proc reader are injected so tests drive it with fake time.
import type { Logger } from 'pino';
import { checkMembership, initialMonitorState, type MonitorState } from './membership-monitor.js';
import type { MembershipRefresher } from './keepalive-strategy.js';
import { hasMembership } from './proc-net-igmp.js';

export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const realTimers: Timers = {
  setInterval: (fn, ms) => {
    const h = setInterval(fn, ms);
    h.unref();
    return h;
  },
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

/** What the supervisor needs to know about one joined group. */
export interface SupervisedGroup {
  group: string;
  /** Datagrams received on the group so far. */
  datagrams(): number;
  /** Re-adds the kernel membership if it went missing (sends no Leave). */
  ensureMembership(): void;
}

export interface SupervisorOptions {
  enabled: boolean;
  keepaliveIntervalMs: number;
  monitorIntervalMs: number;
  threshold: number;
  uplink: string;
  littleEndian: boolean;
}

/** The counters the supervisor keeps; the daemon's BridgeCounters has them (igmp sits below the daemon). */
export interface IgmpCounters {
  igmpKeepalives: number;
  igmpKeepaliveFailures: number;
  igmpChecks: number;
  igmpFailedChecks: Record<string, number>;
  igmpReregistrations: number;
  countError(kind: string): void;
}

export interface SupervisorDeps {
  timers: Timers;
  nowMs: () => number;
  readProcNetIgmp: () => string;
  refresher: MembershipRefresher;
  groups: () => SupervisedGroup[];
  counters: IgmpCounters;
  log: Logger;
}

export class IgmpSupervisor {
  /** Per group: listed in /proc/net/igmp at the last check (null before the first check). */
  readonly membership: Record<string, boolean | null> = {};
  lastKeepaliveMs: number | null = null;
  lastCheckMs: number | null = null;
  private readonly state = new Map<string, MonitorState>();
  private handles: unknown[] = [];

  constructor(
    private readonly opts: SupervisorOptions,
    private readonly deps: SupervisorDeps,
  ) {
    for (const g of deps.groups()) this.membership[g.group] = null;
  }

  get strategy(): string {
    return this.deps.refresher.strategy;
  }

  start(): void {
    if (!this.opts.enabled) {
      this.deps.log.warn('IGMP keepalive and monitor disabled (enable_igmp_keepalive = false): membership lapses if queries do not reach this host');
      return;
    }
    this.handles.push(this.deps.timers.setInterval(() => this.keepalive(), this.opts.keepaliveIntervalMs));
    this.handles.push(this.deps.timers.setInterval(() => this.check(), this.opts.monitorIntervalMs));
  }

  stop(): void {
    for (const h of this.handles) this.deps.timers.clearInterval(h);
    this.handles = [];
  }

  /** One keepalive round: refresh every joined group. */
  keepalive(): void {
    const { counters, log, refresher } = this.deps;
    for (const g of this.deps.groups()) {
      try {
        refresher.refresh(g.group);
        counters.igmpKeepalives++;
        log.info({ event: 'igmp-keepalive', group: g.group, strategy: refresher.strategy, uplink: this.opts.uplink }, 'IGMP keepalive sent');
      } catch (err) {
        counters.igmpKeepaliveFailures++;
        counters.countError('igmp-keepalive');
        log.error({ event: 'igmp-keepalive-failed', group: g.group, strategy: refresher.strategy, err }, 'IGMP keepalive failed');
      }
    }
    this.lastKeepaliveMs = this.deps.nowMs();
  }

  /** One monitor round over every joined group. */
  check(): void {
    const { counters, log } = this.deps;
    let text = '';
    try {
      text = this.deps.readProcNetIgmp();
    } catch (err) {
      counters.countError('igmp-proc-read');
      log.error({ err }, 'cannot read /proc/net/igmp');
    }
    for (const g of this.deps.groups()) {
      const present = hasMembership(text, this.opts.uplink, g.group, this.opts.littleEndian);
      this.membership[g.group] = present;
      const prev = this.state.get(g.group) ?? initialMonitorState();
      const d = checkMembership(prev, { membershipPresent: present, datagrams: g.datagrams() }, this.opts.threshold);
      this.state.set(g.group, d.state);
      counters.igmpChecks++;
      if (d.failure !== null) {
        counters.igmpFailedChecks[d.failure] = (counters.igmpFailedChecks[d.failure] ?? 0) + 1;
        log.warn(
          { event: 'igmp-check-failed', group: g.group, reason: d.failure, consecutive: d.reregister ? this.opts.threshold : d.state.consecutiveFailures, threshold: this.opts.threshold },
          d.failure === 'membership-missing' ? `no membership for ${g.group} on ${this.opts.uplink} in /proc/net/igmp` : `no datagrams on ${g.group} since the last check`,
        );
      } else {
        log.debug({ event: 'igmp-check-ok', group: g.group }, 'membership check passed');
      }
      if (d.reregister) this.reregister(g, d.failure === 'membership-missing');
    }
    this.lastCheckMs = this.deps.nowMs();
  }

  private reregister(g: SupervisedGroup, kernelMembershipMissing: boolean): void {
    const { counters, log, refresher } = this.deps;
    try {
      // A report alone cannot repair a membership the kernel forgot (the socket would not be
      // delivered the group): re-add it first. Adding sends no Leave.
      if (kernelMembershipMissing) g.ensureMembership();
      refresher.refresh(g.group);
      counters.igmpReregistrations++;
      log.warn({ event: 'igmp-reregister', group: g.group, strategy: refresher.strategy }, `re-registered ${g.group} after ${this.opts.threshold} failed check(s)`);
    } catch (err) {
      counters.countError('igmp-reregister');
      log.error({ event: 'igmp-reregister-failed', group: g.group, err }, 're-registration failed');
    }
  }
}
