// The daemon's stats snapshot, what the stats file, `status`, `monitor` and /metrics show: the
// engine's counters (both tiers summed) beside the control plane's, what runs (L2 side, uplinks,
// groups, keys), which tier forwards, the IGMP supervisors' view and the process's runtime. It
// reads the parts as they are when it is called, and writes into the counters only what they
// carry between snapshots: the engine's latest counts, and a packet socket's kernel drops (it
// reports them since its last read, so they add up there).
import type { EngineCounts, ForwardingEngine } from '../../native/engine.js';
import type { BridgeConfig } from '../config/config-keys.js';
import type { RgooseKeys } from '../config/rgoose-keys.js';
import { senderIdToHex, type SenderId } from '../wan/gb1-format.js';
import type { Uplink } from '../wan/uplink.js';
import { absorbEngineCounts, perAppidFrom, snapshotCounters, type BridgeCounters, type RuntimeSnapshot, type StatsSnapshot } from './bridge-counters.js';
import type { KernelTier } from './kernel-tier.js';
import { withKernelAppidCounts, type TierChoice } from './kernel-tier-config.js';
import { l2Name, tapKernelDrops, type L2Side } from './l2-side.js';
import { redundancySnapshot } from './redundancy.js';

/** One IGMP supervisor's view of its uplink (igmp-supervisor.ts). */
export interface SupervisorView {
  readonly strategy: string;
  readonly membership: Readonly<Record<string, boolean | null>>;
  readonly lastKeepaliveMs: number | null;
  readonly lastCheckMs: number | null;
}

/** What a snapshot reads: the daemon's parts and what runs now (no cfg before the first start). */
export interface SnapshotSources {
  counters: BridgeCounters;
  engine: Pick<ForwardingEngine, 'appidCounts' | 'packetSocketDrops'>;
  /** The engine's counters with the kernel tier's added under the same labels. */
  /** Both tiers' counts, given the kernel tier's already read (undefined: no kernel tier). */
  counts(kernel: EngineCounts | undefined): EngineCounts;
  kernel: Pick<KernelTier, 'counts' | 'describe' | 'appidCounts'> | null;
  tier: TierChoice;
  cfg: BridgeConfig | undefined;
  l2: L2Side | null;
  uplinks: readonly Uplink[];
  keys: RgooseKeys | null;
  supervisors: readonly SupervisorView[];
  /** Per WAN path: silent while the others carry datagrams (wan-watch.ts). */
  silentPaths: readonly boolean[];
  runtime: RuntimeSnapshot;
  startedMs: number;
  senderId: SenderId;
  nowMs: number;
}

/** The keepalive strategy the supervisors run ('none' before they start). */
export function keepaliveStrategy(supervisors: readonly SupervisorView[]): string {
  return supervisors[0]?.strategy ?? 'none';
}

function latest(ms: Array<number | null>): number | null {
  const known = ms.filter((m): m is number => m !== null);
  return known.length === 0 ? null : Math.max(...known);
}

/** A group is a member when every uplink's memberships list it (null until all were checked). */
function membership(supervisors: readonly SupervisorView[]): Record<string, boolean | null> {
  const out: Record<string, boolean | null> = {};
  for (const s of supervisors) {
    for (const [g, m] of Object.entries(s.membership)) out[g] = out[g] === undefined ? m : m === null || out[g] === null ? null : out[g] && m;
  }
  return out;
}

export function buildSnapshot(s: SnapshotSources): StatsSnapshot {
  // Reading the kernel's counters walks its maps: once per snapshot.
  const kernel = s.kernel?.counts();
  const counts = s.counts(kernel);
  const totals = absorbEngineCounts(counts, s.counters);
  if (s.l2 !== null) {
    s.counters.l2KernelDrops = s.l2.gateway ? s.counters.l2KernelDrops + s.engine.packetSocketDrops() : tapKernelDrops(s.l2.ifname);
  }
  const snap = snapshotCounters(s.counters, totals, {
    nowMs: s.nowMs,
    startedMs: s.startedMs,
    pid: process.pid,
    senderId: senderIdToHex(s.senderId),
    interface: s.cfg ? l2Name(s.cfg) : '',
    uplink: s.uplinks.map((u) => u.name).join(','),
    groups: s.cfg?.groupMap.groups ?? [],
    port: s.cfg?.multicastPort ?? 0,
    keepaliveStrategy: keepaliveStrategy(s.supervisors),
    encapsulation: s.cfg?.encapsulation ?? 'gb1',
    wanAuthenticated: s.keys !== null && s.cfg?.encapsulation === 'rgoose',
    membership: membership(s.supervisors),
    lastKeepaliveMs: latest(s.supervisors.map((v) => v.lastKeepaliveMs)),
    lastCheckMs: latest(s.supervisors.map((v) => v.lastCheckMs)),
    runtime: s.runtime,
  });
  const apps = s.engine.appidCounts();
  snap.per_appid = perAppidFrom(s.kernel === null ? apps : withKernelAppidCounts(apps, s.kernel.appidCounts()));
  const k = kernel?.counters;
  snap.data_plane = {
    ...s.tier,
    hooks: s.kernel?.describe() ?? [],
    kernel_datagrams_sent: k?.wan_datagrams_sent ?? 0,
    kernel_frames_written: k?.l2_frames_written ?? 0,
  };
  snap.redundancy = redundancySnapshot(counts, s.uplinks.map((u) => u.name), s.silentPaths, s.cfg?.site ?? '');
  return snap;
}
