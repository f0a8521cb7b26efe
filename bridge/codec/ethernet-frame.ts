// Ethernet II framing (optionally one 802.1Q tag) and the 8-byte GOOSE/SV/GSE header:
// decodeFrame / encodeFrame, and peekFrameHeader for hot-path filtering without decoding.
import { copyBytes } from './ber-reader.js';
import { ReverseWriter } from './ber-writer.js';
import { fail, pathReset, toDecodeError } from './decode-failure.js';
import { decodeGoosePduAt, writeGoosePdu } from './goose-pdu.js';
import { decodeSvPduAt, writeSvPdu } from './sv-pdu.js';
import {
  ETHERTYPE_GOOSE,
  ETHERTYPE_GSE,
  ETHERTYPE_SV,
  ETHERTYPE_VLAN,
  type DecodeResult,
  type Frame,
  type MacAddress,
  type NotOurs,
  type VlanTag,
} from './types.js';

const MAC_BYTES = 6;
const ETHERTYPE_OFFSET_UNTAGGED = 12;
const VLAN_TAG_BYTES = 4;
/** APPID(2) Length(2) Reserved1(2) Reserved2(2). */
export const IEC_HEADER_BYTES = 8;

const MAC_CACHE_LIMIT = 1024;
const HEX = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16));

// Decoding sees the same few addresses over and over: keep their strings by 48-bit value.
const macStrings = new Map<number, MacAddress>();

export function formatMac(buf: Uint8Array, o: number): MacAddress {
  const key = (buf[o]! * 0x10000 + buf[o + 1]! * 0x100 + buf[o + 2]!) * 0x1000000 + (buf[o + 3]! << 16) + (buf[o + 4]! << 8) + buf[o + 5]!;
  let s = macStrings.get(key);
  if (s === undefined) {
    s = `${HEX[buf[o]!]}:${HEX[buf[o + 1]!]}:${HEX[buf[o + 2]!]}:${HEX[buf[o + 3]!]}:${HEX[buf[o + 4]!]}:${HEX[buf[o + 5]!]}`;
    if (macStrings.size >= MAC_CACHE_LIMIT) macStrings.clear();
    macStrings.set(key, s);
  }
  return s;
}

const MAC_PATTERN = /^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/;

/** Parses `01:0c:cd:01:00:01` (or with dashes); throws RangeError naming `field` otherwise. */
export function parseMac(mac: string, field = 'mac'): Uint8Array {
  if (typeof mac !== 'string' || !MAC_PATTERN.test(mac)) throw new RangeError(`${field} must be a MAC address like 01:0c:cd:01:00:01, got '${mac}'`);
  const out = new Uint8Array(MAC_BYTES);
  for (let i = 0; i < MAC_BYTES; i++) out[i] = parseInt(mac.slice(i * 3, i * 3 + 2), 16);
  return out;
}

// A publisher encodes the same few addresses over and over: remember their parsed bytes.
const macCache = new Map<string, Uint8Array>();

function macBytes(mac: string, field: string): Uint8Array {
  let b = macCache.get(mac);
  if (b === undefined) {
    b = parseMac(mac, field);
    if (macCache.size >= MAC_CACHE_LIMIT) macCache.clear();
    macCache.set(mac, b);
  }
  return b;
}

/** Result of peekFrameHeader; one instance may be reused for every frame (no allocation). */
export class FrameHeaderPeek {
  etherType = 0;
  /** The 802.1Q tag when present (the same object is reused across peeks), else undefined. */
  vlan: VlanTag | undefined = undefined;
  appId = 0;
  /** The header's Length field (APPID through the end of the APDU). */
  length = 0;
  /** Offset of the first APDU byte (after Reserved2). */
  apduOffset = 0;
  /** Offset of APPID. */
  headerOffset = 0;
  private readonly tag: VlanTag = { pcp: 0, dei: false, vid: 0 };
  /** @internal */
  setTag(tci: number): void {
    this.tag.pcp = tci >>> 13;
    this.tag.dei = (tci & 0x1000) !== 0;
    this.tag.vid = tci & 0x0fff;
    this.vlan = this.tag;
  }
}

export type PeekError = 'truncated' | 'not-ours' | 'length-mismatch';

/**
 * Reads the Ethernet/VLAN header and the GOOSE/SV/GSE header without touching the APDU.
 * Returns `out` filled in, or why the frame is not one to forward: 'not-ours' (another
 * EtherType; out.etherType says which), 'truncated', or 'length-mismatch' (Length < 8 or
 * larger than the bytes present).
 */
export function peekFrameHeader(buf: Uint8Array, out: FrameHeaderPeek = new FrameHeaderPeek()): FrameHeaderPeek | PeekError {
  if (buf.length < ETHERTYPE_OFFSET_UNTAGGED + 2) return 'truncated';
  let o = ETHERTYPE_OFFSET_UNTAGGED;
  let etherType = (buf[o]! << 8) | buf[o + 1]!;
  out.vlan = undefined;
  if (etherType === ETHERTYPE_VLAN) {
    if (buf.length < o + VLAN_TAG_BYTES + 2) return 'truncated';
    out.setTag((buf[o + 2]! << 8) | buf[o + 3]!);
    o += VLAN_TAG_BYTES;
    etherType = (buf[o]! << 8) | buf[o + 1]!;
  }
  out.etherType = etherType;
  if (etherType !== ETHERTYPE_GOOSE && etherType !== ETHERTYPE_SV && etherType !== ETHERTYPE_GSE) return 'not-ours';
  o += 2;
  if (buf.length < o + IEC_HEADER_BYTES) return 'truncated';
  out.headerOffset = o;
  out.appId = (buf[o]! << 8) | buf[o + 1]!;
  out.length = (buf[o + 2]! << 8) | buf[o + 3]!;
  out.apduOffset = o + IEC_HEADER_BYTES;
  if (out.length < IEC_HEADER_BYTES || o + out.length > buf.length) return 'length-mismatch';
  return out;
}

/**
 * Decodes an Ethernet frame (destination MAC first, no FCS). Other EtherTypes give a
 * NotOurs value; malformed GOOSE/SV/GSE frames give a DecodeError. Never throws.
 */
export function decodeFrame(buf: Uint8Array): DecodeResult<Frame | NotOurs> {
  pathReset();
  try {
    return { ok: true, value: decodeFrameAt(buf) };
  } catch (err) {
    return { ok: false, error: toDecodeError(err, 0) };
  }
}

const peek = new FrameHeaderPeek();

function decodeFrameAt(buf: Uint8Array): Frame | NotOurs {
  const r = peekFrameHeader(buf, peek);
  if (r === 'not-ours') return { kind: 'not-ours', etherType: peek.etherType };
  if (r === 'truncated') {
    fail('truncated', buf.length, `frame of ${buf.length} bytes ends inside the Ethernet or GOOSE/SV header`, 'eth');
  }
  const h = peek.headerOffset;
  if (r === 'length-mismatch') {
    fail('length-mismatch', h + 2, `Length ${peek.length} must be 8..${buf.length - h} (bytes from APPID to the end of the frame)`, 'header.length');
  }
  const eth = { dst: formatMac(buf, 0), src: formatMac(buf, MAC_BYTES) } as Frame['eth'];
  if (peek.vlan !== undefined) eth.vlan = { pcp: peek.vlan.pcp, dei: peek.vlan.dei, vid: peek.vlan.vid };
  const header = {
    appId: peek.appId,
    reserved1: (buf[h + 4]! << 8) | buf[h + 5]!,
    reserved2: (buf[h + 6]! << 8) | buf[h + 7]!,
  };
  const apduStart = peek.apduOffset;
  const apduEnd = h + peek.length;
  const padding = copyBytes(buf, apduEnd, buf.length);
  switch (peek.etherType) {
    case ETHERTYPE_GOOSE:
      return { kind: 'goose', eth, header, padding, pdu: decodeGoosePduAt(buf, apduStart, apduEnd) };
    case ETHERTYPE_SV:
      return { kind: 'sv', eth, header, padding, pdu: decodeSvPduAt(buf, apduStart, apduEnd) };
    default:
      return { kind: 'gse', eth, header, padding, apdu: copyBytes(buf, apduStart, apduEnd) };
  }
}

const scratch = new ReverseWriter(2048);

/**
 * Encodes a frame canonically (Length computed, minimal BER). Throws RangeError/TypeError
 * naming the field when the value is not encodable (a caller error, not a data error).
 */
export function encodeFrame(frame: Frame): Buffer {
  pathReset();
  scratch.reset();
  writeFrame(scratch, frame);
  return scratch.toBytes();
}

/** Writes the whole frame into `w` (in front of what it holds). */
export function writeFrame(w: ReverseWriter, frame: Frame): void {
  w.bytes(frame.padding);
  const apduMark = w.size;
  let etherType: number;
  switch (frame.kind) {
    case 'goose':
      writeGoosePdu(w, frame.pdu);
      etherType = ETHERTYPE_GOOSE;
      break;
    case 'sv':
      writeSvPdu(w, frame.pdu);
      etherType = ETHERTYPE_SV;
      break;
    case 'gse':
      w.bytes(frame.apdu);
      etherType = ETHERTYPE_GSE;
      break;
    default:
      throw new TypeError(`frame.kind must be 'goose', 'sv' or 'gse', got '${(frame as { kind: unknown }).kind}'`);
  }
  const length = w.size - apduMark + IEC_HEADER_BYTES;
  if (length > 0xffff) throw new RangeError(`frame APDU too large: Length ${length} exceeds 65535`);
  const { header, eth } = frame;
  checkU16(header.reserved2, 'header.reserved2');
  checkU16(header.reserved1, 'header.reserved1');
  checkU16(header.appId, 'header.appId');
  w.uintBE(header.reserved2, 2);
  w.uintBE(header.reserved1, 2);
  w.uintBE(length, 2);
  w.uintBE(header.appId, 2);
  w.uintBE(etherType, 2);
  if (eth.vlan !== undefined) {
    const { pcp, dei, vid } = eth.vlan;
    if (!Number.isInteger(pcp) || pcp < 0 || pcp > 7) throw new RangeError(`eth.vlan.pcp must be 0..7, got ${pcp}`);
    if (!Number.isInteger(vid) || vid < 0 || vid > 4095) throw new RangeError(`eth.vlan.vid must be 0..4095, got ${vid}`);
    w.uintBE((pcp << 13) | (dei ? 0x1000 : 0) | vid, 2);
    w.uintBE(ETHERTYPE_VLAN, 2);
  }
  w.bytes(macBytes(eth.src, 'eth.src'));
  w.bytes(macBytes(eth.dst, 'eth.dst'));
}

function checkU16(v: number, field: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`${field} must be an integer 0..65535, got ${v}`);
}
