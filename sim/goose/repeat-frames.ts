// GOOSE retransmissions without decoding: between state changes a publisher repeats its last
// message byte for byte except sqNum (IEC 61850-8-1). Per stream (source MAC, APPID, gocbRef)
// the last decoded frame is kept; a frame equal to it outside the sqNum field is that message
// again, and only sqNum is read. Thousands of streams' heartbeats then cost a byte comparison
// each instead of a BER decode of the whole dataset. Anything else (a new state, another
// length, a frame this does not understand) takes the full decode. Pure.
import { FrameHeaderPeek, peekFrameHeader } from '../../bridge/codec/index.js';

const GOOSE_PDU_TAG = 0x61;
const GOCBREF_TAG = 0x80;
const SQNUM_TAG = 0x86;
/** Fields before sqNum: gocbRef, timeAllowedtoLive, datSet, goID, t, stNum. */
const MAX_FIELDS_BEFORE_SQNUM = 6;

interface Entry<T> {
  bytes: Uint8Array;
  sqStart: number;
  sqEnd: number;
  value: T;
}

/** Where sqNum's value sits in the frame, and the stream's hash (source MAC, APPID, gocbRef). */
interface Located {
  hash: number;
  /** Offset of sqNum's tag and the end of its value. */
  sqStart: number;
  sqValue: number;
  sqEnd: number;
}

function fnv(h: number, buf: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return h;
}

export class RepeatFrames<T> {
  private readonly entries = new Map<number, Entry<T>>();
  private readonly peek = new FrameHeaderPeek();
  private readonly at: Located = { hash: 0, sqStart: 0, sqValue: 0, sqEnd: 0 };
  /** sqNum of the last frame lookup() matched. */
  sqNum = 0;
  hits = 0;

  /** Reads a BER tag and length at o: [value start, value end], or undefined (long forms beyond 2 length bytes are the decoder's). */
  private static valueStart(buf: Uint8Array, o: number, end: number): [number, number] | undefined {
    if (o + 2 > end) return undefined;
    const b = buf[o + 1]!;
    if (b < 0x80) return [o + 2, o + 2 + b];
    if (b === 0x81 && o + 3 <= end) return [o + 3, o + 3 + buf[o + 2]!];
    if (b === 0x82 && o + 4 <= end) return [o + 4, o + 4 + ((buf[o + 2]! << 8) | buf[o + 3]!)];
    return undefined;
  }

  private locate(buf: Uint8Array): Located | undefined {
    const h = peekFrameHeader(buf, this.peek);
    if (typeof h === 'string' || h.etherType !== 0x88b8) return undefined;
    const end = h.headerOffset + h.length;
    const pdu = RepeatFrames.valueStart(buf, h.apduOffset, end);
    if (pdu === undefined || buf[h.apduOffset] !== GOOSE_PDU_TAG || pdu[1] !== end) return undefined;
    let o = pdu[0];
    let hash = fnv(fnv(0x811c9dc5, buf, 6, 12), buf, h.headerOffset, h.headerOffset + 2);
    for (let n = 0; n <= MAX_FIELDS_BEFORE_SQNUM && o < end; n++) {
      const tag = buf[o]!;
      const v = RepeatFrames.valueStart(buf, o, end);
      if (v === undefined || v[1] > end) return undefined;
      if (tag === GOCBREF_TAG) hash = fnv(hash, buf, v[0], v[1]);
      if (tag === SQNUM_TAG) {
        // a negative or over-long INTEGER is the decoder's to judge
        if (v[1] - v[0] < 1 || v[1] - v[0] > 5 || (buf[v[0]]! & 0x80) !== 0) return undefined;
        this.at.hash = hash;
        this.at.sqStart = o;
        this.at.sqValue = v[0];
        this.at.sqEnd = v[1];
        return this.at;
      }
      o = v[1];
    }
    return undefined;
  }

  /** The value remembered for this frame's message when the frame repeats it (sqNum in this.sqNum), else undefined. */
  lookup(buf: Uint8Array): T | undefined {
    const at = this.locate(buf);
    if (at === undefined) return undefined;
    const e = this.entries.get(at.hash);
    if (e === undefined || e.bytes.length !== buf.length || e.sqStart !== at.sqStart || e.sqEnd !== at.sqEnd) return undefined;
    const b = e.bytes;
    for (let i = 0; i < at.sqStart; i++) if (b[i] !== buf[i]) return undefined;
    for (let i = at.sqEnd; i < buf.length; i++) if (b[i] !== buf[i]) return undefined;
    let sq = 0;
    for (let i = at.sqValue; i < at.sqEnd; i++) sq = sq * 256 + buf[i]!;
    this.sqNum = sq;
    this.hits++;
    return e.value;
  }

  /** Keeps a fully decoded GOOSE frame (its bytes are copied) as its stream's message to compare with. */
  remember(buf: Uint8Array, value: T): void {
    const at = this.locate(buf);
    if (at === undefined) return;
    this.entries.set(at.hash, { bytes: Uint8Array.from(buf), sqStart: at.sqStart, sqEnd: at.sqEnd, value });
  }
}
