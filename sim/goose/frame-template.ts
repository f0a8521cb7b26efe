// Encode once per state change, patch per retransmission. Between two frames of one state only
// sqNum and timeAllowedToLive change, so the frame is split once into
//   [Ethernet + APPID/Length/Reserved][0x61 len][… gocbRef][TAL tlv][datSet … stNum][sqNum tlv][simulation … allData]
// and each retransmission is three copies plus two tiny integer TLVs and the recomputed lengths —
// no BER encoding of the dataset on the hot path. Pure; the codec does the one full encode.
import { encodeFrame } from '../../bridge/codec/index.js';
import type { GooseFrame } from '../../bridge/codec/types.js';

const TAG_GOOSE_PDU = 0x61;
const TAG_TAL = 0x81;
const TAG_SQNUM = 0x86;
// No Ethernet minimum-size padding is needed: the mandatory goosePdu fields alone make every
// GOOSE frame longer than 60 bytes.

/** Bytes of the minimal signed BER content of a non-negative integer ≤ 0xFFFFFFFF. */
function intContentBytes(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x8000) return 2;
  if (v < 0x800000) return 3;
  if (v < 0x80000000) return 4;
  return 5;
}

function lengthBytes(len: number): number {
  return len < 0x80 ? 1 : len < 0x100 ? 2 : len < 0x10000 ? 3 : 4;
}

function writeLength(out: Uint8Array, o: number, len: number): number {
  if (len < 0x80) {
    out[o] = len;
    return o + 1;
  }
  const n = lengthBytes(len) - 1;
  out[o++] = 0x80 | n;
  for (let i = n - 1; i >= 0; i--) out[o++] = (len >>> (8 * i)) & 0xff;
  return o;
}

function writeIntTlv(out: Uint8Array, o: number, tag: number, v: number): number {
  const n = intContentBytes(v);
  out[o++] = tag;
  out[o++] = n;
  for (let i = n - 1; i >= 0; i--) out[o++] = Math.floor(v / 2 ** (8 * i)) & 0xff;
  return o;
}

/** Reads a definite BER length at o; returns [length, offset after it]. */
function readLength(b: Uint8Array, o: number): [number, number] {
  const first = b[o]!;
  if (first < 0x80) return [first, o + 1];
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[o + 1 + i]!;
  return [len, o + 1 + n];
}

export class GooseFrameTemplate {
  private constructor(
    /** Ethernet header, VLAN tag, EtherType, APPID, Length, Reserved1/2. */
    private readonly head: Uint8Array,
    /** Offset of the Length field inside head. */
    private readonly lengthFieldOffset: number,
    /** PDU content from its start up to the TAL TLV (gocbRef). */
    private readonly beforeTal: Uint8Array,
    /** Between TAL and sqNum (datSet, goID, t, stNum). */
    private readonly betweenTalAndSq: Uint8Array,
    /** After sqNum to the end of the PDU (simulation … allData). */
    private readonly afterSq: Uint8Array,
  ) {}

  /** Encodes `frame` (its sqNum and TAL are placeholders) and splits it for patching. */
  static fromFrame(frame: GooseFrame): GooseFrameTemplate {
    const bytes = encodeFrame({ ...frame, padding: new Uint8Array(0) });
    const tagged = bytes[12] === 0x81 && bytes[13] === 0x00;
    const lengthFieldOffset = (tagged ? 16 : 12) + 2 + 2;
    const apduOffset = lengthFieldOffset + 6;
    if (bytes[apduOffset] !== TAG_GOOSE_PDU) throw new Error(`encoded frame has no goosePdu at ${apduOffset}`);
    const [pduLen, contentStart] = readLength(bytes, apduOffset + 1);
    const end = contentStart + pduLen;
    let talAt = -1;
    let talEnd = -1;
    let sqAt = -1;
    let sqEnd = -1;
    for (let o = contentStart; o < end; ) {
      const tag = bytes[o]!;
      const [len, c] = readLength(bytes, o + 1);
      if (tag === TAG_TAL) [talAt, talEnd] = [o, c + len];
      else if (tag === TAG_SQNUM) [sqAt, sqEnd] = [o, c + len];
      o = c + len;
    }
    if (talAt < 0 || sqAt < 0 || sqAt < talEnd) throw new Error('encoded goosePdu lacks timeAllowedToLive/sqNum in the expected order');
    return new GooseFrameTemplate(
      bytes.slice(0, apduOffset),
      lengthFieldOffset,
      bytes.slice(contentStart, talAt),
      bytes.slice(talEnd, sqAt),
      bytes.slice(sqEnd, end),
    );
  }

  /** The complete frame with this sqNum and TAL (a new buffer the caller may keep). */
  render(sqNum: number, talMs: number): Buffer {
    const contentLen = this.beforeTal.length + 2 + intContentBytes(talMs) + this.betweenTalAndSq.length + 2 + intContentBytes(sqNum) + this.afterSq.length;
    const pduLen = 1 + lengthBytes(contentLen) + contentLen;
    const out = Buffer.allocUnsafe(this.head.length + pduLen);
    out.set(this.head, 0);
    const iecLength = 8 + pduLen;
    out[this.lengthFieldOffset] = iecLength >>> 8;
    out[this.lengthFieldOffset + 1] = iecLength & 0xff;
    let o = this.head.length;
    out[o++] = TAG_GOOSE_PDU;
    o = writeLength(out, o, contentLen);
    out.set(this.beforeTal, o);
    o += this.beforeTal.length;
    o = writeIntTlv(out, o, TAG_TAL, talMs);
    out.set(this.betweenTalAndSq, o);
    o += this.betweenTalAndSq.length;
    o = writeIntTlv(out, o, TAG_SQNUM, sqNum);
    out.set(this.afterSq, o);
    return out;
  }
}
