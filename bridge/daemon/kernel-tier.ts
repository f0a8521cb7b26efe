// The kernel tier in the daemon: one loaded object (native/kernel-path.ts) whose maps follow the
// daemon's configuration, its to_wan program on the L2 side (goose0's egress, or a gateway's LAN
// NIC's ingress) and its from_wan program on each uplink's ingress. What the programs pass up
// reaches the user-space engine unchanged, so detaching them at any moment only moves work to it.
import { readFileSync } from 'node:fs';
import type { EngineConfig } from '../../native/engine.js';
import { GbError } from '../../native/errors.js';
import { KernelPathObject, kernelPathSupport, type KernelProgram } from '../../native/kernel-path.js';
import { tcAttach, tcDetach, tcSupport, type TcHook } from '../../native/tc-attach.js';
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
      const want: Hook[] = [
        { ifname: a.l2.ifname, ifindex: a.l2.ifindex, where: a.l2.gateway ? 'ingress' : 'egress', prog: 'to_wan' },
        ...a.uplinks.map((u, i): Hook => ({ ifname: u.name, ifindex: uplinks[i]!.ifindex, where: 'ingress', prog: 'from_wan' })),
      ];
      const old = this.hooks;
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

  /** Counters summed over CPUs, under the engine's labels. */
  counters(): Record<string, number> {
    return this.obj.counters();
  }

  close(): void {
    this.detach();
    this.obj.close();
  }
}
