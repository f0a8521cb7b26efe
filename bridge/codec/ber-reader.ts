// A lean BER TLV walker for the decode hot path. It reads one tag + definite length at a time
// into a reused cursor object (no allocation per element) and converts primitive contents.
// asn1js's generic parser builds an object tree per element and measured ~15k GOOSE PDUs/s
// on this machine, far from the 100k/s goal; see README "Codec design".
import { fail } from './decode-failure.js';

/** The element most recently read by readTagLength(). Absolute offsets into the buffer. */
export interface TlvCursor {
  tag: number;
  /** Offset of the tag byte. */
  tagOffset: number;
  /** First content byte. */
  start: number;
  /** One past the last content byte. */
  end: number;
}

/**
 * Reads the tag and length at `o`, which must lie before `limit` (the end of the enclosing
 * element). Accepts non-minimal long-form lengths; rejects indefinite lengths, multi-byte
 * tags (none exists in GOOSE/SV), and lengths that overrun the enclosing element or the buffer.
 */
export function readTagLength(buf: Uint8Array, o: number, limit: number, cur: TlvCursor, field?: string): void {
  if (o >= limit) fail('truncated', o, 'expected a tag, found the end of the enclosing element', field);
  const tag = buf[o]!;
  if ((tag & 0x1f) === 0x1f) fail('unknown-tag', o, `multi-byte tag 0x${hex2(tag)}… is not used by GOOSE/SV`, field);
  if (o + 1 >= limit) fail('truncated', o + 1, `tag 0x${hex2(tag)} has no length byte`, field);
  const first = buf[o + 1]!;
  let len: number;
  let start: number;
  if (first < 0x80) {
    len = first;
    start = o + 2;
  } else if (first === 0x80) {
    fail('indefinite-length', o + 1, `tag 0x${hex2(tag)} uses the indefinite length form, not allowed here`, field);
  } else {
    const n = first & 0x7f;
    if (o + 2 + n > limit) fail('truncated', o + 1, `long-form length of tag 0x${hex2(tag)} needs ${n} more bytes`, field);
    len = 0;
    for (let i = 0; i < n; i++) {
      len = len * 256 + buf[o + 2 + i]!;
      // Leading zero bytes are accepted (non-minimal); anything beyond 2^32 cannot fit a frame.
      if (len > 0xffffffff) fail('bad-length', o + 1, `length of tag 0x${hex2(tag)} exceeds 32 bits`, field);
    }
    start = o + 2 + n;
  }
  const end = start + len;
  if (end > limit) {
    if (end > buf.length) {
      fail('truncated', o, `tag 0x${hex2(tag)} declares ${len} content bytes, only ${Math.max(0, Math.min(limit, buf.length) - start)} present`, field);
    }
    fail('length-mismatch', o, `tag 0x${hex2(tag)} declares ${len} content bytes, overrunning its enclosing element by ${end - limit}`, field);
  }
  cur.tag = tag;
  cur.tagOffset = o;
  cur.start = start;
  cur.end = end;
}

export function newCursor(): TlvCursor {
  return { tag: 0, tagOffset: 0, start: 0, end: 0 };
}

export function hex2(n: number): string {
  return (n < 16 ? '0' : '') + n.toString(16);
}

/**
 * An unsigned integer that must fit `maxBits` (≤ 32) bits. Real devices encode INT32U both as
 * minimal signed BER (leading 0x00 when the top bit is set) and as fixed 4/5-byte values, so
 * leading zero bytes are skipped and the rest is read as an unsigned magnitude.
 */
export function readUint32(buf: Uint8Array, cur: TlvCursor, what: string): number {
  let o = cur.start;
  const end = cur.end;
  if (o === end) fail('bad-length', cur.tagOffset, `${what}: empty integer`);
  while (o < end - 1 && buf[o] === 0) o++;
  if (end - o > 4) fail('integer-overflow', cur.tagOffset, `${what}: value does not fit 32 bits (${end - cur.start} content bytes)`);
  let v = 0;
  for (; o < end; o++) v = v * 256 + buf[o]!;
  return v;
}

/** A two's-complement INTEGER of at most 64 significant bits, non-minimal forms accepted. */
export function readInt64(buf: Uint8Array, cur: TlvCursor, what: string): bigint {
  let o = cur.start;
  const end = cur.end;
  if (o === end) fail('bad-length', cur.tagOffset, `${what}: empty integer`);
  const negative = buf[o]! >= 0x80;
  const pad = negative ? 0xff : 0x00;
  // Skip redundant sign-extension bytes.
  while (o < end - 1 && buf[o] === pad && (buf[o + 1]! >= 0x80) === negative) o++;
  const n = end - o;
  if (n > 8) fail('integer-overflow', cur.tagOffset, `${what}: value does not fit 64 bits (${end - cur.start} content bytes)`);
  if (n <= 6) {
    let v = negative ? -1 : 0;
    for (; o < end; o++) v = v * 256 + buf[o]!;
    // Starting from -1 for negatives makes v = -256^n + (the bytes as unsigned): two's complement.
    return BigInt(v);
  }
  let v = negative ? -1n : 0n;
  for (; o < end; o++) v = (v << 8n) | BigInt(buf[o]!);
  return v;
}

/** An unsigned INTEGER up to 64 bits, leading zero bytes accepted. */
export function readUint64(buf: Uint8Array, cur: TlvCursor, what: string): bigint {
  let o = cur.start;
  const end = cur.end;
  if (o === end) fail('bad-length', cur.tagOffset, `${what}: empty integer`);
  while (o < end - 1 && buf[o] === 0) o++;
  const n = end - o;
  if (n > 8) fail('integer-overflow', cur.tagOffset, `${what}: value does not fit 64 bits unsigned (${end - cur.start} content bytes)`);
  if (n <= 6) {
    let v = 0;
    for (; o < end; o++) v = v * 256 + buf[o]!;
    return BigInt(v);
  }
  let v = 0n;
  for (; o < end; o++) v = (v << 8n) | BigInt(buf[o]!);
  return v;
}

/** BOOLEAN: one content byte, any non-zero value is TRUE. */
export function readBoolean(buf: Uint8Array, cur: TlvCursor, what: string): boolean {
  if (cur.end - cur.start !== 1) fail('bad-length', cur.tagOffset, `${what}: BOOLEAN must have 1 content byte, has ${cur.end - cur.start}`);
  return buf[cur.start] !== 0;
}

/** VisibleString read byte-for-byte (latin1), so any byte sequence survives a re-encode. */
export function readLatin1(buf: Uint8Array, start: number, end: number): string {
  const n = end - start;
  if (n < 48) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]!);
    return s;
  }
  return Buffer.from(buf.buffer, buf.byteOffset + start, n).toString('latin1');
}

export function readUtf8(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
}

/** A copy as a plain Uint8Array (Buffer#slice would return a view into the caller's buffer). */
export function copyBytes(buf: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(buf.subarray(start, end));
  return out;
}

export function readUint32BE(buf: Uint8Array, o: number): number {
  return ((buf[o]! << 24) >>> 0) + (buf[o + 1]! << 16) + (buf[o + 2]! << 8) + buf[o + 3]!;
}
