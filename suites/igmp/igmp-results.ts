// Turns one scenario's raw measurement (sent count, arrivals, membership events) into the rows of
// igmp.csv, igmp-timeline.csv and igmp-windows.csv. Pure. Every *_s column of igmp.csv is in
// "TGW seconds": what the same event takes on a real Transit Gateway. Timer-driven times (query
// interval, membership timeout, stream duration, time to loss, the monitor's recovery) are the
// wall-clock value × scale; times no timer drives (a join's first report, a process restart)
// are as measured. The wall-clock values are also in the timeline and windows files.
import { binArrivals, DEFAULT_BIN_US } from './frame-bins.js';
import { accountSequence, type LossWindow, type ReceivedFrame } from './loss-windows.js';
import type { MembershipEvent } from './membership-events.js';
import { roundS, tgwSeconds, usToS, type IgmpTiming } from './scenario-timing.js';

/** 'tgw': measured against a real Transit Gateway (which removes a member at once on a Leave). */
export type FastLeaveLabel = 'on' | 'off' | 'tgw';

export type KeepaliveKind = 'none' | 'rejoin' | 'report' | 'daemon-report' | 'daemon-rejoin';

/** igmp.csv's columns, in order (docs/results-schema.md). */
export const IGMP_COLUMNS = [
  'scenario',
  'fast_leave',
  'scale',
  'query_interval_s',
  'membership_timeout_s',
  'keepalive',
  'keepalive_interval_s',
  'duration_s',
  'frames_sent',
  'frames_received',
  'frames_lost',
  'loss_windows',
  'time_to_loss_s',
  'expected_time_to_loss_s',
  'time_to_recover_s',
] as const;

export interface IgmpRow {
  scenario: string;
  fast_leave: FastLeaveLabel;
  scale: number;
  query_interval_s: number;
  membership_timeout_s: number;
  keepalive: KeepaliveKind;
  /** Empty when there is no keepalive. */
  keepalive_interval_s: number | '';
  duration_s: number;
  frames_sent: number;
  frames_received: number;
  frames_lost: number;
  loss_windows: number;
  time_to_loss_s: number | '';
  expected_time_to_loss_s: number | '';
  time_to_recover_s: number | '';
}

export const TIMELINE_COLUMNS = ['scenario', 'fast_leave', 'scale', 't_s', 't_tgw_s', 'frames', 'event', 'group', 'source'] as const;

export interface TimelineRow {
  scenario: string;
  fast_leave: FastLeaveLabel;
  scale: number;
  /** Wall seconds from the start of the stream (bins: start of the bin). */
  t_s: number;
  t_tgw_s: number;
  /** Frames received in the 100 ms bin starting at t_s; empty on event rows. */
  frames: number | '';
  /** Membership event kind; empty on bin rows. */
  event: string;
  group: string;
  source: string;
}

export const WINDOW_COLUMNS = [
  'scenario', 'fast_leave', 'scale', 'first_lost_seq', 'last_lost_seq', 'lost',
  'start_s', 'end_s', 'duration_s', 'start_tgw_s', 'end_tgw_s', 'duration_tgw_s', 'sender_gap_s', 'open',
] as const;

export interface WindowRow {
  scenario: string;
  fast_leave: FastLeaveLabel;
  scale: number;
  first_lost_seq: number;
  last_lost_seq: number;
  lost: number;
  start_s: number;
  end_s: number;
  duration_s: number;
  start_tgw_s: number;
  end_tgw_s: number;
  duration_tgw_s: number;
  /** Send-time distance of the frames around the gap (wall s); empty when unknown (real mode). */
  sender_gap_s: number | '';
  open: boolean;
}

export interface ScenarioMeasurement {
  scenario: string;
  fastLeave: boolean | 'tgw';
  timing: IgmpTiming;
  keepalive: KeepaliveKind;
  /** Wall seconds between keepalives; null without keepalive. */
  keepaliveIntervalS: number | null;
  group: string;
  /** The measured member's address: its reports are the ones that count. */
  memberAddress: string;
  streamStartUs: number;
  streamEndUs: number;
  sent: number;
  frames: readonly ReceivedFrame[];
  events: readonly MembershipEvent[];
  /** Queries are blocked and the keepalive cannot hold: a loss one membership interval after the last report is expected. */
  expectLoss: boolean;
  /** When set, time_to_recover is from this instant (an event: restart, link up) to the first frame after it. */
  recoverFromUs?: number;
  /**
   * Recovery driven by scaled timers (the daemon's monitor) converts to TGW seconds (× scale);
   * recovery that is not (a join's first report, a process start) reads the same on a real TGW
   * and is reported as measured.
   */
  recoverIsTimerDriven: boolean;
}

export interface ScenarioResult {
  row: IgmpRow;
  windows: LossWindow[];
  windowRows: WindowRow[];
  timeline: TimelineRow[];
  /** Wall-clock figures (seconds) behind the row, for the printed table and README. */
  wall: { timeToLossS: number | null; timeToRecoverS: number | null; keepalives: number; lostPerKeepalive: number | null };
}

const CAUSES_OF_LOSS = new Set<string>(['leave', 'daemon-stop', 'uplink-down', 'keepalive-rejoin']);

const onOff = (b: boolean | 'tgw'): FastLeaveLabel => (b === 'tgw' ? 'tgw' : b ? 'on' : 'off');

export function summarizeScenario(m: ScenarioMeasurement): ScenarioResult {
  const scale = m.timing.scale;
  const tgw = (wallS: number): number => tgwSeconds(wallS, scale);
  const acc = accountSequence(m.frames, m.sent, m.streamStartUs, m.streamEndUs);

  // Time to loss: from the member's last report (as the stand-in saw it) to the last frame
  // delivered before the first gap that is a timeout — one with no Leave, restart or link-down of
  // the member in between (those cause their own gaps, which are not membership expiry).
  let timeToLossS: number | null = null;
  for (const w of acc.windows) {
    if (w.firstLostSeq === 0) continue; // the stream's start, not a loss of membership
    let lastReport: MembershipEvent | undefined;
    for (const e of m.events) {
      if (e.kind === 'report' && e.group === m.group && e.source === m.memberAddress && e.atUs <= w.startUs) {
        if (lastReport === undefined || e.atUs > lastReport.atUs) lastReport = e;
      }
    }
    if (lastReport === undefined) continue;
    const from = lastReport.atUs;
    const caused = m.events.some(
      (e) => CAUSES_OF_LOSS.has(e.kind) && e.atUs >= from && e.atUs <= w.endUs && (e.kind !== 'leave' || e.source === m.memberAddress),
    );
    if (caused) continue;
    timeToLossS = usToS(w.startUs - from);
    break;
  }

  let timeToRecoverS: number | null = null;
  if (m.recoverFromUs !== undefined) {
    let first: number | null = null;
    for (const f of m.frames) if (f.rxUs >= m.recoverFromUs && (first === null || f.rxUs < first)) first = f.rxUs;
    timeToRecoverS = first === null ? null : usToS(first - m.recoverFromUs);
  } else {
    const closed = acc.windows.filter((w) => !w.open);
    if (closed.length > 0) timeToRecoverS = usToS(Math.max(...closed.map((w) => w.durationUs)));
  }

  const keepalives = m.events.filter(
    (e) => (e.kind === 'keepalive-rejoin' || e.kind === 'keepalive-report') && e.atUs >= m.streamStartUs && e.atUs <= m.streamEndUs,
  ).length;

  const row: IgmpRow = {
    scenario: m.scenario,
    fast_leave: onOff(m.fastLeave),
    scale,
    query_interval_s: tgw(m.timing.queryIntervalS),
    membership_timeout_s: tgw(m.timing.membershipTimeoutS),
    keepalive: m.keepalive,
    keepalive_interval_s: m.keepaliveIntervalS === null ? '' : tgw(m.keepaliveIntervalS),
    duration_s: tgw(usToS(m.streamEndUs - m.streamStartUs)),
    frames_sent: acc.sent,
    frames_received: acc.received,
    frames_lost: acc.lost,
    loss_windows: acc.windows.length,
    time_to_loss_s: timeToLossS === null ? '' : tgw(timeToLossS),
    expected_time_to_loss_s: m.expectLoss ? tgw(m.timing.membershipTimeoutS) : '',
    time_to_recover_s: timeToRecoverS === null ? '' : m.recoverIsTimerDriven ? tgw(timeToRecoverS) : timeToRecoverS,
  };

  const rel = (us: number): number => usToS(us - m.streamStartUs);
  const base = { scenario: m.scenario, fast_leave: onOff(m.fastLeave), scale };
  const windowRows: WindowRow[] = acc.windows.map((w) => ({
    ...base,
    first_lost_seq: w.firstLostSeq,
    last_lost_seq: w.lastLostSeq,
    lost: w.lost,
    start_s: rel(w.startUs),
    end_s: rel(w.endUs),
    duration_s: usToS(w.durationUs),
    start_tgw_s: tgw(rel(w.startUs)),
    end_tgw_s: tgw(rel(w.endUs)),
    duration_tgw_s: tgw(usToS(w.durationUs)),
    sender_gap_s: w.senderGapUs === null ? '' : usToS(w.senderGapUs),
    open: w.open,
  }));

  const timeline: TimelineRow[] = [];
  const endUs = Math.max(m.streamEndUs, m.streamStartUs);
  const bins = binArrivals(
    m.frames.map((f) => f.rxUs),
    m.streamStartUs,
    endUs + DEFAULT_BIN_US, // the last frames arrive just after the last send
    DEFAULT_BIN_US,
  );
  bins.counts.forEach((c, i) => {
    const t = roundS((i * DEFAULT_BIN_US) / 1e6);
    timeline.push({ ...base, t_s: t, t_tgw_s: tgw(t), frames: c, event: '', group: '', source: '' });
  });
  for (const e of m.events) {
    // Only this group's reports/leaves, general queries and the harness's own events (the
    // stand-in also reports 224.0.0.106 for itself).
    if (e.group !== m.group && e.group !== '') continue;
    const t = rel(e.atUs);
    timeline.push({ ...base, t_s: t, t_tgw_s: tgw(t), frames: '', event: e.kind, group: e.group, source: e.source });
  }
  timeline.sort((a, b) => a.t_s - b.t_s);

  const lostPerKeepalive = keepalives > 0 ? roundS(acc.lost / keepalives) : null;
  return { row, windows: acc.windows, windowRows, timeline, wall: { timeToLossS, timeToRecoverS, keepalives, lostPerKeepalive } };
}
