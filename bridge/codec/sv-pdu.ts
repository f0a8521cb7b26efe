// savPdu ([APPLICATION 0] tag 0x60) of Sampled Values (IEC 61850-9-2 / 9-2LE): decode, encode.
import { copyBytes, hex2, newCursor, readLatin1, readTagLength, readUint32, type TlvCursor } from './ber-reader.js';
import { ReverseWriter } from './ber-writer.js';
import { checkVisible } from './data-codec.js';
import { fail, pathPop, pathPush, pathReset, pathSet, toDecodeError } from './decode-failure.js';
import type { DecodeResult, SvAsdu, SvPdu, UtcTime } from './types.js';
import { readUtcTimeAt, UTC_TIME_BYTES, writeUtcTime } from './utc-time.js';

export const SV_PDU_TAG = 0x60;
const NO_ASDU_TAG = 0x80;
const SECURITY_TAG = 0x81;
const SEQ_ASDU_TAG = 0xa2;
const ASDU_TAG = 0x30;

/** ASDU field tags and, for the unsigned ones, their fixed encoded width in bytes. */
const ASDU_FIELD = {
  svID: { tag: 0x80 },
  datSet: { tag: 0x81 },
  smpCnt: { tag: 0x82, width: 2 },
  confRev: { tag: 0x83, width: 4 },
  refrTm: { tag: 0x84 },
  smpSynch: { tag: 0x85, width: 1 },
  smpRate: { tag: 0x86, width: 2 },
  seqData: { tag: 0x87 },
  smpMod: { tag: 0x88, width: 2 },
} as const;
const ASDU_FIELD_NAMES = Object.keys(ASDU_FIELD) as (keyof typeof ASDU_FIELD)[];

/** 9-2LE seqData: 8 channels × (INT32 value, 32-bit quality). */
export const SEQ_DATA_92LE_BYTES = 64;
const CHANNELS_92LE = 8;

const outer = newCursor();
const level1 = newCursor();
const level2 = newCursor();
const level3 = newCursor();

export function decodeSvPduAt(buf: Uint8Array, start: number, end: number): SvPdu {
  pathPush('savPdu');
  readTagLength(buf, start, end, outer);
  if (outer.tag !== SV_PDU_TAG) fail('unexpected-tag', start, `expected savPdu tag 0x60, found 0x${hex2(outer.tag)}`);
  if (outer.end !== end) fail('length-mismatch', start, `savPdu is ${outer.end - start} bytes but the APDU holds ${end - start}`);
  let noAsdu: number | undefined;
  let security: Uint8Array | undefined;
  let asdus: SvAsdu[] | undefined;
  let o = outer.start;
  const cur = level1;
  while (o < outer.end) {
    readTagLength(buf, o, outer.end, cur);
    o = cur.end;
    switch (cur.tag) {
      case NO_ASDU_TAG:
        if (noAsdu !== undefined) fail('unexpected-tag', cur.tagOffset, 'noASDU appears twice', '.noASDU');
        noAsdu = readUint32(buf, cur, 'noASDU');
        break;
      case SECURITY_TAG:
        if (security !== undefined) fail('unexpected-tag', cur.tagOffset, 'security appears twice', '.security');
        security = copyBytes(buf, cur.start, cur.end);
        break;
      case SEQ_ASDU_TAG:
        if (asdus !== undefined) fail('unexpected-tag', cur.tagOffset, 'seqASDU appears twice', '.seqASDU');
        asdus = decodeSeqAsdu(buf, cur);
        break;
      default:
        fail('unknown-tag', cur.tagOffset, `tag 0x${hex2(cur.tag)} is not a savPdu field`);
    }
  }
  if (noAsdu === undefined) fail('missing-field', outer.end, 'savPdu has no noASDU (tag 0x80)', '.noASDU');
  if (asdus === undefined) fail('missing-field', outer.end, 'savPdu has no seqASDU (tag 0xa2)', '.seqASDU');
  if (noAsdu !== asdus.length) fail('bad-value', outer.start, `noASDU says ${noAsdu} but seqASDU holds ${asdus.length}`, '.noASDU');
  pathPop();
  const pdu: SvPdu = { asdus };
  if (security !== undefined) pdu.security = security;
  return pdu;
}

function decodeSeqAsdu(buf: Uint8Array, seq: TlvCursor): SvAsdu[] {
  const out: SvAsdu[] = [];
  const cur = level2;
  pathPush('.seqASDU');
  pathPush(0);
  let o = seq.start;
  for (let i = 0; o < seq.end; i++) {
    pathSet(i);
    readTagLength(buf, o, seq.end, cur);
    o = cur.end;
    if (cur.tag !== ASDU_TAG) fail('unexpected-tag', cur.tagOffset, `expected ASDU tag 0x30, found 0x${hex2(cur.tag)}`);
    out.push(decodeAsdu(buf, cur.start, cur.end));
  }
  pathPop();
  pathPop();
  return out;
}

function decodeAsdu(buf: Uint8Array, start: number, end: number): SvAsdu {
  const cur = level3;
  const got: Partial<Record<keyof typeof ASDU_FIELD, unknown>> = {};
  let o = start;
  while (o < end) {
    // Name the field before reading its length so a bad length is reported in its path.
    const name = ASDU_FIELD_NAMES[buf[o]! - 0x80];
    readTagLength(buf, o, end, cur, name === undefined ? undefined : `.${name}`);
    o = cur.end;
    if (name === undefined) fail('unknown-tag', cur.tagOffset, `tag 0x${hex2(cur.tag)} is not an ASDU field`);
    if (name in got) fail('unexpected-tag', cur.tagOffset, `${name} appears twice`, `.${name}`);
    const spec = ASDU_FIELD[name];
    pathPush(`.${name}`);
    if ('width' in spec) {
      // 9-2 encodes these as fixed-width unsigned; shorter/longer (leading zeros) are accepted.
      const v = readUint32(buf, cur, name);
      if (v >= 2 ** (8 * spec.width)) fail('integer-overflow', cur.tagOffset, `${name} ${v} does not fit ${spec.width} bytes`);
      got[name] = v;
    } else if (name === 'refrTm') {
      if (cur.end - cur.start !== UTC_TIME_BYTES) fail('bad-length', cur.tagOffset, `refrTm must have 8 content bytes, has ${cur.end - cur.start}`);
      got.refrTm = readUtcTimeAt(buf, cur.start);
    } else if (name === 'seqData') {
      got.seqData = cur.end - cur.start === SEQ_DATA_92LE_BYTES ? decode92le(buf, cur.start) : copyBytes(buf, cur.start, cur.end);
    } else {
      got[name] = readLatin1(buf, cur.start, cur.end);
    }
    pathPop();
  }
  for (const name of ['svID', 'smpCnt', 'confRev', 'smpSynch', 'seqData'] as const) {
    if (!(name in got)) fail('missing-field', end, `ASDU has no ${name} (tag 0x${hex2(ASDU_FIELD[name].tag)})`, `.${name}`);
  }
  const asdu: SvAsdu = {
    svID: got.svID as string,
    smpCnt: got.smpCnt as number,
    confRev: got.confRev as number,
    smpSynch: got.smpSynch as number,
    seqData: got.seqData as SvAsdu['seqData'],
  };
  if (got.datSet !== undefined) asdu.datSet = got.datSet as string;
  if (got.refrTm !== undefined) asdu.refrTm = got.refrTm as UtcTime;
  if (got.smpRate !== undefined) asdu.smpRate = got.smpRate as number;
  if (got.smpMod !== undefined) asdu.smpMod = got.smpMod as number;
  return asdu;
}

function decode92le(buf: Uint8Array, start: number): { values: number[]; qualities: number[] } {
  const values: number[] = [];
  const qualities: number[] = [];
  for (let i = 0; i < CHANNELS_92LE; i++) {
    const o = start + i * 8;
    values.push((buf[o]! << 24) | (buf[o + 1]! << 16) | (buf[o + 2]! << 8) | buf[o + 3]!);
    qualities.push(((buf[o + 4]! << 24) >>> 0) + ((buf[o + 5]! << 16) | (buf[o + 6]! << 8) | buf[o + 7]!));
  }
  return { values, qualities };
}

export function decodeSvPdu(bytes: Uint8Array, baseOffset = 0): DecodeResult<SvPdu> {
  pathReset();
  try {
    return { ok: true, value: decodeSvPduAt(bytes, 0, bytes.length) };
  } catch (err) {
    return { ok: false, error: toDecodeError(err, baseOffset) };
  }
}

export function writeSvPdu(w: ReverseWriter, pdu: SvPdu): void {
  const mark = w.size;
  const seqMark = w.size;
  for (let i = pdu.asdus.length - 1; i >= 0; i--) writeAsdu(w, pdu.asdus[i]!, `savPdu.seqASDU[${i}]`);
  w.header(SEQ_ASDU_TAG, seqMark);
  if (pdu.security !== undefined) {
    const m = w.size;
    w.bytes(pdu.security);
    w.header(SECURITY_TAG, m);
  }
  const m = w.size;
  w.signedContent(pdu.asdus.length);
  w.header(NO_ASDU_TAG, m);
  w.header(SV_PDU_TAG, mark);
}

function writeAsdu(w: ReverseWriter, a: SvAsdu, path: string): void {
  const mark = w.size;
  if (a.smpMod !== undefined) writeFixed(w, 'smpMod', a.smpMod, path);
  let m = w.size;
  if (a.seqData instanceof Uint8Array) {
    if (a.seqData.length === SEQ_DATA_92LE_BYTES) {
      // 64 bytes would decode as the 9-2LE form; the raw form is for other layouts.
      throw new RangeError(`${path}.seqData: 64 raw bytes are the 9-2LE layout, pass {values, qualities}`);
    }
    w.bytes(a.seqData);
  } else {
    const { values, qualities } = a.seqData;
    if (values.length !== CHANNELS_92LE || qualities.length !== CHANNELS_92LE) {
      throw new RangeError(`${path}.seqData: 9-2LE needs 8 values and 8 qualities, got ${values.length} and ${qualities.length}`);
    }
    for (let i = CHANNELS_92LE - 1; i >= 0; i--) {
      const q = qualities[i]!;
      const v = values[i]!;
      if (!Number.isInteger(q) || q < 0 || q > 0xffffffff) throw new RangeError(`${path}.seqData.qualities[${i}] must be 0..2^32-1, got ${q}`);
      if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new RangeError(`${path}.seqData.values[${i}] must be an INT32, got ${v}`);
      w.uintBE(q, 4);
      w.uintBE(v >>> 0, 4);
    }
  }
  w.header(ASDU_FIELD.seqData.tag, m);
  if (a.smpRate !== undefined) writeFixed(w, 'smpRate', a.smpRate, path);
  writeFixed(w, 'smpSynch', a.smpSynch, path);
  if (a.refrTm !== undefined) {
    m = w.size;
    writeUtcTime(w, a.refrTm, `${path}.refrTm`);
    w.header(ASDU_FIELD.refrTm.tag, m);
  }
  writeFixed(w, 'confRev', a.confRev, path);
  writeFixed(w, 'smpCnt', a.smpCnt, path);
  if (a.datSet !== undefined) writeString(w, ASDU_FIELD.datSet.tag, a.datSet, `${path}.datSet`);
  writeString(w, ASDU_FIELD.svID.tag, a.svID, `${path}.svID`);
  w.header(ASDU_TAG, mark);
}

function writeFixed(w: ReverseWriter, name: 'smpCnt' | 'confRev' | 'smpSynch' | 'smpRate' | 'smpMod', v: number, path: string): void {
  const spec = ASDU_FIELD[name];
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** (8 * spec.width)) {
    throw new RangeError(`${path}.${name} must be an integer 0..${2 ** (8 * spec.width) - 1}, got ${v}`);
  }
  w.uintBE(v, spec.width);
  w.byte(spec.width);
  w.byte(spec.tag);
}

function writeString(w: ReverseWriter, tag: number, v: string, field: string): void {
  checkVisible(v, field);
  const m = w.size;
  w.latin1(v);
  w.header(tag, m);
}

const scratch = new ReverseWriter(4096);

export function encodeSvPdu(pdu: SvPdu): Uint8Array {
  pathReset();
  scratch.reset();
  writeSvPdu(scratch, pdu);
  return scratch.toBytes();
}
