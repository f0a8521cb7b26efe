// The six IGMP scenarios as data: what is blocked, which keepalive runs how often, how long
// the stream lasts, what is expected. Pure; run-scenario.ts executes a plan.
import type { KeepaliveKind } from './igmp-results.js';
import { roundS, type IgmpTiming } from './scenario-timing.js';

export type ScenarioNumber = 1 | 2 | 3 | 4 | 5 | 6;

/** TGW seconds between keepalives in scenarios 3 and 4: the daemon's default igmp_keepalive_interval. */
export const KEEPALIVE_INTERVAL_TGW_S = 90;
/** TGW seconds between keepalives in scenario 5: longer than the 420 s membership timeout, and long
 * enough that the daemon's monitor (checks every 120 s, acts on the 2nd failed check) can act first. */
export const SLOW_KEEPALIVE_INTERVAL_TGW_S = 900;
/** The daemon's monitor in scenario 5 (its defaults): check every 120 TGW s, re-register after 2 failures. */
export const MONITOR_INTERVAL_TGW_S = 120;
export const MONITOR_THRESHOLD = 2;

export type MembershipHolderKind = 'socket' | 'daemon';
/** 'auto': the daemon for the scenarios about the daemon (3–6), a plain socket for 1 and 2. */
export type HolderChoice = MembershipHolderKind | 'auto';

export function holderFor(plan: ScenarioPlan, choice: HolderChoice): MembershipHolderKind {
  if (choice !== 'auto') return choice;
  return plan.number >= 3 ? 'daemon' : 'socket';
}

export interface ScenarioPlan {
  number: ScenarioNumber;
  /** Row label in igmp.csv. */
  id: string;
  /** Drop queries at the member (a security group without inbound IGMP). */
  blockQueries: boolean;
  keepalive: 'none' | 'rejoin' | 'report';
  /** Wall seconds between keepalives (null: none). */
  keepaliveIntervalS: number | null;
  /** Wall seconds the stream runs (scenario 6: the time before the event; the rest waits for recovery). */
  durationS: number;
  expectLoss: boolean;
  /** Scenario 6's event. */
  event: 'daemon-restart' | 'uplink-flap' | null;
  /** Whether the recovery time is driven by scaled timers (monitor) and so converts to TGW seconds. */
  recoverIsTimerDriven: boolean;
}

export interface PlanOptions {
  /** Membership intervals the long scenarios (1, 3, 4) run for; ≥ 10 for a meaningful keepalive cost. */
  intervals: number;
}

export function keepaliveLabel(plan: ScenarioPlan, holder: MembershipHolderKind): KeepaliveKind {
  if (plan.keepalive === 'none') return 'none';
  return holder === 'daemon' ? (plan.keepalive === 'report' ? 'daemon-report' : 'daemon-rejoin') : plan.keepalive;
}

export function planScenario(n: ScenarioNumber, timing: IgmpTiming, opts: PlanOptions): ScenarioPlan[] {
  if (!(opts.intervals > 0)) throw new RangeError(`intervals must be > 0, got ${opts.intervals}`);
  const gmi = timing.membershipTimeoutS;
  const long = roundS(opts.intervals * gmi);
  const k = roundS(KEEPALIVE_INTERVAL_TGW_S / timing.scale);
  const slow = roundS(SLOW_KEEPALIVE_INTERVAL_TGW_S / timing.scale);
  const base = { expectLoss: false, event: null, recoverIsTimerDriven: false, keepaliveIntervalS: null } as const;
  switch (n) {
    case 1:
      return [{ ...base, number: 1, id: '1-healthy', blockQueries: false, keepalive: 'none', durationS: long }];
    case 2:
      // Loss comes one membership interval after the join's last unsolicited report; run half an
      // interval beyond that so the loss and the silence after it are both on record.
      return [{
        ...base, number: 2, id: '2-queries-blocked', blockQueries: true, keepalive: 'none', expectLoss: true,
        durationS: roundS(1.5 * gmi + timing.unsolicitedReportCount * timing.unsolicitedReportIntervalS),
      }];
    case 3:
      return [{ ...base, number: 3, id: '3-keepalive-rejoin', blockQueries: true, keepalive: 'rejoin', keepaliveIntervalS: k, durationS: long }];
    case 4:
      return [{ ...base, number: 4, id: '4-keepalive-report', blockQueries: true, keepalive: 'report', keepaliveIntervalS: k, durationS: long }];
    case 5:
      // One slow keepalive period shows a full window (loss at GMI, back at the next keepalive or
      // the monitor's re-registration); long runs show two.
      return [{
        ...base, number: 5, id: '5-keepalive-too-slow', blockQueries: true, keepalive: 'report', keepaliveIntervalS: slow,
        expectLoss: true, recoverIsTimerDriven: true, durationS: roundS((opts.intervals >= 4 ? 2 : 1) * slow + 0.25 * slow),
      }];
    case 6:
      return (['daemon-restart', 'uplink-flap'] as const).map((event) => ({
        // The member runs as deployed: the default keepalive (report) at the default interval.
        ...base, number: 6 as const, id: `6-${event}`, blockQueries: false, keepalive: 'report' as const, keepaliveIntervalS: k, event,
        durationS: roundS(Math.min(gmi / 2, 2)),
      }));
  }
}

export function parseScenarioList(text: string): ScenarioNumber[] {
  const out: ScenarioNumber[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const n = Number(part);
    if (![1, 2, 3, 4, 5, 6].includes(n)) throw new RangeError(`--scenarios: each entry must be 1..6, got ${JSON.stringify(part)}`);
    if (!out.includes(n as ScenarioNumber)) out.push(n as ScenarioNumber);
  }
  if (out.length === 0) throw new RangeError('--scenarios: name at least one scenario (1..6)');
  return out;
}

export function parseFastLeaveList(text: string): boolean[] {
  const out: boolean[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    if (part !== 'on' && part !== 'off') throw new RangeError(`--fast-leave: each entry must be on or off, got ${JSON.stringify(part)}`);
    if (!out.includes(part === 'on')) out.push(part === 'on');
  }
  if (out.length === 0) throw new RangeError('--fast-leave: name on, off or both');
  return out;
}
