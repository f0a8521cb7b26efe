// The last few seconds of received frames, kept in memory so that an anomaly's capture can
// start before the anomaly. One preallocated byte ring plus parallel index arrays: no
// allocation per frame, so memory stays flat at thousands of frames per second (a copy per
// frame left the subscriber's RSS climbing). Bounded by age (relative to the newest frame)
// and by bytes: when the byte bound cuts into the age window, the oldest frames go first.
// Frames handed out by between() are copies: the ring is overwritten later. Pure.
export interface HeldFrame {
  rxUs: number;
  wallUs: number;
  data: Uint8Array;
}

const MIN_FRAME_SLOT = 64;

export class FrameHistory {
  private readonly ring: Uint8Array;
  private readonly rx: Float64Array;
  private readonly wall: Float64Array;
  private readonly start: Uint32Array;
  private readonly len: Uint32Array;
  /** Index slots: oldest at head, count in use. */
  private head = 0;
  private count = 0;
  /** Next free byte in the ring. */
  private writeAt = 0;
  private bytesHeld = 0;
  /** Frames dropped by the byte bound before their age ran out. */
  evictedEarly = 0;

  constructor(
    readonly retainUs: number,
    readonly maxBytes: number,
  ) {
    this.ring = new Uint8Array(maxBytes);
    const slots = Math.max(16, Math.ceil(maxBytes / MIN_FRAME_SLOT));
    this.rx = new Float64Array(slots);
    this.wall = new Float64Array(slots);
    this.start = new Uint32Array(slots);
    this.len = new Uint32Array(slots);
  }

  get bytes(): number {
    return this.bytesHeld;
  }

  /** Receive time of the oldest frame held (Infinity when empty). */
  get oldestRxUs(): number {
    return this.count > 0 ? this.rx[this.head]! : Infinity;
  }

  /** Copies the frame in (the caller's buffer is reused by the socket); frames larger than the ring are not kept. */
  push(data: Uint8Array, rxUs: number, wallUs: number): void {
    const n = data.length;
    if (n > this.ring.length) return;
    let at = this.writeAt;
    // the tail too short for it stays unused this lap: the frames there are the oldest, and go
    const wrap = at + n > this.ring.length;
    const tail = wrap ? at : this.ring.length;
    if (wrap) at = 0;
    // free the bytes [at, at + n) (and the skipped tail) and an index slot, oldest first
    while (this.count > 0 && (this.count === this.rx.length || this.overlaps(this.head, at, n) || this.start[this.head]! >= tail)) this.dropOldest(true);
    const slot = (this.head + this.count) % this.rx.length;
    this.ring.set(data, at);
    this.rx[slot] = rxUs;
    this.wall[slot] = wallUs;
    this.start[slot] = at;
    this.len[slot] = n;
    this.count++;
    this.bytesHeld += n;
    this.writeAt = at + n;
    while (this.count > 1 && this.rx[this.head]! < rxUs - this.retainUs) this.dropOldest(false);
  }

  /** Copies of the frames with from ≤ rx ≤ to, oldest first. */
  between(fromUs: number, toUs: number): HeldFrame[] {
    const out: HeldFrame[] = [];
    for (let i = 0; i < this.count; i++) {
      const s = (this.head + i) % this.rx.length;
      const rx = this.rx[s]!;
      if (rx < fromUs) continue;
      if (rx > toUs) break;
      out.push({ rxUs: rx, wallUs: this.wall[s]!, data: this.ring.slice(this.start[s]!, this.start[s]! + this.len[s]!) });
    }
    return out;
  }

  private overlaps(slot: number, at: number, n: number): boolean {
    const s = this.start[slot]!;
    return s < at + n && at < s + this.len[slot]!;
  }

  private dropOldest(early: boolean): void {
    if (early && this.rx[this.head]! >= this.rx[(this.head + this.count - 1) % this.rx.length]! - this.retainUs) this.evictedEarly++;
    this.bytesHeld -= this.len[this.head]!;
    this.head = (this.head + 1) % this.rx.length;
    this.count--;
  }
}
