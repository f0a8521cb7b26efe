// Canonical BER writing, back to front: contents are written before their tag and length, so
// each length is known when it is written and one pass suffices (no size pre-pass, no
// patching). The writer reuses one growing scratch buffer; toBytes() copies the result out.

export class ReverseWriter {
  buf: Uint8Array;
  /** Index of the first written byte; bytes [pos, buf.length) are the output so far. */
  pos: number;

  constructor(initialSize = 4096) {
    this.buf = new Uint8Array(initialSize);
    this.pos = initialSize;
  }

  reset(): void {
    this.pos = this.buf.length;
  }

  /** Bytes written so far. */
  get size(): number {
    return this.buf.length - this.pos;
  }

  /** Makes room for `n` more bytes in front of what is written. */
  ensure(n: number): void {
    if (this.pos >= n) return;
    const used = this.buf.length - this.pos;
    let size = this.buf.length * 2;
    while (size - used < n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(this.pos), size - used);
    this.buf = next;
    this.pos = size - used;
  }

  byte(b: number): void {
    if (this.pos < 1) this.ensure(1);
    this.buf[--this.pos] = b;
  }

  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.pos -= src.length;
    this.buf.set(src, this.pos);
  }

  /** Big-endian unsigned of exactly `width` bytes. */
  uintBE(value: number, width: number): void {
    this.ensure(width);
    let v = value;
    for (let i = 0; i < width; i++) {
      this.buf[--this.pos] = v & 0xff;
      v = Math.floor(v / 256);
    }
  }

  /** Definite length, short form below 128, minimal long form above. */
  length(len: number): void {
    if (len < 0x80) {
      this.byte(len);
      return;
    }
    let n = 0;
    for (let v = len; v > 0; v = Math.floor(v / 256)) {
      this.byte(v & 0xff);
      n++;
    }
    this.byte(0x80 | n);
  }

  /** Writes the tag and length of an element whose content ends at `contentEnd` (a size mark). */
  header(tag: number, contentEndSize: number): void {
    this.length(this.size - contentEndSize);
    this.byte(tag);
  }

  /** Minimal two's-complement content of a safe integer. */
  signedContent(value: number): void {
    let v = value;
    for (;;) {
      const b = v & 0xff;
      this.byte(b);
      v = Math.floor(v / 256);
      // Done when the remaining bytes would be pure sign extension of this byte's top bit.
      if ((v === 0 && b < 0x80) || (v === -1 && b >= 0x80)) return;
    }
  }

  /** Minimal two's-complement content of a bigint. */
  bigSignedContent(value: bigint): void {
    if (value >= -0x80000000n && value <= 0x7fffffffn) {
      this.signedContent(Number(value));
      return;
    }
    let v = value;
    for (;;) {
      const b = Number(v & 0xffn);
      this.byte(b);
      v >>= 8n;
      if ((v === 0n && b < 0x80) || (v === -1n && b >= 0x80)) return;
    }
  }

  /** ASCII/latin1 string, one byte per char (callers validate the range). */
  latin1(s: string): void {
    const n = s.length;
    this.ensure(n);
    let p = this.pos - n;
    this.pos = p;
    for (let i = 0; i < n; i++) this.buf[p++] = s.charCodeAt(i);
  }

  utf8(s: string): void {
    const encoded = Buffer.from(s, 'utf8');
    this.bytes(encoded);
  }

  /** Copies the written bytes out into a new Buffer. */
  toBytes(): Buffer {
    const out = Buffer.allocUnsafe(this.size);
    out.set(this.buf.subarray(this.pos));
    return out;
  }
}
