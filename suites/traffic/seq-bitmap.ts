// Which sequence numbers were seen: one bit each, grown on demand (millions of frames → ~100 KB).
export class SeqBitmap {
  private bits = new Uint8Array(1 << 16);
  /** Marks seq; false when it was already marked (a duplicate). */
  add(seq: number): boolean {
    if (!Number.isInteger(seq) || seq < 0) throw new RangeError(`sequence number must be an integer ≥ 0, got ${seq}`);
    const byte = seq >>> 3;
    if (byte >= this.bits.length) {
      let n = this.bits.length;
      while (n <= byte) n *= 2;
      const grown = new Uint8Array(n);
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (seq & 7);
    const had = (this.bits[byte]! & mask) !== 0;
    this.bits[byte]! |= mask;
    return !had;
  }
  has(seq: number): boolean {
    const byte = seq >>> 3;
    return byte < this.bits.length && (this.bits[byte]! & (1 << (seq & 7))) !== 0;
  }
}
