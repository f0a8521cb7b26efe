// goosePdu ([APPLICATION 1] IMPLICIT SEQUENCE, tag 0x61): decode and encode.
import { hex2, newCursor, readBoolean, readLatin1, readTagLength, readUint32, type TlvCursor } from './ber-reader.js';
import { ReverseWriter } from './ber-writer.js';
import { checkVisible, decodeDataSequence, encodeDataSequence } from './data-codec.js';
import { fail, pathPop, pathPush, pathReset, toDecodeError } from './decode-failure.js';
import type { DecodeResult, GoosePdu, UtcTime } from './types.js';
import { readUtcTimeAt, UTC_TIME_BYTES, writeUtcTime } from './utc-time.js';

export const GOOSE_PDU_TAG = 0x61;

export const GOOSE_FIELD_TAG = {
  gocbRef: 0x80,
  timeAllowedToLive: 0x81,
  datSet: 0x82,
  goID: 0x83,
  t: 0x84,
  stNum: 0x85,
  sqNum: 0x86,
  simulation: 0x87,
  confRev: 0x88,
  ndsCom: 0x89,
  numDatSetEntries: 0x8a,
  allData: 0xab,
} as const;

const FIELD_NAMES = Object.keys(GOOSE_FIELD_TAG) as (keyof typeof GOOSE_FIELD_TAG)[];
/** Fields that must be present; goID is optional, simulation and ndsCom default to FALSE. */
const REQUIRED = ['gocbRef', 'timeAllowedToLive', 'datSet', 't', 'stNum', 'sqNum', 'confRev', 'numDatSetEntries', 'allData'] as const;

const outer = newCursor();
const field = newCursor();

/**
 * Decodes the goosePdu TLV that must exactly fill [start, end) of `buf`. Offsets in failures
 * are absolute in `buf`. Throws DecodeFailure (callers convert it to a value).
 */
export function decodeGoosePduAt(buf: Uint8Array, start: number, end: number): GoosePdu {
  pathPush('goosePdu');
  readTagLength(buf, start, end, outer);
  if (outer.tag !== GOOSE_PDU_TAG) fail('unexpected-tag', start, `expected goosePdu tag 0x61, found 0x${hex2(outer.tag)}`);
  if (outer.end !== end) fail('length-mismatch', start, `goosePdu is ${outer.end - start} bytes but the APDU holds ${end - start}`);
  const cur: TlvCursor = field;
  let gocbRef = '';
  let tal = 0;
  let datSet = '';
  let goID: string | undefined;
  let t: UtcTime | undefined;
  let stNum = 0;
  let sqNum = 0;
  let simulation = false;
  let confRev = 0;
  let ndsCom = false;
  let entries = 0;
  let allData = undefined as GoosePdu['allData'] | undefined;
  let seen = 0;
  const contentEnd = outer.end;
  let o = outer.start;
  while (o < contentEnd) {
    // Name the field before reading its length so a bad length is reported in its path.
    const tag = buf[o]!;
    const index = tag - 0x80;
    const name = tag === GOOSE_FIELD_TAG.allData ? 'allData' : index >= 0 && index <= 10 ? FIELD_NAMES[index]! : undefined;
    readTagLength(buf, o, contentEnd, cur, name === undefined ? undefined : `.${name}`);
    o = cur.end;
    if (name === undefined) fail('unknown-tag', cur.tagOffset, `tag 0x${hex2(cur.tag)} is not a goosePdu field`);
    const bit = 1 << (cur.tag === GOOSE_FIELD_TAG.allData ? 11 : index);
    if (seen & bit) fail('unexpected-tag', cur.tagOffset, `${name} appears twice`, `.${name}`);
    seen |= bit;
    if (cur.tag === GOOSE_FIELD_TAG.allData) {
      allData = decodeDataSequence(buf, cur.start, cur.end, 0, '.allData');
      continue;
    }
    pathPush(`.${name}`);
    switch (cur.tag) {
      case GOOSE_FIELD_TAG.gocbRef:
        gocbRef = readLatin1(buf, cur.start, cur.end);
        break;
      case GOOSE_FIELD_TAG.timeAllowedToLive:
        tal = readUint32(buf, cur, 'timeAllowedToLive');
        break;
      case GOOSE_FIELD_TAG.datSet:
        datSet = readLatin1(buf, cur.start, cur.end);
        break;
      case GOOSE_FIELD_TAG.goID:
        goID = readLatin1(buf, cur.start, cur.end);
        break;
      case GOOSE_FIELD_TAG.t:
        if (cur.end - cur.start !== UTC_TIME_BYTES) fail('bad-length', cur.tagOffset, `t must have 8 content bytes, has ${cur.end - cur.start}`);
        t = readUtcTimeAt(buf, cur.start);
        break;
      case GOOSE_FIELD_TAG.stNum:
        stNum = readUint32(buf, cur, 'stNum');
        break;
      case GOOSE_FIELD_TAG.sqNum:
        sqNum = readUint32(buf, cur, 'sqNum');
        break;
      case GOOSE_FIELD_TAG.simulation:
        simulation = readBoolean(buf, cur, 'simulation');
        break;
      case GOOSE_FIELD_TAG.confRev:
        confRev = readUint32(buf, cur, 'confRev');
        break;
      case GOOSE_FIELD_TAG.ndsCom:
        ndsCom = readBoolean(buf, cur, 'ndsCom');
        break;
      default: // numDatSetEntries (the only tag left)
        entries = readUint32(buf, cur, 'numDatSetEntries');
    }
    pathPop();
  }
  for (const name of REQUIRED) {
    const tag = GOOSE_FIELD_TAG[name];
    if (!(seen & (1 << (tag === GOOSE_FIELD_TAG.allData ? 11 : tag - 0x80)))) {
      fail('missing-field', contentEnd, `goosePdu has no ${name} (tag 0x${hex2(tag)})`, `.${name}`);
    }
  }
  pathPop();
  const pdu: GoosePdu = {
    gocbRef,
    timeAllowedToLive: tal,
    datSet,
    t: t!,
    stNum,
    sqNum,
    simulation,
    confRev,
    ndsCom,
    numDatSetEntries: entries,
    allData: allData!,
  };
  if (goID !== undefined) pdu.goID = goID;
  return pdu;
}

/**
 * Decodes a goosePdu (tag 0x61 through its last byte). `baseOffset` is added to error offsets,
 * e.g. the APDU's position in its frame or R-GOOSE payload.
 */
export function decodeGoosePdu(bytes: Uint8Array, baseOffset = 0): DecodeResult<GoosePdu> {
  pathReset();
  try {
    return { ok: true, value: decodeGoosePduAt(bytes, 0, bytes.length) };
  } catch (err) {
    return { ok: false, error: toDecodeError(err, baseOffset) };
  }
}

/** Writes the goosePdu TLV in front of what `w` holds. Throws RangeError for invalid values. */
export function writeGoosePdu(w: ReverseWriter, pdu: GoosePdu): void {
  const mark = w.size;
  let m = w.size;
  encodeDataSequence(w, pdu.allData, 0, 'goosePdu.allData');
  w.header(GOOSE_FIELD_TAG.allData, m);
  writeUintField(w, GOOSE_FIELD_TAG.numDatSetEntries, pdu.numDatSetEntries, 'numDatSetEntries');
  writeBooleanField(w, GOOSE_FIELD_TAG.ndsCom, pdu.ndsCom, 'ndsCom');
  writeUintField(w, GOOSE_FIELD_TAG.confRev, pdu.confRev, 'confRev');
  writeBooleanField(w, GOOSE_FIELD_TAG.simulation, pdu.simulation, 'simulation');
  writeUintField(w, GOOSE_FIELD_TAG.sqNum, pdu.sqNum, 'sqNum');
  writeUintField(w, GOOSE_FIELD_TAG.stNum, pdu.stNum, 'stNum');
  m = w.size;
  writeUtcTime(w, pdu.t, 'goosePdu.t');
  w.header(GOOSE_FIELD_TAG.t, m);
  if (pdu.goID !== undefined) writeStringField(w, GOOSE_FIELD_TAG.goID, pdu.goID, 'goID');
  writeStringField(w, GOOSE_FIELD_TAG.datSet, pdu.datSet, 'datSet');
  writeUintField(w, GOOSE_FIELD_TAG.timeAllowedToLive, pdu.timeAllowedToLive, 'timeAllowedToLive');
  writeStringField(w, GOOSE_FIELD_TAG.gocbRef, pdu.gocbRef, 'gocbRef');
  w.header(GOOSE_PDU_TAG, mark);
}

const scratch = new ReverseWriter(4096);

/** Encodes a goosePdu canonically (tag 0x61 …). Throws RangeError naming an invalid field. */
export function encodeGoosePdu(pdu: GoosePdu): Uint8Array {
  pathReset();
  scratch.reset();
  writeGoosePdu(scratch, pdu);
  return scratch.toBytes();
}

function writeUintField(w: ReverseWriter, tag: number, v: number, name: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`goosePdu.${name} must be an integer 0..4294967295, got ${v}`);
  const m = w.size;
  w.signedContent(v);
  w.header(tag, m);
}

function writeBooleanField(w: ReverseWriter, tag: number, v: boolean, name: string): void {
  if (typeof v !== 'boolean') throw new TypeError(`goosePdu.${name} must be a boolean, got ${typeof v}`);
  w.byte(v ? 1 : 0);
  w.byte(1);
  w.byte(tag);
}

function writeStringField(w: ReverseWriter, tag: number, v: string, name: string): void {
  checkVisible(v, `goosePdu.${name}`);
  const m = w.size;
  w.latin1(v);
  w.header(tag, m);
}
