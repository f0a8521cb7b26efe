// The reference model of the native engine's receive-side bookkeeping per sender of one multicast
// group (native/src/engine/sender-table.h, GB1): drops our own datagrams and duplicates, counts
// sequence gaps as WAN loss. A restarted sender announces itself with a new random id, so it
// simply appears as a new sender (no false gap, no false duplicates).
//
// Allocation-free like the engine: state lives in typed arrays, senders are found by a linear
// scan starting at the last hit (a group rarely has more than a handful of senders).
// Pure: no I/O imports; time is passed in.
import type { SenderId } from '../wan/gb1-format.js';
import { FORWARD, FromWanDrop } from './verdicts.js';

/** How far behind the newest sequence number a late datagram is still recognised. */
export const SEQ_WINDOW = 64;

/**
 * What a tracker counts (the engine counts the same: duplicates, stale and own datagrams as
 * from-WAN drops, the others as counters; engine-tables.h). gapFrames: sequence numbers skipped
 * (frames presumed lost on the WAN), counted when the jump is seen; gapEvents: the jumps (loss
 * events); lateFrames: datagrams that arrived after a later one (they had been counted in
 * gapFrames); stale: older than the window, so duplicate and late cannot be told apart, dropped.
 */
export const SENDER_COUNTERS = ['gapFrames', 'gapEvents', 'lateFrames', 'duplicates', 'stale', 'ownDatagrams', 'sendersSeen', 'sendersEvicted'] as const;
export type SenderCounters = Record<(typeof SENDER_COUNTERS)[number], number>;

export class SenderTracker {
  readonly counters = Object.fromEntries(SENDER_COUNTERS.map((n) => [n, 0])) as SenderCounters;

  private readonly hi: Uint32Array;
  private readonly lo: Uint32Array;
  private readonly highest: Uint32Array;
  /** Bit i set: sequence number (highest - i) was received. Two 32-bit halves of a 64-bit window. */
  private readonly winLo: Uint32Array;
  private readonly winHi: Uint32Array;
  private readonly lastSeenUs: Float64Array;
  private count = 0;
  private lastHit = 0;

  constructor(
    private readonly own: SenderId,
    readonly capacity = 256,
  ) {
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.highest = new Uint32Array(capacity);
    this.winLo = new Uint32Array(capacity);
    this.winHi = new Uint32Array(capacity);
    this.lastSeenUs = new Float64Array(capacity);
  }

  /** Senders currently tracked. */
  get senders(): number {
    return this.count;
  }

  /** Decides about one datagram: FORWARD (deliver), or the own-sender, duplicate or stale drop code. */
  accept(senderHi: number, senderLo: number, seq: number, nowUs: number): number {
    if (senderHi === this.own.hi && senderLo === this.own.lo) {
      this.counters.ownDatagrams++;
      return FromWanDrop.kOwnSender;
    }
    const i = this.find(senderHi, senderLo);
    if (i < 0) {
      this.insert(senderHi, senderLo, seq >>> 0, nowUs);
      return FORWARD;
    }
    this.lastSeenUs[i] = nowUs;
    // Signed distance modulo 2^32: positive = ahead of the newest seen.
    const d = ((seq - this.highest[i]!) | 0);
    if (d > 0) {
      if (d > 1) {
        this.counters.gapFrames += d - 1;
        this.counters.gapEvents++;
      }
      this.shift(i, d);
      this.highest[i] = seq >>> 0;
      return FORWARD;
    }
    const back = -d;
    if (back >= SEQ_WINDOW) {
      this.counters.stale++;
      return FromWanDrop.kStale;
    }
    if (back < 32) {
      const bit = (1 << back) >>> 0;
      if ((this.winLo[i]! & bit) !== 0) {
        this.counters.duplicates++;
        return FromWanDrop.kDuplicate;
      }
      this.winLo[i] = (this.winLo[i]! | bit) >>> 0;
    } else {
      const bit = (1 << (back - 32)) >>> 0;
      if ((this.winHi[i]! & bit) !== 0) {
        this.counters.duplicates++;
        return FromWanDrop.kDuplicate;
      }
      this.winHi[i] = (this.winHi[i]! | bit) >>> 0;
    }
    this.counters.lateFrames++;
    return FORWARD;
  }

  private find(hi: number, lo: number): number {
    const h = this.lastHit;
    if (h < this.count && this.hi[h] === hi && this.lo[h] === lo) return h;
    for (let i = 0; i < this.count; i++) {
      if (this.hi[i] === hi && this.lo[i] === lo) {
        this.lastHit = i;
        return i;
      }
    }
    return -1;
  }

  private insert(hi: number, lo: number, seq: number, nowUs: number): void {
    let i = this.count;
    if (i === this.capacity) {
      // Full: forget the sender heard from least recently (most likely gone or restarted).
      i = 0;
      for (let j = 1; j < this.count; j++) if (this.lastSeenUs[j]! < this.lastSeenUs[i]!) i = j;
      this.counters.sendersEvicted++;
    } else {
      this.count++;
    }
    this.counters.sendersSeen++;
    this.hi[i] = hi;
    this.lo[i] = lo;
    this.highest[i] = seq;
    this.winLo[i] = 1;
    this.winHi[i] = 0;
    this.lastSeenUs[i] = nowUs;
    this.lastHit = i;
  }

  private shift(i: number, d: number): void {
    let lo = this.winLo[i]!;
    let hi = this.winHi[i]!;
    if (d >= 64) {
      lo = 0;
      hi = 0;
    } else if (d >= 32) {
      hi = d === 32 ? lo : (lo << (d - 32)) >>> 0;
      lo = 0;
    } else {
      hi = ((hi << d) | (lo >>> (32 - d))) >>> 0;
      lo = (lo << d) >>> 0;
    }
    this.winLo[i] = (lo | 1) >>> 0;
    this.winHi[i] = hi;
  }
}
