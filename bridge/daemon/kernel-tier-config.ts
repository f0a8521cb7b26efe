// What the kernel tier (native/kernel-path.ts) is configured with, derived from the same
// configuration the user-space engine gets, and how its counters join the engine's. Pure: no I/O.
import type { EngineConfig, EngineCounts } from '../../native/engine.js';
import { SEQ_SLOTS, type KernelPathConfig } from '../../native/kernel-path.js';
import type { BridgeConfig, DataPlaneName } from '../config/config-keys.js';
import { GbError } from '../../errors/error-codes.js';

/** Which tier forwards, what was asked, and why the kernel tier is not the one when it is not. */
export interface TierChoice {
  tier: 'kernel' | 'user';
  requested: DataPlaneName;
  /** Why user space forwards everything (null: the kernel tier runs, or user was asked for). */
  reason: string | null;
}

/**
 * auto: the kernel tier unless the configuration gives it nothing to do. R-GOOSE is user space's
 * alone (signatures, encryption, replay windows), so auto picks user for it rather than attach
 * programs that pass every frame up; kernel attaches them anyway (they pass everything up).
 */
export function autoSkipReason(cfg: BridgeConfig): string | null {
  if (cfg.encapsulation === 'rgoose') return 'encapsulation = rgoose: the kernel tier carries GB1 only';
  return null;
}

/**
 * The group → gb_seq slot assignment: a group keeps its slot across reloads (its sequence numbers
 * continue where they were), a new group takes the lowest slot no group of the map holds.
 */
export class SeqSlots {
  private readonly slots = new Map<string, number>();

  assign(groups: readonly string[]): number[] {
    return groups.map((g) => {
      let slot = this.slots.get(g);
      if (slot === undefined) {
        slot = this.freeSlot(groups);
        this.slots.set(g, slot);
      }
      return slot;
    });
  }

  /** The group's slot (undefined: never assigned). */
  slotOf(group: string): number | undefined {
    return this.slots.get(group);
  }

  /** A slot never used, else one of a group no longer in the map (a receiver sees a new sender). */
  private freeSlot(keep: readonly string[]): number {
    const used = new Set(this.slots.values());
    for (let s = 0; s < SEQ_SLOTS; s++) if (!used.has(s)) return s;
    for (const [g, s] of this.slots) {
      if (!keep.includes(g)) {
        this.slots.delete(g);
        return s;
      }
    }
    throw new GbError('GB_ERR_CONFIG', `group_map: more than ${SEQ_SLOTS} groups (the kernel tier's sequence slots)`);
  }
}

export interface KernelInputs {
  cfg: BridgeConfig;
  engine: EngineConfig;
  ownSender: { hi: number; lo: number };
  seqSlots: readonly number[];
  join: readonly boolean[];
  uplinks: ReadonlyArray<{ ifindex: number; address: string; mac: string }>;
  l2Ifindex: number;
  generation: number;
}

/**
 * Whether the kernel tier's from_wan delivers on the uplinks of `cfg` (rather than pass everything
 * up): GB1, one uplink, the TAP side. Then the engine's receive sockets get only what it passes up.
 */
export function kernelTierReceives(cfg: BridgeConfig, uplinkCount: number): boolean {
  return cfg.encapsulation !== 'rgoose' && uplinkCount === 1 && cfg.attachInterface === '';
}

export function kernelPathConfigFor(k: KernelInputs): KernelPathConfig {
  const gateway = k.cfg.attachInterface !== '';
  // Dual paths: the per-path rows (datagrams each way, first copies, skew, silent paths) are
  // counted in user space, so with more than one uplink every frame and datagram goes up there.
  const onePath = k.uplinks.length === 1;
  return {
    engine: k.engine,
    ownSender: k.ownSender,
    seqSlots: k.seqSlots,
    receive: k.join,
    port: k.cfg.multicastPort,
    ttl: k.cfg.ttl,
    uplinks: k.uplinks,
    // A TAP: frames from the WAN enter goose0 as received. A gateway's LAN: they leave the NIC.
    l2: { ifindex: k.l2Ifindex, ingress: !gateway },
    // A gateway pair elects its LAN writer and learns its peers from heartbeats in user space:
    // everything from the WAN goes up there.
    toWan: onePath,
    fromWan: onePath && !(gateway && k.cfg.site !== ''),
    generation: k.generation,
  };
}

/** Engine counters that are states, not counts: the user-space engine's value stands. */
const GAUGES = new Set(['lan_writer', 'site_peers', 'skew_ewma_us', 'skew_max_us']);

/**
 * The engine's counters with the kernel tier's added under the same labels, per WAN path too (the
 * kernel tier counts what it forwarded or dropped; what it passed up the engine counts), so the
 * stats file, status and metrics show one bridge whichever tier handled a frame. The `senders`
 * gauge adds the two sender tables' entries (a sender whose datagrams both tiers handled is in
 * each), `senders_evicted` their evictions.
 */
export function withKernelCounts(e: EngineCounts, k: EngineCounts): EngineCounts {
  const add = (rows: Record<string, number>, more: Readonly<Record<string, number>> | undefined): Record<string, number> =>
    Object.fromEntries(Object.entries(rows).map(([label, v]) => [label, GAUGES.has(label) ? v : v + (more?.[label] ?? 0)]));
  return {
    counters: add(e.counters, k.counters),
    toWanDrops: add(e.toWanDrops, k.toWanDrops),
    fromWanDrops: add(e.fromWanDrops, k.fromWanDrops),
    paths: e.paths.map((row, i) => add(row, k.paths[i])),
  };
}

type AppidRows = Record<string, Record<string, number>>;

/**
 * The engine's per-APPID rows (ForwardingEngine.appidCounts()) with the kernel tier's added, APPID
 * by APPID and label by label, in APPID order: each tier counts the frames it decided.
 */
export function withKernelAppidCounts(e: AppidRows, k: AppidRows): AppidRows {
  const out: AppidRows = {};
  for (const appid of [...new Set([...Object.keys(e), ...Object.keys(k)])].sort()) {
    const [a, b] = [e[appid] ?? {}, k[appid] ?? {}];
    out[appid] = Object.fromEntries([...new Set([...Object.keys(a), ...Object.keys(b)])].map((label) => [label, (a[label] ?? 0) + (b[label] ?? 0)]));
  }
  return out;
}
