// The MMS Data CHOICE as it appears in GOOSE allData: decode (lenient) and encode (canonical).
import { copyBytes, hex2, newCursor, readBoolean, readInt64, readLatin1, readTagLength, readUint64, readUtf8, type TlvCursor } from './ber-reader.js';
import type { ReverseWriter } from './ber-writer.js';
import { currentPath, fail, pathPop, pathPush, pathSet } from './decode-failure.js';
import { MAX_DATA_DEPTH, type Data } from './types.js';
import { readUtcTimeAt, UTC_TIME_BYTES, writeUtcTime } from './utc-time.js';

/** Data CHOICE tags (context-specific; array and structure constructed). */
export const DATA_TAG = {
  array: 0xa1,
  structure: 0xa2,
  boolean: 0x83,
  'bit-string': 0x84,
  integer: 0x85,
  unsigned: 0x86,
  'floating-point': 0x87,
  real: 0x88,
  'octet-string': 0x89,
  'visible-string': 0x8a,
  'binary-time': 0x8c,
  bcd: 0x8d,
  'boolean-array': 0x8e,
  'obj-id': 0x8f,
  'mms-string': 0x90,
  'utc-time': 0x91,
} as const;

/** Exponent-width byte that starts an MMS floating-point: 8 → float32, 11 → float64. */
const FLOAT32_EXPONENT_WIDTH = 8;
const FLOAT64_EXPONENT_WIDTH = 11;

// One cursor per nesting level, reused across calls: the walk allocates only the values.
const cursors: TlvCursor[] = Array.from({ length: MAX_DATA_DEPTH + 2 }, newCursor);
const floatScratch = new DataView(new ArrayBuffer(8));

/**
 * Decodes the Data elements filling [start, end) (allData or the content of an array or
 * structure). `depth` is the nesting level of the sequence: 0 for allData.
 */
export function decodeDataSequence(buf: Uint8Array, start: number, end: number, depth: number, segment: string): Data[] {
  const out: Data[] = [];
  const cur = cursors[depth]!;
  pathPush(segment);
  pathPush(0);
  let o = start;
  for (let i = 0; o < end; i++) {
    pathSet(i);
    readTagLength(buf, o, end, cur);
    o = cur.end;
    out.push(decodeDataElement(buf, cur, depth));
  }
  pathPop();
  pathPop();
  return out;
}

/** Decodes the element `cur` points at (already read by readTagLength). */
export function decodeDataElement(buf: Uint8Array, cur: TlvCursor, depth: number): Data {
  const { start, end } = cur;
  const len = end - start;
  switch (cur.tag) {
    case DATA_TAG.array:
    case DATA_TAG.structure: {
      const type = cur.tag === DATA_TAG.array ? 'array' : 'structure';
      if (depth + 1 > MAX_DATA_DEPTH) {
        fail('depth-exceeded', cur.tagOffset, `${type} nested deeper than MAX_DATA_DEPTH (${MAX_DATA_DEPTH})`);
      }
      return { type, value: decodeDataSequence(buf, start, end, depth + 1, type === 'array' ? '.array' : '.structure') };
    }
    case DATA_TAG.boolean:
      return { type: 'boolean', value: readBoolean(buf, cur, 'boolean') };
    case DATA_TAG['bit-string']:
    case DATA_TAG['boolean-array']: {
      const type = cur.tag === DATA_TAG['bit-string'] ? 'bit-string' : 'boolean-array';
      if (len < 1) fail('bad-length', cur.tagOffset, `${type}: no unused-bits byte`);
      const unused = buf[start]!;
      if (unused > 7) fail('bad-padding', start, `${type}: ${unused} unused bits (must be 0-7)`);
      if (len === 1 && unused !== 0) fail('bad-padding', start, `${type}: ${unused} unused bits in an empty bit string`);
      return { type, bits: (len - 1) * 8 - unused, value: copyBytes(buf, start + 1, end) };
    }
    case DATA_TAG.integer:
      return { type: 'integer', value: readInt64(buf, cur, 'integer') };
    case DATA_TAG.unsigned:
      return { type: 'unsigned', value: readUint64(buf, cur, 'unsigned') };
    case DATA_TAG.bcd:
      return { type: 'bcd', value: readInt64(buf, cur, 'bcd') };
    case DATA_TAG['floating-point']: {
      const width = len > 0 ? buf[start]! : -1;
      if (len === 5) {
        if (width !== FLOAT32_EXPONENT_WIDTH) fail('bad-value', start, `floating-point: 5 bytes need exponent width 8, found ${width}`);
        for (let i = 0; i < 4; i++) floatScratch.setUint8(i, buf[start + 1 + i]!);
        return { type: 'float32', value: floatScratch.getFloat32(0) };
      }
      if (len === 9) {
        if (width !== FLOAT64_EXPONENT_WIDTH) fail('bad-value', start, `floating-point: 9 bytes need exponent width 11, found ${width}`);
        for (let i = 0; i < 8; i++) floatScratch.setUint8(i, buf[start + 1 + i]!);
        return { type: 'float64', value: floatScratch.getFloat64(0) };
      }
      return fail('bad-length', cur.tagOffset, `floating-point must have 5 or 9 content bytes, has ${len}`);
    }
    case DATA_TAG.real:
      return { type: 'real', value: copyBytes(buf, start, end) };
    case DATA_TAG['octet-string']:
      return { type: 'octet-string', value: copyBytes(buf, start, end) };
    case DATA_TAG['visible-string']:
      return { type: 'visible-string', value: readLatin1(buf, start, end) };
    case DATA_TAG['mms-string']:
      return { type: 'mms-string', value: readUtf8(buf, start, end) };
    case DATA_TAG['binary-time']: {
      if (len !== 4 && len !== 6) fail('bad-length', cur.tagOffset, `binary-time must have 4 or 6 content bytes, has ${len}`);
      const msOfDay = ((buf[start]! << 24) >>> 0) + (buf[start + 1]! << 16) + (buf[start + 2]! << 8) + buf[start + 3]!;
      if (len === 4) return { type: 'binary-time', msOfDay };
      return { type: 'binary-time', msOfDay, days: (buf[start + 4]! << 8) | buf[start + 5]! };
    }
    case DATA_TAG['obj-id']:
      return { type: 'obj-id', value: decodeObjectIdentifier(buf, start, end, cur.tagOffset) };
    case DATA_TAG['utc-time']:
      if (len !== UTC_TIME_BYTES) fail('bad-length', cur.tagOffset, `utc-time must have 8 content bytes, has ${len}`);
      return { type: 'utc-time', value: readUtcTimeAt(buf, start) };
    default:
      return fail('unknown-tag', cur.tagOffset, `tag 0x${hex2(cur.tag)} is not a Data type GOOSE carries`);
  }
}

/** OBJECT IDENTIFIER content → dotted string; arcs of any size (bigint beyond 2^53). */
export function decodeObjectIdentifier(buf: Uint8Array, start: number, end: number, tagOffset: number): string {
  if (start === end) fail('bad-length', tagOffset, 'obj-id: empty object identifier');
  if ((buf[end - 1]! & 0x80) !== 0) fail('bad-value', end - 1, 'obj-id: last subidentifier is not terminated');
  let out = '';
  let first = true;
  let small = 0;
  let big: bigint | undefined;
  for (let o = start; o < end; o++) {
    const b = buf[o]!;
    if (big !== undefined) big = (big << 7n) | BigInt(b & 0x7f);
    else if (small < 2 ** 45) small = small * 128 + (b & 0x7f);
    else big = (BigInt(small) << 7n) | BigInt(b & 0x7f);
    if ((b & 0x80) !== 0) continue;
    if (first) {
      // The first subidentifier packs two arcs: 40·X + Y with X in 0..2.
      if (big !== undefined) out = `2.${big - 80n}`;
      else if (small < 40) out = `0.${small}`;
      else if (small < 80) out = `1.${small - 40}`;
      else out = `2.${small - 80}`;
      first = false;
    } else {
      out += `.${big ?? small}`;
    }
    small = 0;
    big = undefined;
  }
  return out;
}

const OID_PATTERN = /^(0|1|2)\.(0|[1-9]\d*)(\.(0|[1-9]\d*))*$/;

export function encodeObjectIdentifierContent(w: ReverseWriter, oid: string, field: string): void {
  if (!OID_PATTERN.test(oid)) throw new RangeError(`${field}: obj-id must be dotted decimal like 1.0.9506.2.1, got '${oid}'`);
  const arcs = oid.split('.').map((a) => BigInt(a));
  const [x, y] = arcs as [bigint, bigint];
  if (x < 2n && y >= 40n) throw new RangeError(`${field}: obj-id second arc must be < 40 when the first is 0 or 1, got '${oid}'`);
  const subids = [x * 40n + y, ...arcs.slice(2)];
  for (let i = subids.length - 1; i >= 0; i--) {
    let v = subids[i]!;
    w.byte(Number(v & 0x7fn));
    v >>= 7n;
    while (v > 0n) {
      w.byte(0x80 | Number(v & 0x7fn));
      v >>= 7n;
    }
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Encodes `items` as consecutive Data elements (written back to front). */
export function encodeDataSequence(w: ReverseWriter, items: readonly Data[], depth: number, segment: string): void {
  pathPush(segment);
  pathPush(0);
  for (let i = items.length - 1; i >= 0; i--) {
    pathSet(i);
    encodeData(w, items[i]!, depth);
  }
  pathPop();
  pathPop();
}

export function encodeData(w: ReverseWriter, d: Data, depth: number): void {
  const mark = w.size;
  switch (d.type) {
    case 'array':
    case 'structure':
      if (depth + 1 > MAX_DATA_DEPTH) bad(`${d.type} nested deeper than MAX_DATA_DEPTH (${MAX_DATA_DEPTH})`);
      encodeDataSequence(w, d.value, depth + 1, d.type === 'array' ? '.array' : '.structure');
      w.header(d.type === 'array' ? DATA_TAG.array : DATA_TAG.structure, mark);
      return;
    case 'boolean':
      w.byte(d.value ? 1 : 0);
      w.header(DATA_TAG.boolean, mark);
      return;
    case 'bit-string':
    case 'boolean-array': {
      const n = d.value.length;
      if (!Number.isInteger(d.bits) || d.bits < 0 || Math.ceil(d.bits / 8) !== n) {
        bad(`${d.type}: ${d.bits} bits need ${Math.ceil(d.bits / 8)} value bytes, got ${n}`);
      }
      w.bytes(d.value);
      w.byte(n * 8 - d.bits);
      w.header(DATA_TAG[d.type], mark);
      return;
    }
    case 'integer':
    case 'bcd':
      if (typeof d.value !== 'bigint' || d.value < INT64_MIN || d.value > INT64_MAX) bad(`${d.type} must be a bigint within 64-bit signed range, got ${d.value}`);
      w.bigSignedContent(d.value);
      w.header(DATA_TAG[d.type], mark);
      return;
    case 'unsigned':
      if (typeof d.value !== 'bigint' || d.value < 0n || d.value > UINT64_MAX) bad(`unsigned must be a bigint within 0..2^64-1, got ${d.value}`);
      // Minimal signed form: a leading 0x00 when the top bit of the magnitude is set.
      w.bigSignedContent(d.value);
      w.header(DATA_TAG.unsigned, mark);
      return;
    case 'float32':
    case 'float64': {
      if (typeof d.value !== 'number') bad(`${(d as Data).type} must be a number, got ${typeof (d as { value: unknown }).value}`);
      const width = d.type === 'float32' ? 4 : 8;
      if (width === 4) floatScratch.setFloat32(0, d.value);
      else floatScratch.setFloat64(0, d.value);
      w.ensure(width + 1);
      for (let i = width - 1; i >= 0; i--) w.byte(floatScratch.getUint8(i));
      w.byte(width === 4 ? FLOAT32_EXPONENT_WIDTH : FLOAT64_EXPONENT_WIDTH);
      w.header(DATA_TAG['floating-point'], mark);
      return;
    }
    case 'real':
    case 'octet-string':
      w.bytes(d.value);
      w.header(DATA_TAG[d.type], mark);
      return;
    case 'visible-string':
      checkVisible(d.value, 'visible-string');
      w.latin1(d.value);
      w.header(DATA_TAG['visible-string'], mark);
      return;
    case 'mms-string':
      w.utf8(d.value);
      w.header(DATA_TAG['mms-string'], mark);
      return;
    case 'binary-time':
      if (!Number.isInteger(d.msOfDay) || d.msOfDay < 0 || d.msOfDay > 0xffffffff) bad(`binary-time msOfDay must be an integer 0..2^32-1, got ${d.msOfDay}`);
      if (d.days !== undefined) {
        if (!Number.isInteger(d.days) || d.days < 0 || d.days > 0xffff) bad(`binary-time days must be an integer 0..65535, got ${d.days}`);
        w.uintBE(d.days, 2);
      }
      w.uintBE(d.msOfDay, 4);
      w.header(DATA_TAG['binary-time'], mark);
      return;
    case 'obj-id':
      encodeObjectIdentifierContent(w, d.value, 'obj-id');
      w.header(DATA_TAG['obj-id'], mark);
      return;
    case 'utc-time':
      writeUtcTime(w, d.value, 'utc-time');
      w.header(DATA_TAG['utc-time'], mark);
      return;
    default:
      bad(`unknown Data type '${(d as { type: unknown }).type}'`);
  }
}

/**
 * VisibleString encodes one byte per character. Decoding reads bytes as latin1, so any
 * char 0–255 round-trips; characters above 255 cannot be encoded and are a caller error.
 */
export function checkVisible(s: string, field: string): void {
  if (typeof s !== 'string') throw new TypeError(`${field} must be a string, got ${typeof s}`);
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0xff) throw new RangeError(`${field}: character U+${s.charCodeAt(i).toString(16)} at index ${i} cannot be encoded as VisibleString`);
  }
}

function bad(message: string): never {
  // Encode errors are programmer errors (the caller built an invalid value); the message names
  // the element through the same path stack the decoder uses.
  throw new RangeError(`${currentPath()}: ${message}`);
}
