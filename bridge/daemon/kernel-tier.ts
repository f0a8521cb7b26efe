// The kernel tier in the daemon: one loaded object (native/kernel-path.ts) whose maps follow the
// daemon's configuration, its to_wan program on the L2 side (goose0's egress, or a gateway's LAN
// NIC's ingress) and its from_wan program on each uplink's ingress. What the programs pass up
// reaches the user-space engine unchanged, so detaching them at any moment only moves work to it.
import { readFileSync } from 'node:fs';
import type { EngineConfig, EngineCounts, ForwardingEngine } from '../../native/engine.js';
import { GbError } from '../../errors/error-codes.js';
import { KernelPathObject, SEQ_SLOTS, kernelPathSupport, type KernelProgram } from '../../native/kernel-path.js';
import { tcAttach, tcDetach, tcQuery, tcSupport, type TcHook } from '../../native/tc-attach.js';
import { bpfProgramHolders } from './bpf-holders.js';
import type { BridgeConfig } from '../config/config-keys.js';
import type { Uplink } from '../wan/uplink.js';
import { kernelPathConfigFor, SeqSlots } from './kernel-tier-config.js';
import { interfaceIndex, type L2Side } from './l2-side.js';

interface Hook {
  ifname: string;
  ifindex: number;
  where: TcHook;
  prog: KernelProgram;
}

export interface KernelApply {
  cfg: BridgeConfig;
  engine: EngineConfig;
  ownSender: { hi: number; lo: number };
  join: readonly boolean[];
  uplinks: readonly Uplink[];
  l2: L2Side;
}

function interfaceMac(ifname: string): string {
  try {
    return readFileSync(`/sys/class/net/${ifname}/address`, 'utf8').trim();
  } catch {
    throw new GbError('GB_ERR_NO_INTERFACE', `uplink interface "${ifname}" (mcast_if) does not exist`);
  }
}

/** Whether the kernel tier can run here (object and addons built, bpf() allowed); the reason when not. */
export function kernelTierSupport(): { ok: true } | { ok: false; reason: string } {
  const tc = tcSupport();
  return tc.ok ? kernelPathSupport() : tc;
}

function hooksFor(l2: L2Side, uplinks: readonly Uplink[], uplinkIndexes: readonly number[]): Hook[] {
  return [
    { ifname: l2.ifname, ifindex: l2.ifindex, where: l2.gateway ? 'ingress' : 'egress', prog: 'to_wan' },
    ...uplinks.map((u, i): Hook => ({ ifname: u.name, ifindex: uplinkIndexes[i]!, where: 'ingress', prog: 'from_wan' })),
  ];
}

/** Another running bridge's program on the hook (a shared uplink): taking it over would break that bridge. */
function foreignHolders(h: Hook): number[] {
  const id = tcQuery(h.ifindex, h.where);
  return id === 0 ? [] : bpfProgramHolders(id);
}

function refuseForeign(h: Hook): void {
  const pids = foreignHolders(h);
  if (pids.length > 0) {
    throw new GbError('GB_ERR_KERNEL_PATH', `${h.ifname} ${h.where} carries the kernel tier of another running bridge (pid ${pids.join(', ')}); one kernel tier per interface`);
  }
}

/**
 * User space forwards everything: removes a filter of ours that a daemon which died without
 * detaching left on these hooks (it would keep forwarding with that daemon's configuration, or
 * take datagrams from the uplink for a TAP that is gone). Another running bridge's filter stays.
 * Returns what was removed, e.g. ["h1-up ingress"].
 */
export function removeLeftovers(l2: L2Side, uplinks: readonly Uplink[]): string[] {
  if (!tcSupport().ok) return [];
  const removed: string[] = [];
  for (const h of hooksFor(l2, uplinks, uplinks.map((u) => interfaceIndex(u.name)))) {
    try {
      if (tcQuery(h.ifindex, h.where) !== 0 && foreignHolders(h).length === 0 && tcDetach(h.ifindex, h.where)) removed.push(`${h.ifname} ${h.where}`);
    } catch {
      /* an interface going away takes its filter with it */
    }
  }
  return removed;
}

const sameHook = (a: Hook, b: Hook): boolean => a.ifindex === b.ifindex && a.where === b.where;

export class KernelTier {
  private hooks: Hook[] = [];
  private generation = 0;
  private readonly seq = new SeqSlots();

  private constructor(private readonly obj: KernelPathObject) {}

  /** Loads the object (the verifier runs here); throws GB_ERR_KERNEL_PATH naming what failed. */
  static load(): KernelTier {
    const tc = tcSupport();
    if (!tc.ok) throw new GbError('GB_ERR_KERNEL_PATH', tc.reason);
    return new KernelTier(KernelPathObject.load());
  }

  /**
   * At start and before each reload's switch: the engine's GB1 numbers of these groups come from
   * the kernel tier's sequence map (a group address keeps its slot, so a sender's numbers stay
   * monotonic whichever tier sends, also for groups a reload adds), and the engine reports what it
   * wrote of what the kernel tier passed up (the order rule: docs/data-plane.md).
   */
  shareSequences(engine: ForwardingEngine, groups: readonly string[]): void {
    const slots = this.seq.assign(groups);
    engine.shareSequences(this.obj.mapFd('gb_seq'), SEQ_SLOTS, groups.map((g, i) => [g, slots[i]!] as const), this.obj.mapFd('gb_drained'));
  }

  /**
   * While from_wan is attached and delivers (to_wan forwards then too), the engine's copy discard of
   * GB1 frames is the kernel tier's map and its loop guard sees the kernel tier's (one decision,
   * whichever tier each copy or echo reached); else the engine's own tables, at no cost per frame.
   */
  shareGuards(engine: ForwardingEngine): void {
    const delivers = this.hooks.some((h) => h.prog === 'from_wan') && this.obj.fromWanDelivers;
    engine.shareGuards(delivers ? { delivered: this.obj.mapFd('gb_delivered'), recentRead: this.obj.mapFd('gb_recent_read') } : null);
  }

  /**
   * Fills the maps with a new generation, then attaches to this configuration's hooks (replacing in
   * one step what is there: ours, or a crashed daemon's) and detaches from hooks no longer used.
   * On failure every filter of ours is removed (user space forwards everything) and the error thrown.
   */
  apply(a: KernelApply): void {
    try {
      const uplinks = a.uplinks.map((u) => ({ ifindex: interfaceIndex(u.name), address: u.address, mac: interfaceMac(u.name) }));
      this.obj.configure(
        kernelPathConfigFor({
          cfg: a.cfg,
          engine: a.engine,
          ownSender: a.ownSender,
          seqSlots: this.seq.assign(a.engine.groups),
          join: a.join,
          uplinks,
          l2Ifindex: a.l2.ifindex,
          generation: ++this.generation,
        }),
      );
      const want = hooksFor(a.l2, a.uplinks, uplinks.map((u) => u.ifindex));
      const old = this.hooks;
      for (const h of want) if (!old.some((o) => sameHook(o, h))) refuseForeign(h);
      this.hooks = [];
      for (const h of want) {
        tcAttach(h.ifindex, h.where, this.obj.programFd(h.prog));
        this.hooks.push(h);
      }
      for (const h of old) if (!want.some((w) => sameHook(w, h))) tcDetach(h.ifindex, h.where);
    } catch (err) {
      this.detach();
      throw err;
    }
  }

  /** Where the programs are attached now, e.g. "goose0 egress (to_wan)". */
  describe(): string[] {
    return this.hooks.map((h) => `${h.ifname} ${h.where} (${h.prog})`);
  }

  get attached(): boolean {
    return this.hooks.length > 0;
  }

  /** Removes every filter of ours (an interface already gone took its filter with it). */
  detach(): void {
    for (const h of this.hooks) {
      try {
        tcDetach(h.ifindex, h.where);
      } catch {
        /* the interface is being deleted; its filter goes with it */
      }
    }
    this.hooks = [];
  }

  /** Counters summed over CPUs, shaped as the engine's counts() (per WAN path included). */
  counts(): EngineCounts {
    return this.obj.counts();
  }

  /**
   * Datagrams of `group` the kernel tier took off the uplinks (forwarded or dropped), counted under
   * the group's sequence slot, which stays its own across reloads; what it passed up the engine counts.
   */
  groupDatagrams(group: string): number {
    const slot = this.seq.slotOf(group);
    return slot === undefined ? 0 : (this.obj.groupDatagrams()[slot] ?? 0);
  }

  /** Per-APPID counters of the frames the kernel tier decided, shaped as the engine's appidCounts(). */
  appidCounts(): Record<string, Record<string, number>> {
    return this.obj.appidCounts();
  }

  close(): void {
    this.detach();
    this.obj.close();
  }
}
