// Fixed-rate pacing without drift: frame k is due at start + k × 1e6 / rate µs, so a late tick
// sends the backlog instead of silently lowering the rate (the load stays what was asked for).
export class FixedRatePacer {
  private sent = 0;
  constructor(
    readonly startUs: number,
    readonly rateFps: number,
    readonly total: number,
  ) {
    if (!(rateFps > 0) || !Number.isFinite(rateFps)) throw new RangeError(`rate must be > 0 frames/s, got ${rateFps}`);
    if (!Number.isInteger(total) || total < 0) throw new RangeError(`total must be an integer ≥ 0, got ${total}`);
  }
  /** Frames due by nowUs and not yet taken, capped at maxBatch. */
  take(nowUs: number, maxBatch: number): number {
    const dueByNow = Math.min(this.total, Math.floor(((nowUs - this.startUs) * this.rateFps) / 1e6) + 1);
    const n = Math.max(0, Math.min(maxBatch, dueByNow - this.sent));
    this.sent += n;
    return n;
  }
  /** Scheduled send time of frame k (µs). */
  scheduledUs(k: number): number {
    return this.startUs + (k * 1e6) / this.rateFps;
  }
  get taken(): number {
    return this.sent;
  }
  get done(): boolean {
    return this.sent >= this.total;
  }
  /** When the next frame is due (µs). */
  nextDueUs(): number {
    return this.scheduledUs(this.sent);
  }
}
