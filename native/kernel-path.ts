// TypeScript face of the kernel tier (native/bpf/gb1-tc.bpf.c, loaded by the optional addon
// goose_bpf from native/src/kernel/): the GB1 data path as two tc programs, the user-space
// engine as their slow path. This file loads, configures and tests the object; attaching it to
// interfaces is the daemon's (tc-attach). Reference: docs/data-plane.md.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GbError } from '../errors/error-codes.js';
import { countsFromSlots, engineLayout, type EngineConfig, type EngineCounts, type EngineLayout } from './engine.js';
import { toGbError } from './index.js';

export type KernelProgram = 'to_wan' | 'from_wan';

/** tc actions a program returns (linux/pkt_cls.h). */
export const TC_ACT_OK = 0;
export const TC_ACT_SHOT = 2;
export const TC_ACT_REDIRECT = 7;

/** Slots of the kernel tier's GB1 sequence map (gb_seq): KernelPathConfig.seqSlots are below it. */
export const SEQ_SLOTS = 64;

/** APPIDs the kernel tier keeps per-APPID counters for (GB_KP_APPIDS): frames of more pass up. */
export const KERNEL_APPIDS = 1024;

/** Where the install-time build puts the object (native/bpf/build.sh). */
export const KERNEL_OBJECT_PATH = fileURLToPath(new URL('./build/bpf/gb1-tc.bpf.o', import.meta.url));
const ADDON_PATH = './build/Release/goose_bpf.node';

/** What the kernel tier is configured with: the engine's rules plus the WAN it sends on. */
export interface KernelPathConfig {
  engine: EngineConfig;
  /** GB1 sender id of this bridge (the same the user-space engine writes). */
  ownSender: { hi: number; lo: number };
  /** Per group of engine.groups (same order): the sequence slot, stable across reloads (0..63). */
  seqSlots: readonly number[];
  /** Groups whose datagrams the kernel tier delivers (joined); default all. */
  receive?: readonly boolean[];
  port: number;
  /** UDP source port of datagrams the kernel tier sends (default: port). */
  sourcePort?: number;
  ttl: number;
  tos?: number;
  /** WAN paths: each datagram leaves on every one (1..4). mac: "aa:bb:cc:dd:ee:ff". */
  uplinks: ReadonlyArray<{ ifindex: number; address: string; mac: string }>;
  /** The L2 side (goose0, or the gateway's LAN NIC) and whether frames enter it as received (TAP). */
  l2: { ifindex: number; ingress: boolean };
  /** Per direction: false passes every frame (datagram) to user space. Default true. */
  toWan?: boolean;
  fromWan?: boolean;
  /** Configuration generation (non-zero); bumped by the caller at each configure. */
  generation: number;
}

export interface TestRunResult {
  /** The tc action the program returned (TC_ACT_*). */
  action: number;
  /** The packet as the program left it. */
  out: Uint8Array;
  /** Engine-style verdict: 'forward', 'pass' (to user space) or the drop label that was counted. */
  verdict: string;
  /** The program's run time (ns), as the kernel measured it (helpers included, redirects excluded). */
  durationNs: number;
  /** skb->mark as the program left it: from_wan's stamp on what it passes up (gb1-kernel.h, GB_KP_STAMP_*). */
  mark: number;
}

interface NativeBpfObject {
  configure(cfg: object): void;
  setClock(ns: number): void;
  setDrained(slot: number, cpu: number, stamp: number): void;
  testRun(prog: string, data: Uint8Array, ifindex: number, gsoSegs: number): { retval: number; out: Uint8Array; durationNs: number; mark: number };
  counterSlots(): number[];
  appidRows(): Array<[number, number[]]>;
  senderEntries(): number;
  resetState(): void;
  programFd(prog: string): number;
  mapFd(name: string): number;
  pin(name: string, path: string): void;
  close(): void;
}
interface NativeBpfAddon {
  BpfObject: new (path: string) => NativeBpfObject;
}

const require = createRequire(import.meta.url);
let addon: NativeBpfAddon | undefined;
let addonError: string | undefined;

function bpfAddon(): NativeBpfAddon {
  if (addon) return addon;
  if (addonError === undefined) {
    try {
      addon = require(ADDON_PATH) as NativeBpfAddon;
      return addon;
    } catch (e) {
      addonError = `the goose_bpf addon is not built (needs clang and libbpf-dev at install time): ${(e as Error).message.split('\n')[0]}`;
    }
  }
  throw new GbError('GB_ERR_KERNEL_PATH', addonError);
}

/** Whether the kernel tier can run here: the object built, the addon built, bpf() allowed. */
export function kernelPathSupport(): { ok: true } | { ok: false; reason: string } {
  if (!existsSync(KERNEL_OBJECT_PATH)) return { ok: false, reason: `not built: ${KERNEL_OBJECT_PATH} is missing (needs clang and libbpf-dev at install time)` };
  try {
    KernelPathObject.load().close();
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

function parseMac(mac: string, field: string): number[] {
  const m = /^([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})$/i.exec(mac);
  if (m === null) throw new GbError('GB_ERR_CONFIG', `${field}: "${mac}" is not a MAC address (aa:bb:cc:dd:ee:ff)`);
  return m.slice(1).map((h) => parseInt(h, 16));
}

export class KernelPathObject {
  readonly #n: NativeBpfObject;
  #closed = false;
  #fromWanDelivers = false;

  private constructor(n: NativeBpfObject) {
    this.#n = n;
  }

  /** Opens and loads the object (the verifier runs here); throws GB_ERR_KERNEL_PATH naming what failed. */
  static load(path = KERNEL_OBJECT_PATH): KernelPathObject {
    const a = bpfAddon();
    try {
      return new KernelPathObject(new a.BpfObject(path));
    } catch (e) {
      throw toGbError(e, 'GB_ERR_KERNEL_PATH');
    }
  }

  /** Fills the config, group-map and allow-list maps; the programs see it from the next packet. */
  configure(cfg: KernelPathConfig): void {
    const e = cfg.engine;
    if (e.encapsulation === 'rgoose' && (cfg.toWan !== false || cfg.fromWan !== false)) {
      // R-GOOSE is user space's: the kernel tier passes everything up.
      cfg = { ...cfg, toWan: false, fromWan: false };
    }
    if (cfg.seqSlots.length !== e.groups.length) throw new GbError('GB_ERR_CONFIG', `seqSlots: ${cfg.seqSlots.length} slots for ${e.groups.length} groups`);
    // Gateway pairs (a site) elect the LAN writer in user space: handled there, as gateway mode.
    const gateway = e.gateway || (e.site ?? 0) !== 0;
    this.#n.configure({
      generation: cfg.generation,
      ownHi: cfg.ownSender.hi >>> 0,
      ownLo: cfg.ownSender.lo >>> 0,
      enableSv: e.enableSv,
      enableGse: e.enableGse,
      checkAppIdRange: e.checkAppIdRange,
      appIdAllow: e.appIdAllow === null ? null : e.appIdAllow.map(([lo, hi]) => [lo, hi]),
      gateway,
      toWan: cfg.toWan !== false,
      fromWan: cfg.fromWan !== false,
      l2Ingress: cfg.l2.ingress,
      l2Ifindex: cfg.l2.ifindex,
      maxFrame: e.maxFrame,
      maxDatagram: e.maxDatagram,
      l2Mtu: e.l2Mtu,
      port: cfg.port,
      sourcePort: cfg.sourcePort ?? cfg.port,
      ttl: cfg.ttl,
      tos: cfg.tos ?? 0,
      groups: e.groups.map((address, i) => ({ address, seqSlot: cfg.seqSlots[i]!, receive: cfg.receive?.[i] ?? true })),
      rules: e.rules.map((r) => ({ mac: r.kind === 'mac', lo: r.lo, hi: r.hi, group: r.groupIndex })),
      uplinks: cfg.uplinks.map((u, i) => ({ ifindex: u.ifindex, address: u.address, mac: parseMac(u.mac, `uplinks[${i}].mac`) })),
    });
    this.#fromWanDelivers = cfg.fromWan !== false && !gateway;
  }

  /** Whether from_wan delivers datagrams with the configuration last given (else it passes every one up). */
  get fromWanDelivers(): boolean {
    return this.#fromWanDelivers;
  }

  /**
   * Runs a program once on `frame` (BPF_PROG_TEST_RUN): nothing is sent, the maps and counters
   * change as for a real packet. `ifindex`: the interface the packet is seen on (from_wan: which
   * uplink, i.e. the WAN path); it must exist in this network namespace. `gsoSegs` > 1: the packet
   * is a run of that many datagrams (UDP GSO carried whole, or merged by GRO).
   */
  testRun(prog: KernelProgram, frame: Uint8Array, ifindex = 0, gsoSegs = 0): TestRunResult {
    const before = this.#n.counterSlots();
    const r = this.#call(() => this.#n.testRun(prog, frame, ifindex, gsoSegs));
    const after = this.#n.counterSlots();
    const action = r.retval;
    let verdict = action === TC_ACT_OK ? 'pass' : 'forward';
    if (action === TC_ACT_SHOT) verdict = dropLabel(prog, before, after) ?? 'shot';
    return { action, out: r.out, verdict, durationNs: r.durationNs, mark: r.mark };
  }

  /** Test hook: the programs' clock (ns, CLOCK_MONOTONIC scale); 0 = the real clock. */
  setClock(ns: number): void {
    this.#call(() => this.#n.setClock(ns));
  }

  /** Test hook: user space wrote what `cpu` passed up for group slot `slot` up to `stamp` (as the engine reports it). */
  setDrained(slot: number, cpu: number, stamp: number): void {
    this.#call(() => this.#n.setDrained(slot, cpu, stamp));
  }

  /** Test hook: forgets senders, delivered frames, loop fingerprints, sequence numbers and counters. */
  resetState(): void {
    this.#call(() => this.#n.resetState());
  }

  /** Counters summed over CPUs, under the engine's labels (counters and drops of both directions). */
  counters(): Record<string, number> {
    const c = this.counts();
    return { ...c.counters, ...c.toWanDrops, ...c.fromWanDrops };
  }

  /**
   * The same counters shaped as the engine's counts(), per WAN path included: the two add up.
   * `senders` is the entries gb_senders holds now; `senders_evicted` the senders first seen that
   * it no longer holds (the LRU map evicts without telling the program).
   */
  counts(): EngineCounts {
    const c = countsFromSlots(this.#n.counterSlots());
    const held = this.#call(() => this.#n.senderEntries());
    c.counters.senders = held;
    c.counters.senders_evicted = Math.max(0, (c.counters.senders_seen ?? 0) - held);
    return c;
  }

  /**
   * Datagrams received per gb_seq slot (KernelPathConfig.seqSlots: a group's slot), SEQ_SLOTS long:
   * those the kernel tier forwarded or dropped (what it passed up the engine counts per group).
   */
  groupDatagrams(): number[] {
    const s = this.#n.counterSlots();
    const from = slotsOf(engineLayout());
    return Array.from({ length: SEQ_SLOTS }, (_, i) => s[from + i] ?? 0);
  }

  /**
   * Per-APPID counters as the engine's appidCounts() (`0x` + 4 hex digits → engineLayout().perAppid
   * labels) of every APPID whose frames the kernel tier counted. At most KERNEL_APPIDS APPIDs: frames
   * of further ones pass up to the engine, which counts them.
   */
  appidCounts(): Record<string, Record<string, number>> {
    const cols = engineLayout().perAppid;
    const out: Record<string, Record<string, number>> = {};
    for (const [appid, slots] of this.#call(() => this.#n.appidRows())) {
      // A row made for a datagram that was passed up after all holds zeros: not an APPID counted here.
      if (slots.every((v) => v === 0)) continue;
      out[`0x${appid.toString(16).padStart(4, '0')}`] = Object.fromEntries(cols.map((name, c) => [name, slots[c] ?? 0]));
    }
    return out;
  }


  programFd(prog: KernelProgram): number {
    return this.#n.programFd(prog);
  }

  /** A map's descriptor (gb_config, gb_seq, gb_senders, …), e.g. to pin it. */
  mapFd(name: string): number {
    return this.#n.mapFd(name);
  }

  /** Pins a program or map (by name) at a bpffs path (e.g. for `tc filter … object-pinned`, or to outlive a restart). */
  pin(name: KernelProgram | string, path: string): void {
    this.#call(() => this.#n.pin(name, path));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#n.close();
  }

  #call<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      throw toGbError(e, 'GB_ERR_KERNEL_PATH');
    }
  }
}

/** Slots of the engine's layout, where the kernel tier's per-group slots begin. */
function slotsOf(l: EngineLayout): number {
  return l.counters.length + l.toWanDrops.length + l.fromWanDrops.length + l.maxPaths * l.perPath.length;
}

/** The drop reason whose slot moved during one test run. */
function dropLabel(prog: KernelProgram, before: number[], after: number[]): string | undefined {
  const l = engineLayout();
  const base = prog === 'to_wan' ? l.counters.length : l.counters.length + l.toWanDrops.length;
  const labels = prog === 'to_wan' ? l.toWanDrops : l.fromWanDrops;
  const i = labels.findIndex((_, k) => after[base + k]! > before[base + k]!);
  return i < 0 ? undefined : labels[i];
}
