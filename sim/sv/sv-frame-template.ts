// One merging unit's frame encoded once by the codec, then patched in place per frame: every
// 9-2LE field that changes (smpCnt, smpSynch, the 8 values and qualities of each ASDU) has a
// fixed width, so the frame's length and layout never change and the hot path is a few integer
// writes into the same buffer — no encoding, no allocation per frame.
import { encodeFrame } from '../../bridge/codec/index.js';
import { newCursor, readTagLength } from '../../bridge/codec/ber-reader.js';
import type { SvFrame, VlanTag } from '../../bridge/codec/types.js';

export interface SvStreamIdentity {
  index: number;
  appId: number;
  dst: string;
  src: string;
  svID: string;
  vlan?: VlanTag;
}

const CHANNELS = 8;
const TAG_SMPCNT = 0x82;
const TAG_SMPSYNCH = 0x85;
const TAG_SEQDATA = 0x87;

export class SvFrameTemplate {
  readonly frame: Buffer;
  /** Per ASDU: offset of smpCnt's 2 content bytes, smpSynch's byte, seqData's 64 bytes. */
  private readonly smpCntAt: number[] = [];
  private readonly smpSynchAt: number[] = [];
  private readonly seqDataAt: number[] = [];

  /** `optional`: ASDU fields sent only when the control block's SmvOpts ask for them (fixed per stream). */
  constructor(id: SvStreamIdentity, asdus: number, confRev: number, smpSynch: number, optional: { datSet?: string; smpRate?: number } = {}) {
    const zero = new Array<number>(CHANNELS).fill(0);
    const f: SvFrame = {
      kind: 'sv',
      eth: { dst: id.dst, src: id.src, ...(id.vlan ? { vlan: id.vlan } : {}) } as SvFrame['eth'],
      header: { appId: id.appId, reserved1: 0, reserved2: 0 },
      padding: new Uint8Array(0),
      pdu: { asdus: Array.from({ length: asdus }, () => ({ svID: id.svID, ...optional, smpCnt: 0, confRev, smpSynch, seqData: { values: zero, qualities: zero } })) },
    };
    this.frame = Buffer.from(encodeFrame(f));
    this.locate(id.vlan ? 18 : 14);
  }

  private locate(headerAt: number): void {
    const buf = this.frame;
    const pdu = newCursor();
    readTagLength(buf, headerAt + 8, buf.length, pdu);
    const cur = newCursor();
    let o = pdu.start;
    while (o < pdu.end) {
      readTagLength(buf, o, pdu.end, cur);
      o = cur.end;
      if (cur.tag !== 0xa2) continue;
      const asdu = newCursor();
      let a = cur.start;
      while (a < cur.end) {
        readTagLength(buf, a, cur.end, asdu);
        a = asdu.end;
        const field = newCursor();
        for (let f = asdu.start; f < asdu.end; f = field.end) {
          readTagLength(buf, f, asdu.end, field);
          if (field.tag === TAG_SMPCNT) this.smpCntAt.push(field.start);
          else if (field.tag === TAG_SMPSYNCH) this.smpSynchAt.push(field.start);
          else if (field.tag === TAG_SEQDATA) this.seqDataAt.push(field.start);
        }
      }
    }
  }

  setSmpCnt(asdu: number, smpCnt: number): void {
    this.frame.writeUInt16BE(smpCnt, this.smpCntAt[asdu]!);
  }

  setSmpSynch(smpSynch: number): void {
    for (const o of this.smpSynchAt) this.frame[o] = smpSynch;
  }

  /** Writes the 8 values (INT32) of one ASDU; qualities are left as they are. */
  setValues(asdu: number, values: Int32Array): void {
    const o = this.seqDataAt[asdu]!;
    for (let c = 0; c < CHANNELS; c++) this.frame.writeInt32BE(values[c]!, o + 8 * c);
  }

  /** Sets the quality of every channel of every ASDU. */
  setQuality(quality: number): void {
    for (const o of this.seqDataAt) for (let c = 0; c < CHANNELS; c++) this.frame.writeUInt32BE(quality >>> 0, o + 8 * c + 4);
  }
}
