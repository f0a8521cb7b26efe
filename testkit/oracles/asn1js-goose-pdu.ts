// The goosePdu codec built on asn1js's generic BER parser/serializer: the variant the project
// first chose, kept to measure against the hand-rolled hot path (npm run bench:codec) and as an
// independent check in the tests that our bytes are well-formed BER that asn1js parses into
// the same values. Content conversions (integers, floats, strings, times) are shared with the
// hand-rolled codec; what differs is who walks the TLV structure.
import * as asn1js from 'asn1js';
import { newCursor, readBoolean, readLatin1, readUint32, type TlvCursor } from '../../bridge/codec/ber-reader.js';
import { ReverseWriter } from '../../bridge/codec/ber-writer.js';
import { decodeDataElement, encodeData } from '../../bridge/codec/data-codec.js';
import { fail, pathPop, pathPush, pathReset, pathSet, toDecodeError } from '../../bridge/codec/decode-failure.js';
import { GOOSE_FIELD_TAG, GOOSE_PDU_TAG, writeGoosePdu } from '../../bridge/codec/goose-pdu.js';
import { MAX_DATA_DEPTH, type Data, type DecodeResult, type GoosePdu, type UtcTime } from '../../bridge/codec/types.js';
import { readUtcTimeAt } from '../../bridge/codec/utc-time.js';

type Block = asn1js.AsnType;

function tagByte(b: Block): number {
  const id = (b as asn1js.BaseBlock).idBlock;
  return ((id.tagClass - 1) << 6) | (id.isConstructed ? 0x20 : 0) | id.tagNumber;
}

function children(b: Block): Block[] {
  return (b as asn1js.Constructed).valueBlock.value;
}

/**
 * Points `cur` at the content asn1js holds for a primitive block and returns that content
 * (asn1js copies contents out of the input, so offsets in errors are not frame offsets here).
 */
function primitiveCursor(b: Block, cur: TlvCursor): Uint8Array {
  const view = (b as asn1js.Primitive).valueBlock.valueHexView;
  cur.tag = tagByte(b);
  cur.start = 0;
  cur.end = view.length;
  cur.tagOffset = 0;
  return view;
}

const cur = newCursor();

type FieldReader = (content: Uint8Array, name: string) => unknown;
const text: FieldReader = (content) => readLatin1(content, cur.start, cur.end);
const uint32: FieldReader = (content, name) => readUint32(content, cur, name);
const boolean: FieldReader = (content, name) => readBoolean(content, cur, name);
const time: FieldReader = (content) => {
  if (cur.end - cur.start !== 8) fail('bad-length', cur.tagOffset, 't must have 8 bytes');
  return readUtcTimeAt(content, cur.start) as UtcTime;
};

/** Each primitive goosePdu field by tag: its name and how its content reads (allData is constructed). */
const FIELD_READERS = new Map<number, [keyof GoosePdu, FieldReader]>([
  [GOOSE_FIELD_TAG.gocbRef, ['gocbRef', text]],
  [GOOSE_FIELD_TAG.timeAllowedToLive, ['timeAllowedToLive', uint32]],
  [GOOSE_FIELD_TAG.datSet, ['datSet', text]],
  [GOOSE_FIELD_TAG.goID, ['goID', text]],
  [GOOSE_FIELD_TAG.t, ['t', time]],
  [GOOSE_FIELD_TAG.stNum, ['stNum', uint32]],
  [GOOSE_FIELD_TAG.sqNum, ['sqNum', uint32]],
  [GOOSE_FIELD_TAG.simulation, ['simulation', boolean]],
  [GOOSE_FIELD_TAG.confRev, ['confRev', uint32]],
  [GOOSE_FIELD_TAG.ndsCom, ['ndsCom', boolean]],
  [GOOSE_FIELD_TAG.numDatSetEntries, ['numDatSetEntries', uint32]],
]);

export function decodeGoosePduWithAsn1js(bytes: Uint8Array): DecodeResult<GoosePdu> {
  pathReset();
  try {
    const parsed = asn1js.fromBER(bytes);
    if (parsed.offset === -1) fail('bad-length', 0, `asn1js: ${parsed.result.error}`);
    if (parsed.offset !== bytes.length) fail('length-mismatch', parsed.offset, 'bytes after the goosePdu');
    const root = parsed.result;
    if (tagByte(root) !== GOOSE_PDU_TAG) fail('unexpected-tag', 0, 'not a goosePdu');
    pathPush('goosePdu');
    const pdu: Partial<GoosePdu> = { simulation: false, ndsCom: false };
    for (const field of children(root)) {
      const tag = tagByte(field);
      if (tag === GOOSE_FIELD_TAG.allData) {
        pdu.allData = dataSequence(bytes, children(field), 0, '.allData');
        continue;
      }
      const content = primitiveCursor(field, cur);
      const reader = FIELD_READERS.get(tag);
      if (reader === undefined) fail('unknown-tag', cur.tagOffset, `tag 0x${tag.toString(16)}`);
      const [key, read] = reader;
      (pdu as Record<string, unknown>)[key] = read(content, key);
    }
    for (const k of ['gocbRef', 'timeAllowedToLive', 'datSet', 't', 'stNum', 'sqNum', 'confRev', 'numDatSetEntries', 'allData'] as const) {
      if (pdu[k] === undefined) fail('missing-field', bytes.length, `no ${k}`);
    }
    pathPop();
    return { ok: true, value: pdu as GoosePdu };
  } catch (err) {
    return { ok: false, error: toDecodeError(err, 0) };
  }
}

function dataSequence(bytes: Uint8Array, blocks: Block[], depth: number, segment: string): Data[] {
  pathPush(segment);
  pathPush(0);
  const out: Data[] = [];
  blocks.forEach((b, i) => {
    pathSet(i);
    const tag = tagByte(b);
    if (tag === 0xa1 || tag === 0xa2) {
      if (depth + 1 > MAX_DATA_DEPTH) fail('depth-exceeded', 0, 'too deep');
      const type = tag === 0xa1 ? 'array' : 'structure';
      out.push({ type, value: dataSequence(bytes, children(b), depth + 1, `.${type}`) });
    } else {
      const c = newCursor();
      const content = primitiveCursor(b, c);
      out.push(decodeDataElement(content, c, depth));
    }
  });
  pathPop();
  pathPop();
  return out;
}

const scratch = new ReverseWriter(4096);

/** Content bytes of a TLV our writer produced (strip tag and length). */
function contentOf(tlv: Uint8Array): Uint8Array {
  const first = tlv[1]!;
  return tlv.slice(first < 0x80 ? 2 : 2 + (first & 0x7f));
}

function primitive(tag: number, content: Uint8Array): asn1js.Primitive {
  return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: tag & 0x1f }, valueHex: content });
}

function dataBlock(d: Data, depth: number): Block {
  if (d.type === 'array' || d.type === 'structure') {
    return new asn1js.Constructed({
      idBlock: { tagClass: 3, tagNumber: d.type === 'array' ? 1 : 2 },
      value: d.value.map((x) => dataBlock(x, depth + 1)),
    });
  }
  scratch.reset();
  encodeData(scratch, d, depth);
  const tlv = scratch.buf.subarray(scratch.pos);
  return primitive(tlv[0]!, contentOf(tlv));
}

/** The same canonical bytes as encodeGoosePdu, serialised by asn1js. */
export function encodeGoosePduWithAsn1js(pdu: GoosePdu): Uint8Array {
  pathReset();
  // Header field contents come from the shared writer (ints canonical), the structure from asn1js.
  scratch.reset();
  writeGoosePdu(scratch, { ...pdu, allData: [] });
  const fields: Block[] = [];
  const whole = scratch.toBytes();
  const first = whole[1]!;
  let o = first < 0x80 ? 2 : 2 + (first & 0x7f);
  while (o < whole.length) {
    const tag = whole[o]!;
    const len = whole[o + 1]!; // header fields are all shorter than 128 bytes or long-form
    const hdr = len < 0x80 ? 2 : 2 + (len & 0x7f);
    let n = len;
    if (len >= 0x80) {
      n = 0;
      for (let i = 0; i < (len & 0x7f); i++) n = n * 256 + whole[o + 2 + i]!;
    }
    if (tag !== GOOSE_FIELD_TAG.allData) fields.push(primitive(tag, whole.slice(o + hdr, o + hdr + n)));
    o += hdr + n;
  }
  fields.push(new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 11 }, value: pdu.allData.map((d) => dataBlock(d, 0)) }));
  const root = new asn1js.Constructed({ idBlock: { tagClass: 2, tagNumber: 1 }, value: fields });
  return new Uint8Array(root.toBER());
}
