// TypeScript face of the native forwarding engine (native/src/engine/): the data plane runs in
// two native threads; this class only opens resources, switches them in and reads counters.
import { GbError } from '../errors/error-codes.js';
import { nativeAddon, toGbError } from './index.js';

/** Rows of the per-APPID counter block, one per APPID. */
const APPID_ROWS = 0x10000;

/**
 * Counter slots in the engine's layout (counters, to-WAN drops, from-WAN drops, then one row per
 * WAN path) read as labelled counts; the kernel tier's per-CPU sums use the same layout.
 */
export function countsFromSlots(s: ArrayLike<number | bigint>): EngineCounts {
  const l = engineLayout();
  const read = (labels: readonly string[], base: number): Record<string, number> =>
    Object.fromEntries(labels.map((label, i) => [label, Number(s[base + i] ?? 0)]));
  const pathBase = l.counters.length + l.toWanDrops.length + l.fromWanDrops.length;
  return {
    counters: read(l.counters, 0),
    toWanDrops: read(l.toWanDrops, l.counters.length),
    fromWanDrops: read(l.fromWanDrops, l.counters.length + l.toWanDrops.length),
    paths: Array.from({ length: l.maxPaths }, (_, p) => read(l.perPath, pathBase + p * l.perPath.length)),
  };
}

/** What the engine decides with; derived from the bridge configuration by the daemon. */
export interface EngineConfig {
  enableSv: boolean;
  enableGse: boolean;
  checkAppIdRange: boolean;
  /** APPID ranges forwarded from the L2 side (inclusive); null = all. */
  appIdAllow: ReadonlyArray<readonly [number, number]> | null;
  /** Multicast groups; index 0 is the default group. */
  groups: readonly string[];
  rules: ReadonlyArray<{ kind: 'appid' | 'mac'; lo: number; hi: number; groupIndex: number }>;
  /** Longest frame sent to the WAN (path MTU minus IP, UDP and GB1 headers). */
  maxFrame: number;
  /** Longest datagram accepted (buffer_size). */
  maxDatagram: number;
  /** MTU of the L2 side: a carried frame longer than MTU + Ethernet header (+ tag) is dropped. */
  l2Mtu: number;
  /** The L2 side is a shared LAN (gateway mode): frames are never echoed or looped. */
  gateway: boolean;
  /** TAP reads and writes in batches through io_uring where the kernel has it (true when absent). */
  tapIoUring?: boolean;
  /** WAN encapsulation; GB1 when absent. */
  encapsulation?: 'gb1' | 'rgoose';
  /** R-GOOSE: longest UDP payload sent (path MTU minus IP and UDP headers). */
  maxPayload?: number;
  /** R-GOOSE keys (receivers accept each, senders sign with `activeKey`); none = unsigned SPDUs. */
  keys?: ReadonlyArray<{ id: number; signature: string; encryption: string; key: Uint8Array }>;
  activeKey?: number;
  /** R-GOOSE: retired keys and when their grace ends (CLOCK_MONOTONIC µs, as process.hrtime). */
  keyExpiry?: ReadonlyArray<{ id: number; atUs: number }>;
  /** R-GOOSE: destination MAC and VLAN per APPID for rebuilt frames (vid -1 = untagged). */
  l2Map?: ReadonlyArray<{ appid: number; mac: number[]; vid: number; priority: number }>;
  /** Gateway pairs: the site id (non-zero) gateways of one LAN share; absent or 0 = none. */
  site?: number;
  /** Gateway pairs: a peer silent this long (µs) is dead; also the start-up listening time. */
  siteHoldUs?: number;
}

export interface WanOpenOptions {
  groups: readonly string[];
  join: readonly boolean[];
  port: number;
  /** The WAN paths: every datagram leaves on each; 1..maxPaths. */
  uplinks: ReadonlyArray<{ address: string; ifindex: number }>;
  ttl: number;
  socketBufferBytes: number;
  /**
   * The kernel tier's from_wan delivers on these uplinks: the receive sockets read each datagram
   * alone (no UDP GRO) and report the kernel tier's stamps of what it passed up (docs/data-plane.md).
   */
  behindKernelTier?: boolean;
}

export interface L2Opened {
  handle: number;
  ifname: string;
  ifindex: number;
  /** TAP only: the interface existed before (a persistent TAP reattached). */
  existed?: boolean;
}

export interface EngineLayout {
  counters: readonly string[];
  toWanDrops: readonly string[];
  fromWanDrops: readonly string[];
  /** The per-APPID block's columns (65536 rows). */
  perAppid: readonly string[];
  /** The per-path rows' columns (maxPaths rows, behind the drops). */
  perPath: readonly string[];
  maxPaths: number;
}

/** Counters read from the engine's shared block: plain counters, drops by reason per direction. */
export interface EngineCounts {
  counters: Record<string, number>;
  toWanDrops: Record<string, number>;
  fromWanDrops: Record<string, number>;
  /** Per WAN path (uplink), maxPaths rows in path order. */
  paths: Array<Record<string, number>>;
}

export type EngineEvent = 'l2-lost' | 'wan-error' | 'rt-priority-failed' | 'gso-refused' | 'io-uring-unavailable' | 'replay-state-due';

/** R-GOOSE state as the state file holds it (bridge/daemon/rgoose-state.ts). */
export interface ReplayMarks {
  /** Per receive window: every SPDU number up to `mark` counts as accepted after a restart. */
  receive: Array<{ group: string; sender: number; stream: number; key: number; mark: number }>;
  /** Per send counter: a restart continues at `from`; `next` is the number it would use now. */
  send: Array<{ group: string; key: number; from: number; next?: number }>;
}

interface NativeEngine {
  counters(): BigUint64Array;
  appidCounters(): BigUint64Array;
  openTap(name: string, txQueueLen: number, persist: boolean): L2Opened;
  openPacket(ifname: string, etherTypes: number[], promiscuous: boolean, rcvbufBytes: number): L2Opened;
  openWan(o: WanOpenOptions): number;
  discard(handle: number): void;
  apply(o: { config: EngineConfig; l2?: number | null; wan?: number | null }): void;
  start(onEvent: (kind: string, errno: number) => void, rtPriority: number): void;
  close(): void;
  membership(groupIndex: number, rejoin: boolean): number;
  groupDatagrams(): number[];
  socketDrops(): number;
  heartbeat(leaving: boolean): number;
  testToWan(frame: Uint8Array): [string, number];
  testFromWan(datagram: Uint8Array, groupIndex: number, nowUs: number, source: number, path: number): string;
  replayState(exact: boolean): ReplayMarks;
  replayStateSaved(): boolean;
  restoreReplayState(marks: ReplayMarks): void;
  prepareNumbering(groups: readonly string[], keyId: number): void;
  shareSequences(fd: number, slotCount: number, slots: Array<[string, number]>, drainedFd?: number): void;
  shareGuards(deliveredFd: number, recentReadFd: number): void;
}

let layout: EngineLayout | undefined;
/** Labels of the engine's counters and drop reasons, in slot order (defined once, in C++). */
export function engineLayout(): EngineLayout {
  layout ??= (nativeAddon().engineLayout as () => EngineLayout)();
  return layout;
}

/** Verdict label of the test entry points when the frame or datagram is forwarded. */
export const FORWARDED = 'forward';

export class ForwardingEngine {
  readonly #n: NativeEngine;
  readonly #slots: BigUint64Array;
  /** 65536 rows of per-APPID counters, then one bit per APPID ever counted. */
  readonly #appSlots: BigUint64Array;
  /** The bits, as 32-bit words (no BigInt per test). */
  readonly #appSeen: Uint32Array;
  #closed = false;

  constructor(senderId: { hi: number; lo: number }) {
    const Ctor = nativeAddon().ForwardingEngine as new (hi: number, lo: number) => NativeEngine;
    this.#n = new Ctor(senderId.hi, senderId.lo);
    this.#slots = this.#n.counters();
    this.#appSlots = this.#n.appidCounters();
    const cells = APPID_ROWS * engineLayout().perAppid.length;
    this.#appSeen = new Uint32Array(this.#appSlots.buffer, this.#appSlots.byteOffset + cells * 8, APPID_ROWS / 32);
  }

  /**
   * Counters of every APPID that saw a frame, keyed `0x` + 4 hex digits. Reads only the rows the
   * engine marked: here even a read of an untouched page backs it with memory, so a scan of all
   * 65536 rows would cost 3 MiB of RSS.
   */
  appidCounts(): Record<string, Record<string, number>> {
    const cols = engineLayout().perAppid;
    const s = this.#appSlots;
    const out: Record<string, Record<string, number>> = {};
    this.#appSeen.forEach((word, w) => {
      for (let b = 0; word !== 0 && b < 32; b++, word >>>= 1) {
        if ((word & 1) === 0) continue;
        const appid = w * 32 + b;
        const at = appid * cols.length;
        out[`0x${appid.toString(16).padStart(4, '0')}`] = Object.fromEntries(cols.map((name, c) => [name, Number(s[at + c])]));
      }
    });
    return out;
  }

  /** Reads every counter (no call into the data plane: the block is shared memory). */
  counts(): EngineCounts {
    return countsFromSlots(this.#slots);
  }

  /** Creates (or reattaches) a TAP; not used until apply({ l2: handle }). */
  openTap(name: string, opts: { txQueueLen: number; persist: boolean }): L2Opened {
    return this.#call(() => this.#n.openTap(name, opts.txQueueLen, opts.persist), 'GB_ERR_TAP_OPEN');
  }

  /** Attaches to an existing interface (gateway mode) with an AF_PACKET socket. */
  openPacket(ifname: string, opts: { etherTypes: number[]; promiscuous: boolean; rcvbufBytes: number }): L2Opened {
    return this.#call(() => this.#n.openPacket(ifname, opts.etherTypes, opts.promiscuous, opts.rcvbufBytes), 'GB_ERR_PACKET_SOCKET');
  }

  /** Opens every WAN socket (or none, throwing GB_ERR_SOCKET); not used until apply({ wan }). */
  openWan(o: WanOpenOptions): number {
    return this.#call(() => this.#n.openWan(o), 'GB_ERR_SOCKET');
  }

  /** Closes an opened resource that will not be applied. */
  discard(handle: number): void {
    this.#n.discard(handle);
  }

  /** Switches configuration and resources in one step (undefined keeps, null detaches). */
  apply(o: { config: EngineConfig; l2?: number | null; wan?: number | null }): void {
    this.#n.apply(o);
  }

  /** Starts both threads; rtPriority > 0 runs them SCHED_FIFO at that priority (event when refused). */
  start(onEvent: (kind: EngineEvent, errno: number) => void, rtPriority = 0): void {
    this.#n.start((kind, errno) => onEvent(kind as EngineEvent, errno), rtPriority);
  }

  /** Stops both threads (no frame is handled after this returns) and closes every resource. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#n.close();
  }

  /** Drop + add (rejoin) or add (ensure) the group's membership; throws GB_ERR_SOCKET on failure. */
  membership(groupIndex: number, rejoin: boolean): void {
    const errno = this.#n.membership(groupIndex, rejoin);
    if (errno !== 0) throw new GbError('GB_ERR_SOCKET', `membership of group ${groupIndex}: errno ${errno}`);
  }

  /** Datagrams received per group of the applied WAN set, whatever became of them. */
  groupDatagrams(): number[] {
    return this.#n.groupDatagrams();
  }

  /** Frames the kernel dropped on the packet socket since the last call (gateway mode). */
  packetSocketDrops(): number {
    return this.#n.socketDrops();
  }

  /** Gateway pairs: a heartbeat to the site's peers (leaving: this gateway stops now); 0 or errno. */
  heartbeat(leaving = false): number {
    return this.#n.heartbeat(leaving);
  }

  /** The tx thread's decision for one frame, counted as the thread counts (engine not started). */
  testToWan(frame: Uint8Array): [verdict: string, groupIndex: number] {
    return this.#n.testToWan(frame);
  }

  /**
   * The rx thread's decision for one datagram of group `groupIndex` (engine not started), counted
   * as the thread counts (a forwarded frame as written; the `senders` gauge refreshed);
   * `source` is the sender's address and port as the rx thread packs them, `path` the WAN path
   * it came by. Opened in place.
   */
  testFromWan(datagram: Uint8Array, groupIndex: number, nowUs: number, source = 0, path = 0): string {
    return this.#n.testFromWan(datagram, groupIndex, nowUs, source, path);
  }

  /**
   * R-GOOSE marks to write to the state file. Until replayStateSaved() the engine keeps within the
   * marks of the previous write. exact: only after close() (the last numbers used).
   */
  replayState(exact: boolean): ReplayMarks {
    return this.#n.replayState(exact);
  }

  /** The last replayState() is durable; true when the state moved on since: write again. */
  replayStateSaved(): boolean {
    return this.#n.replayStateSaved();
  }

  /** State read from the file, before the first write and before start(). */
  restoreReplayState(marks: ReplayMarks): void {
    this.#n.restoreReplayState(marks);
  }

  /** Counters for a key about to become active in these groups (reserved by the next write). */
  prepareNumbering(groups: readonly string[], keyId: number): void {
    this.#n.prepareNumbering(groups, keyId);
  }

  /**
   * GB1 sequence numbers of these groups from the kernel tier's sequence map (the descriptor of
   * its mmapable gb_seq, `slotCount` slots), from the next apply() with a WAN set on; both tiers take
   * numbers atomically from the same words. `drainedFd`: the kernel tier's gb_drained map, where
   * the rx thread reports what it wrote of what the kernel tier passed up. At start and at each
   * reload, before the apply(); throws GB_ERR_KERNEL_PATH.
   */
  shareSequences(fd: number, slotCount: number, slots: ReadonlyArray<readonly [group: string, slot: number]>, drainedFd?: number): void {
    try {
      this.#n.shareSequences(fd, slotCount, slots.map(([g, s]) => [g, s]), drainedFd);
    } catch (e) {
      throw toGbError(e, 'GB_ERR_KERNEL_PATH');
    }
  }

  /**
   * The kernel tier's guards shared with the engine (its maps' descriptors), from the next frame on:
   * GB1's copy discard in gb_delivered (one table decides which copy of a frame is delivered,
   * whichever tier each copy reached), and its loop guard (gb_recent_read) kept and checked beside
   * the engine's own; null: the engine's own tables alone. Any time, running or not; throws
   * GB_ERR_KERNEL_PATH.
   */
  shareGuards(maps: { delivered: number; recentRead: number } | null): void {
    try {
      this.#n.shareGuards(maps?.delivered ?? -1, maps?.recentRead ?? -1);
    } catch (e) {
      throw toGbError(e, 'GB_ERR_KERNEL_PATH');
    }
  }

  #call<T>(f: () => T, code: 'GB_ERR_TAP_OPEN' | 'GB_ERR_PACKET_SOCKET' | 'GB_ERR_SOCKET'): T {
    try {
      return f();
    } catch (e) {
      throw toGbError(e, code);
    }
  }
}

/** Clears a TAP's persist flag so the kernel removes it (`goose-bridge teardown`). */
export function removeTap(name: string): void {
  try {
    (nativeAddon().removeTap as (n: string) => void)(name);
  } catch (e) {
    throw toGbError(e, 'GB_ERR_TAP_OPEN');
  }
}
