// The last few seconds of received frames, kept in memory so that an anomaly's capture can
// start before the anomaly. Bounded by age (relative to the newest frame) and by bytes: when
// the byte bound cuts into the age window, the oldest frames go first. Pure.
export interface HeldFrame {
  rxUs: number;
  wallUs: number;
  data: Uint8Array;
}

export class FrameHistory {
  private frames: HeldFrame[] = [];
  private head = 0;
  private bytesHeld = 0;
  /** Frames dropped by the byte bound before their age ran out. */
  evictedEarly = 0;

  constructor(
    readonly retainUs: number,
    readonly maxBytes: number,
  ) {}

  get bytes(): number {
    return this.bytesHeld;
  }

  get length(): number {
    return this.frames.length - this.head;
  }

  /** Receive time of the oldest frame held (Infinity when empty). */
  get oldestRxUs(): number {
    return this.head < this.frames.length ? this.frames[this.head]!.rxUs : Infinity;
  }

  /** Keeps a copy of the frame (the caller's buffer is reused by the socket). */
  push(data: Uint8Array, rxUs: number, wallUs: number): void {
    this.frames.push({ rxUs, wallUs, data: Uint8Array.from(data) });
    this.bytesHeld += data.length;
    this.evict(rxUs);
  }

  /** Frames with from ≤ rx ≤ to, oldest first. */
  between(fromUs: number, toUs: number): HeldFrame[] {
    const out: HeldFrame[] = [];
    for (let i = this.lowerBound(fromUs); i < this.frames.length; i++) {
      const f = this.frames[i]!;
      if (f.rxUs > toUs) break;
      out.push(f);
    }
    return out;
  }

  private lowerBound(rxUs: number): number {
    let lo = this.head;
    let hi = this.frames.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.frames[mid]!.rxUs < rxUs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private evict(newestUs: number): void {
    const f = this.frames;
    while (this.head < f.length - 1 && (f[this.head]!.rxUs < newestUs - this.retainUs || this.bytesHeld > this.maxBytes)) {
      if (f[this.head]!.rxUs >= newestUs - this.retainUs) this.evictedEarly++;
      this.bytesHeld -= f[this.head]!.data.length;
      f[this.head] = undefined as unknown as HeldFrame;
      this.head++;
    }
    // compact now and then so the array does not grow without bound
    if (this.head > 4096 && this.head * 2 > f.length) {
      this.frames = f.slice(this.head);
      this.head = 0;
    }
  }
}
