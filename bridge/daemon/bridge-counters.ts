// The counters the stats file, `status` and the metrics endpoint are built from: the data
// plane's, copied from the native engine's shared block at snapshot time, and the control
// plane's (IGMP, errors, recoveries), counted here.
import { engineLayout, type EngineCounts } from '../../native/engine.js';
import type { RedundancySnapshot } from './redundancy.js';

/**
 * Drop reasons per direction: the labels are defined once, in the native engine's table
 * (native/src/engine/engine-tables.h), and read from the addon.
 */
export const TO_WAN_DROP_REASONS: readonly string[] = engineLayout().toWanDrops;
export const FROM_WAN_DROP_REASONS: readonly string[] = engineLayout().fromWanDrops;

export const TO_WAN_INDEX: Record<string, number> = Object.fromEntries(TO_WAN_DROP_REASONS.map((r, i) => [r, i]));
export const FROM_WAN_INDEX: Record<string, number> = Object.fromEntries(FROM_WAN_DROP_REASONS.map((r, i) => [r, i]));

export class BridgeCounters {
  l2FramesRead = 0;
  l2BytesRead = 0;
  wanDatagramsSent = 0;
  wanBytesSent = 0;
  readonly toWanDrops = new Float64Array(TO_WAN_DROP_REASONS.length);

  wanDatagramsReceived = 0;
  wanBytesReceived = 0;
  l2FramesWritten = 0;
  l2BytesWritten = 0;
  readonly fromWanDrops = new Float64Array(FROM_WAN_DROP_REASONS.length);

  igmpKeepalives = 0;
  igmpKeepaliveFailures = 0;
  igmpChecks = 0;
  igmpFailedChecks: Record<string, number> = { 'membership-missing': 0, 'no-datagrams': 0 };
  igmpReregistrations = 0;

  /** Errors by kind (tap-lost, socket-error, keepalive, stats-write …). */
  errors: Record<string, number> = {};
  /** Resources recreated after loss, by resource (tap, socket). */
  recoveries: Record<string, number> = {};

  /** Frames the kernel dropped before the bridge read them: the TAP's tx_dropped, or the packet socket's drops. */
  l2KernelDrops = 0;
  /** Datagrams the kernel dropped because a receive buffer was full (SO_RXQ_OVFL). */
  kernelRcvbufDrops = 0;
  /** send/sendmmsg calls, and the datagrams that left inside UDP GSO runs (one pass through the stack per run). */
  wanSendCalls = 0;
  wanSegmentedDatagrams = 0;
  /** Datagrams that arrived inside UDP GRO runs (one read per run). */
  wanCoalescedDatagrams = 0;
  wanControlDatagrams = 0;
  /** System calls that read and wrote the L2 side (an io_uring batch is one). */
  l2ReadCalls = 0;
  l2WriteCalls = 0;

  countError(kind: string): void {
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
  }

  countRecovery(resource: string): void {
    this.recoveries[resource] = (this.recoveries[resource] ?? 0) + 1;
  }
}

/** Numbers the WAN trackers keep (summed over groups). */
export interface TrackerTotals {
  gapFrames: number;
  gapEvents: number;
  lateFrames: number;
  duplicates: number;
  stale: number;
  ownDatagrams: number;
  senders: number;
  sendersSeen?: number;
  sendersEvicted?: number;
}

/** Copies the engine's data-plane counts into `c` and returns the sender-tracking totals. */
export function absorbEngineCounts(e: EngineCounts, c: BridgeCounters): TrackerTotals {
  const n = e.counters;
  c.l2FramesRead = n.l2_frames_read!;
  c.l2BytesRead = n.l2_bytes_read!;
  c.wanDatagramsSent = n.wan_datagrams_sent!;
  c.wanBytesSent = n.wan_bytes_sent!;
  c.wanDatagramsReceived = n.wan_datagrams_received!;
  c.wanBytesReceived = n.wan_bytes_received!;
  c.l2FramesWritten = n.l2_frames_written!;
  c.l2BytesWritten = n.l2_bytes_written!;
  c.kernelRcvbufDrops = n.kernel_rcvbuf_drops!;
  c.wanSendCalls = n.wan_send_calls!;
  c.wanSegmentedDatagrams = n.wan_segmented_datagrams!;
  c.wanCoalescedDatagrams = n.wan_coalesced_datagrams!;
  c.wanControlDatagrams = n.wan_control_datagrams!;
  c.l2ReadCalls = n.l2_read_calls!;
  c.l2WriteCalls = n.l2_write_calls!;
  TO_WAN_DROP_REASONS.forEach((r, i) => (c.toWanDrops[i] = e.toWanDrops[r]!));
  FROM_WAN_DROP_REASONS.forEach((r, i) => (c.fromWanDrops[i] = e.fromWanDrops[r]!));
  return {
    gapFrames: n.gap_frames!,
    gapEvents: n.gap_events!,
    lateFrames: n.late_frames!,
    duplicates: e.fromWanDrops.duplicate!,
    stale: e.fromWanDrops.stale!,
    ownDatagrams: e.fromWanDrops['own-sender']!,
    senders: n.senders!,
    sendersSeen: n.senders_seen!,
    sendersEvicted: n.senders_evicted!,
  };
}

export interface StatsSnapshot {
  version: 1;
  time: string;
  pid: number;
  uptime_s: number;
  sender_id: string;
  interface: string;
  uplink: string;
  groups: string[];
  port: number;
  keepalive_strategy: string;
  /** WAN encapsulation, and whether what arrives is authenticated (R-GOOSE with keys); GB1 never is. */
  encapsulation: 'gb1' | 'rgoose';
  wan_authenticated: boolean;
  to_wan: {
    frames_read: number;
    bytes_read: number;
    /** System calls that read them (an io_uring burst is one). */
    read_calls: number;
    datagrams_sent: number;
    bytes_sent: number;
    /** send/sendmmsg calls that carried them, and those sent inside UDP GSO runs. */
    send_calls: number;
    segmented_datagrams: number;
    dropped: number;
    drops: Record<string, number>;
    /** Frames the kernel dropped on the L2 side before the bridge read them. */
    kernel_drops: number;
  };
  from_wan: {
    datagrams_received: number;
    bytes_received: number;
    frames_written: number;
    bytes_written: number;
    /** System calls that wrote them (an io_uring batch is one). */
    write_calls: number;
    dropped: number;
    drops: Record<string, number>;
    gap_frames: number;
    gap_events: number;
    late_frames: number;
    senders: number;
    senders_seen: number;
    senders_evicted: number;
    /** Datagrams the kernel dropped for a full receive buffer (floods cost real frames here). */
    kernel_rcvbuf_drops: number;
    /** Datagrams that arrived inside UDP GRO runs. */
    coalesced_datagrams: number;
    /** Gateway-pair heartbeats heard: datagrams that carry no frame and are no drop. */
    control_datagrams: number;
  };
  igmp: {
    keepalives: number;
    keepalive_failures: number;
    checks: number;
    failed_checks: Record<string, number>;
    reregistrations: number;
    membership: Record<string, boolean | null>;
    last_keepalive: string | null;
    last_check: string | null;
  };
  errors: Record<string, number>;
  recoveries: Record<string, number>;
  /** Per APPID that saw a frame ("0x0001"): frames and bytes each way, and frames dropped after the APPID was read. */
  per_appid?: Record<string, PerAppid>;
  /** Which tier forwards (docs/data-plane.md, "Choosing the tier"): what data_plane asked, why user space when it fell back, where the programs are attached. */
  data_plane?: {
    tier: 'kernel' | 'user';
    requested: 'auto' | 'kernel' | 'user';
    reason: string | null;
    hooks: string[];
    /** What the kernel tier handled itself (already part of to_wan/from_wan): datagrams sent, frames written. */
    kernel_datagrams_sent: number;
    kernel_frames_written: number;
  };
  /** Per WAN path (uplink), and a gateway pair's site (docs/bridge.md, "Redundancy"). */
  redundancy?: RedundancySnapshot;
  /** The daemon process itself: how late its event loop ran (since start) and its memory. */
  runtime: RuntimeSnapshot;
}

export interface PerAppid {
  to_wan_frames: number;
  to_wan_bytes: number;
  from_wan_frames: number;
  from_wan_bytes: number;
  dropped: number;
}

/** The engine's per-APPID rows as the stats file carries them. */
export function perAppidFrom(rows: Record<string, Record<string, number>>): Record<string, PerAppid> {
  const out: Record<string, PerAppid> = {};
  for (const [appid, r] of Object.entries(rows)) {
    out[appid] = {
      to_wan_frames: r.to_wan_frames ?? 0,
      to_wan_bytes: r.to_wan_bytes ?? 0,
      from_wan_frames: r.from_wan_frames ?? 0,
      from_wan_bytes: r.from_wan_bytes ?? 0,
      dropped: (r.to_wan_dropped ?? 0) + (r.from_wan_dropped ?? 0),
    };
  }
  return out;
}

export interface RuntimeSnapshot {
  event_loop_delay_p50_us: number | null;
  event_loop_delay_p99_us: number | null;
  event_loop_delay_max_us: number | null;
  rss_bytes: number | null;
  heap_used_bytes: number | null;
}

const NO_RUNTIME: RuntimeSnapshot = {
  event_loop_delay_p50_us: null,
  event_loop_delay_p99_us: null,
  event_loop_delay_max_us: null,
  rss_bytes: null,
  heap_used_bytes: null,
};

export interface SnapshotContext {
  nowMs: number;
  startedMs: number;
  pid: number;
  senderId: string;
  interface: string;
  uplink: string;
  groups: string[];
  port: number;
  keepaliveStrategy: string;
  /** Absent: GB1, unauthenticated (the safe assumption). */
  encapsulation?: 'gb1' | 'rgoose';
  wanAuthenticated?: boolean;
  membership: Record<string, boolean | null>;
  lastKeepaliveMs: number | null;
  lastCheckMs: number | null;
  /** Measured by the caller (the daemon); absent → nulls. */
  runtime?: RuntimeSnapshot;
}

function sum(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s;
}

export function snapshotCounters(c: BridgeCounters, t: TrackerTotals, ctx: SnapshotContext): StatsSnapshot {
  const fromDrops = Float64Array.from(c.fromWanDrops);
  fromDrops[FROM_WAN_INDEX['own-sender']!] = t.ownDatagrams;
  fromDrops[FROM_WAN_INDEX.duplicate!] = t.duplicates;
  fromDrops[FROM_WAN_INDEX.stale!] = t.stale;
  const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
  return {
    version: 1,
    time: new Date(ctx.nowMs).toISOString(),
    pid: ctx.pid,
    uptime_s: Math.round((ctx.nowMs - ctx.startedMs) / 100) / 10,
    sender_id: ctx.senderId,
    interface: ctx.interface,
    uplink: ctx.uplink,
    groups: ctx.groups,
    port: ctx.port,
    keepalive_strategy: ctx.keepaliveStrategy,
    encapsulation: ctx.encapsulation ?? 'gb1',
    wan_authenticated: ctx.wanAuthenticated ?? false,
    to_wan: {
      frames_read: c.l2FramesRead,
      bytes_read: c.l2BytesRead,
      read_calls: c.l2ReadCalls,
      datagrams_sent: c.wanDatagramsSent,
      bytes_sent: c.wanBytesSent,
      send_calls: c.wanSendCalls,
      segmented_datagrams: c.wanSegmentedDatagrams,
      dropped: sum(c.toWanDrops),
      drops: Object.fromEntries(TO_WAN_DROP_REASONS.map((r, i) => [r, c.toWanDrops[i]!])),
      kernel_drops: c.l2KernelDrops,
    },
    from_wan: {
      datagrams_received: c.wanDatagramsReceived,
      bytes_received: c.wanBytesReceived,
      frames_written: c.l2FramesWritten,
      bytes_written: c.l2BytesWritten,
      write_calls: c.l2WriteCalls,
      dropped: sum(fromDrops),
      drops: Object.fromEntries(FROM_WAN_DROP_REASONS.map((r, i) => [r, fromDrops[i]!])),
      gap_frames: t.gapFrames,
      gap_events: t.gapEvents,
      late_frames: t.lateFrames,
      senders: t.senders,
      senders_seen: t.sendersSeen ?? 0,
      senders_evicted: t.sendersEvicted ?? 0,
      kernel_rcvbuf_drops: c.kernelRcvbufDrops,
      coalesced_datagrams: c.wanCoalescedDatagrams,
      control_datagrams: c.wanControlDatagrams,
    },
    igmp: {
      keepalives: c.igmpKeepalives,
      keepalive_failures: c.igmpKeepaliveFailures,
      checks: c.igmpChecks,
      failed_checks: { ...c.igmpFailedChecks },
      reregistrations: c.igmpReregistrations,
      membership: { ...ctx.membership },
      last_keepalive: iso(ctx.lastKeepaliveMs),
      last_check: iso(ctx.lastCheckMs),
    },
    errors: { ...c.errors },
    recoveries: { ...c.recoveries },
    runtime: { ...(ctx.runtime ?? NO_RUNTIME) },
  };
}
