// Thin TypeScript face of the goose-bridge native addon (native/src/*.cc): TAP devices,
// AF_PACKET sockets and raw IGMPv2 reports; the forwarding engine is in engine.ts. Reference: docs/native.md.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { GbError, type ErrorCode } from '../errors/error-codes.js';

/** Frames received together: one allocation per batch, not per frame. */
export interface FrameBatch {
  count: number;
  /** Frames back to back; frame i is data.subarray(offsets[i], offsets[i] + lengths[i]). */
  data: Buffer;
  offsets: Uint32Array;
  lengths: Uint32Array;
  /** CLOCK_MONOTONIC µs (integer) taken right after each frame was read; same clock as Number(process.hrtime.bigint() / 1000n). */
  rxTimeUs: Float64Array;
}
export type BatchHandler = (batch: FrameBatch) => void;
/** Called once when the reader stops for good (e.g. the TAP was deleted under us). */
export type ReaderErrorHandler = (err: GbError) => void;

export interface EndpointStats {
  framesRead: number;
  bytesRead: number;
  batches: number;
  readErrors: number;
  lastReadErrno: number;
  /** Frames larger than the 64 KiB receive buffer, dropped. */
  truncated: number;
  /** Frames the user-space EtherType check dropped (packet sockets; normally 0, the kernel BPF filter drops them first). */
  filtered: number;
  /** Copies of our own transmissions skipped (packet sockets, includeOutgoing false). */
  outgoingSkipped: number;
  /** 802.1Q/802.1ad tags the kernel had stripped (PACKET_AUXDATA) and we put back (packet sockets). */
  vlanTagsRestored: number;
  /** Times the reader paused because JS had not consumed earlier batches (the kernel buffers meanwhile). */
  flowControlWaits: number;
  framesWritten: number;
  bytesWritten: number;
  /** write()/send() calls the kernel refused (EAGAIN, ENOBUFS, interface down): the frame is lost. */
  writeDrops: number;
  lastWriteErrno: number;
  /**
   * Frames the kernel dropped because our reader fell behind: PACKET_STATISTICS tp_drops for
   * packet sockets; the interface's tx_dropped (queue full) for a TAP, read from sysfs.
   */
  kernelDrops: number;
  kernelPackets: number;
  /** errno that stopped the reader for good, 0 while healthy. */
  fatalErrno: number;
}

interface NativeEndpoint {
  start(cb: (ab: ArrayBuffer | undefined, count: number, fatalErrno: number) => void): void;
  write(frame: Uint8Array): boolean;
  writeMany(frames: Uint8Array[]): number;
  sendPaced(plan: PacedPlan): Promise<PacedResult>;
  stats(): EndpointStats;
  close(): void;
  ifindex(): number;
  setRef(ref: boolean): void;
}
interface NativeAddon {
  [name: string]: unknown;
  openTap(name: string, up: boolean, txQueueLen: number): NativeEndpoint & { existed: boolean; ifname: string };
  openPacketSocket(ifname: string, etherTypes: number[], includeOutgoing: boolean, rcvbufBytes: number): NativeEndpoint;
  sendIgmpV2(ifname: string, group: string, type: number): void;
}

const require = createRequire(import.meta.url);
let addon: NativeAddon | undefined;
/** The loaded addon (for the other faces of it in this folder). */
export function nativeAddon(): NativeAddon {
  return native();
}

function native(): NativeAddon {
  if (addon) return addon;
  try {
    // GOOSE_NATIVE_ADDON points at another build of the same sources (e.g. one compiled with
    // -fsanitize=address to check the reader thread's memory handling).
    addon = require(process.env.GOOSE_NATIVE_ADDON ?? './build/Release/goose_native.node') as NativeAddon;
  } catch (e) {
    throw new Error(
      'goose-bridge native addon is not built (native/build/Release/goose_native.node): run `npm run prepare` (needs g++, python3, make)',
      { cause: e },
    );
  }
  return addon;
}

/** Turns the addon's coded Error into a GbError; leaves programmer errors (TypeError) alone. */
export function toGbError(e: unknown, fallback: ErrorCode): unknown {
  if (e instanceof GbError || e instanceof TypeError) return e;
  if (e instanceof Error) {
    const code = (e as Error & { code?: string }).code;
    const gbCode = code !== undefined && code.startsWith('GB_ERR_') ? (code as ErrorCode) : fallback;
    const err = new GbError(gbCode, e.message);
    const errno = (e as Error & { errno?: number }).errno;
    if (errno !== undefined) Object.assign(err, { errno });
    return err;
  }
  return e;
}

const ERRNO_NAMES: Record<number, string> = { 19: 'ENODEV', 77: 'EBADFD', 100: 'ENETDOWN' };

// Endpoints still open, closed on process 'exit' so no reader thread outlives the JS world
// even when process.exit() skips environment cleanup hooks.
const open = new Set<{ close(): void }>();
let exitHookInstalled = false;
function track(e: { close(): void }): void {
  open.add(e);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const x of [...open]) x.close();
    });
  }
}

function makeBatch(ab: ArrayBuffer, count: number): FrameBatch {
  // Layout written by frame-endpoint.cc: 8-byte header, f64 times, u32 offsets, u32 lengths, data.
  return {
    count,
    rxTimeUs: new Float64Array(ab, 8, count),
    offsets: new Uint32Array(ab, 8 + 8 * count, count),
    lengths: new Uint32Array(ab, 8 + 12 * count, count),
    data: Buffer.from(ab, 8 + 16 * count),
  };
}

abstract class FrameEndpointBase {
  #native: NativeEndpoint | undefined;
  #refed = true;
  #finalStats: EndpointStats | undefined;
  protected readonly errorCode: ErrorCode;

  protected constructor(n: NativeEndpoint, errorCode: ErrorCode) {
    this.#native = n;
    this.errorCode = errorCode;
    track(this);
  }

  protected abstract describe(): string;

  get closed(): boolean {
    return this.#native === undefined;
  }

  /** Interface index of the device (0 if unknown). */
  get ifindex(): number {
    return this.#native?.ifindex() ?? 0;
  }

  /**
   * Starts the reader thread; onBatch gets every received frame, in order, in batches of up
   * to 256 frames or 1 ms. onError (optional) is told when the reader stops for good.
   * A handler that throws surfaces as an uncaught exception, like an EventEmitter listener.
   */
  start(onBatch: BatchHandler, onError?: ReaderErrorHandler): void {
    const n = this.#live('start');
    n.start((ab, count, fatalErrno) => {
      try {
        if (ab !== undefined && count > 0) {
          onBatch(makeBatch(ab, count));
        } else if (fatalErrno !== 0) {
          const err = new GbError(
            this.errorCode,
            `${this.describe()}: reader stopped: ${ERRNO_NAMES[fatalErrno] ?? `errno ${fatalErrno}`} (the interface was removed?)`,
          );
          if (onError) onError(err);
        }
      } catch (e) {
        // Node-API would only print a deprecation warning for an exception thrown here; make
        // it a real uncaught exception, as from an EventEmitter listener.
        process.nextTick(() => {
          throw e;
        });
      }
    });
    if (!this.#refed) n.setRef(false);
  }

  /** A started reader keeps the process alive like an open socket; unref() lets it exit anyway. */
  unref(): this {
    this.#refed = false;
    this.#native?.setRef(false);
    return this;
  }

  ref(): this {
    this.#refed = true;
    this.#native?.setRef(true);
    return this;
  }

  /**
   * Synchronous write of one whole frame; false when the kernel refused it — queue full
   * (EAGAIN, ENOBUFS, ENOMEM), interface down (EIO, ENETDOWN) or gone (EBADFD, ENODEV, ENXIO) —
   * counted in stats().writeDrops. Other errors (EMSGSIZE, EINVAL for a frame under 14 bytes)
   * throw a GbError.
   */
  write(frame: Uint8Array): boolean {
    const n = this.#live('write');
    try {
      return n.write(frame);
    } catch (e) {
      throw toGbError(e, this.errorCode);
    }
  }

  /** Writes frames in order (sendmmsg on packet sockets); returns how many the kernel took — it stops at the first refusal. */
  writeMany(frames: Uint8Array[]): number {
    const n = this.#live('writeMany');
    try {
      return n.writeMany(frames);
    } catch (e) {
      throw toGbError(e, this.errorCode);
    }
  }

  /** Runs a paced plan (see PacedPlan) on a pool thread: the kernel, not the event loop, sets its ceiling. Do not close() before it settles. */
  protected runPaced(plan: PacedPlan): Promise<PacedResult> {
    const n = this.#live('sendPaced');
    try {
      return n.sendPaced(plan).catch((e: unknown) => Promise.reject(toGbError(e, this.errorCode)));
    } catch (e) {
      throw toGbError(e, this.errorCode);
    }
  }

  /** Counters; after close() the final values, frozen. */
  stats(): EndpointStats {
    const n = this.#native;
    if (n === undefined) return { ...this.#finalStats! };
    return n.stats();
  }

  /** Stops the reader thread (no JS call happens after this returns) and closes the fd. Idempotent. */
  close(): void {
    const n = this.#native;
    if (n === undefined) return;
    this.#finalStats = this.stats();
    this.#native = undefined;
    open.delete(this);
    n.close();
  }

  #live(what: string): NativeEndpoint {
    const n = this.#native;
    if (n === undefined) throw new Error(`${this.describe()}: ${what}() after close()`);
    return n;
  }
}

export interface TapOptions {
  /** Bring the interface up (SIOCSIFFLAGS). Default true. */
  up?: boolean;
  /**
   * Frames the kernel queues for our reader before it drops (the TAP's txqueuelen, set with
   * SIOCSIFTXQLEN). Default 10000 (the kernel's 1000 is 20 ms at 50k frames/s); 0 leaves it.
   */
  txQueueLen?: number;
}
const DEFAULT_TAP_QUEUE_FRAMES = 10_000;

/** A TAP interface (IFF_TAP | IFF_NO_PI) owned by this process; the kernel removes it when closed (unless persistent). */
export class TapDevice extends FrameEndpointBase {
  readonly name: string;
  /** True when the TAP existed (persistent) before we attached to it. */
  readonly existed: boolean;

  private constructor(n: NativeEndpoint & { existed: boolean; ifname: string }) {
    super(n, 'GB_ERR_TAP_OPEN');
    this.name = n.ifname;
    this.existed = n.existed;
  }

  /**
   * Creates (or attaches to a persistent) TAP named `name` and brings it up.
   * Throws GbError GB_ERR_TAP_EXISTS if the name belongs to another kind of interface or a
   * TAP another process holds, GB_ERR_PERMISSION without CAP_NET_ADMIN, GB_ERR_TAP_OPEN otherwise.
   */
  static create(name: string, opts: TapOptions = {}): TapDevice {
    const qlen = opts.txQueueLen ?? DEFAULT_TAP_QUEUE_FRAMES;
    if (!Number.isInteger(qlen) || qlen < 0 || qlen > 1_000_000) {
      throw new GbError('GB_ERR_TAP_OPEN', `txQueueLen: ${String(qlen)} is not an integer from 0 to 1000000`);
    }
    let n: NativeEndpoint & { existed: boolean; ifname: string };
    try {
      n = native().openTap(name, opts.up ?? true, qlen);
    } catch (e) {
      throw toGbError(e, 'GB_ERR_TAP_OPEN');
    }
    return new TapDevice(n);
  }

  protected describe(): string {
    return `TAP ${this.name}`;
  }

  override stats(): EndpointStats {
    const s = super.stats();
    if (this.closed) return s;
    try {
      // Frames the stack sent into the TAP that did not fit its queue (txQueueLen).
      s.kernelDrops = Number(readFileSync(`/sys/class/net/${this.name}/statistics/tx_dropped`, 'utf8'));
    } catch {
      // sysfs of another namespace, or the TAP is gone: leave 0
    }
    return s;
  }

  /** Same as writeMany (the name the packet-socket side uses). */
  sendMany(frames: Uint8Array[]): number {
    return this.writeMany(frames);
  }
}

/**
 * An open-loop constant-rate run (see native/src/paced-send.h): frame k is due at
 * startUs + k × 1e6 / rateFps, goes out as templates[(seqStart + k) % templates.length] with
 * stNum = slice, sqNum = seqStart + k and its actual/scheduled send times (f64 µs) patched in.
 */
export interface PacedPlan {
  templates: Uint8Array[];
  offStNum: number;
  offSqNum: number;
  offTxUs: number;
  offEventUs: number;
  rateFps: number;
  total: number;
  seqStart: number;
  slice: number;
  /** CLOCK_MONOTONIC µs (monotonicUs()) of frame 0. */
  startUs: number;
}

export interface PacedResult {
  /** Frames offered (sent or refused), each once. */
  offered: number;
  refused: number;
  endUs: number;
  /** Per offered frame: actual − scheduled send time, µs. */
  lagUs: Uint32Array;
  /** errno when every frame was refused for 5 s; 0 otherwise. */
  stalledErrno: number;
}

export interface PacketSocketOptions {
  /**
   * Deliver only frames with one of these EtherTypes (outer, or behind one VLAN tag); the
   * rest is dropped in the kernel by a BPF filter. At most 32. Default: all.
   */
  etherTypes?: number[];
  /** Also deliver copies of frames sent from this host. Default false. */
  includeOutgoing?: boolean;
  /** Kernel receive buffer (SO_RCVBUFFORCE as root). Default 8 MiB. */
  rcvbufBytes?: number;
}

/** AF_PACKET SOCK_RAW socket bound to one interface; received frames are byte-identical to what was sent (VLAN tag re-inserted). */
export class PacketSocket extends FrameEndpointBase {
  readonly ifname: string;

  private constructor(n: NativeEndpoint, ifname: string) {
    super(n, 'GB_ERR_PACKET_SOCKET');
    this.ifname = ifname;
  }

  static open(ifname: string, opts: PacketSocketOptions = {}): PacketSocket {
    const types = opts.etherTypes ?? [];
    for (const t of types) {
      if (!Number.isInteger(t) || t < 0 || t > 0xffff) {
        throw new GbError('GB_ERR_PACKET_SOCKET', `etherTypes: ${String(t)} is not a 16-bit EtherType`);
      }
    }
    let n: NativeEndpoint;
    try {
      n = native().openPacketSocket(ifname, types, opts.includeOutgoing ?? false, opts.rcvbufBytes ?? 8 * 1024 * 1024);
    } catch (e) {
      throw toGbError(e, 'GB_ERR_PACKET_SOCKET');
    }
    return new PacketSocket(n, ifname);
  }

  protected describe(): string {
    return `packet socket on ${this.ifname}`;
  }

  /** Sends one frame as is; false when the kernel refused it (counted in stats().writeDrops). */
  send(frame: Uint8Array): boolean {
    return this.write(frame);
  }

  /** sendmmsg in chunks of 64; returns how many frames the kernel took (stops at the first refusal). */
  sendMany(frames: Uint8Array[]): number {
    return this.writeMany(frames);
  }

  /** An open-loop constant-rate run (PacedPlan), timed and sent natively. */
  sendPaced(plan: PacedPlan): Promise<PacedResult> {
    return this.runPaced(plan);
  }
}

function sendIgmp(opts: { ifname: string; group: string }, type: number): void {
  try {
    native().sendIgmpV2(opts.ifname, opts.group, type);
  } catch (e) {
    throw toGbError(e, 'GB_ERR_IGMP');
  }
}

/**
 * Sends one IGMPv2 Membership Report (type 0x16) for `group` out of `ifname` on a raw socket:
 * Router Alert option, TTL 1, TOS 0xc0, destination = the group. Refreshes a querier's
 * membership without a Leave. Needs CAP_NET_RAW (GbError GB_ERR_PERMISSION otherwise).
 */
export function sendIgmpV2Report(opts: { ifname: string; group: string }): void {
  sendIgmp(opts, 0x16);
}

/** Sends one IGMPv2 Leave Group (type 0x17) for `group` to 224.0.0.2 out of `ifname`. */
export function sendIgmpV2Leave(opts: { ifname: string; group: string }): void {
  sendIgmp(opts, 0x17);
}

/** CLOCK_MONOTONIC in integer microseconds (the project's cross-process clock). */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

const CAP_NET_ADMIN = 12;
const CAP_NET_RAW = 13;

/** True when this process's effective capabilities include CAP_NET_RAW (from /proc/self/status). */
export function hasCapNetRaw(): boolean {
  return capabilityInStatus(readProcStatus(), CAP_NET_RAW);
}

/** True when this process's effective capabilities include CAP_NET_ADMIN. */
export function hasCapNetAdmin(): boolean {
  return capabilityInStatus(readProcStatus(), CAP_NET_ADMIN);
}

function readProcStatus(): string {
  try {
    return readFileSync('/proc/self/status', 'utf8');
  } catch {
    return '';
  }
}

/** Whether capability number `bit` is in the CapEff mask of a /proc/PID/status text. */
export function capabilityInStatus(status: string, bit: number): boolean {
  const m = /^CapEff:\s*([0-9a-fA-F]+)$/m.exec(status);
  if (!m?.[1]) return false;
  return ((BigInt(`0x${m[1]}`) >> BigInt(bit)) & 1n) === 1n;
}

/** Frame i of a batch as a Buffer view (no copy; it keeps the batch memory alive while referenced). */
export function frameAt(batch: FrameBatch, i: number): Buffer {
  const off = batch.offsets[i];
  const len = batch.lengths[i];
  if (off === undefined || len === undefined) throw new RangeError(`frameAt: index ${i} outside batch of ${batch.count}`);
  return batch.data.subarray(off, off + len);
}
