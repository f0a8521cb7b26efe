// The harness's measurement frame: a well-formed GOOSE frame (Wireshark decodes it cleanly) whose
// counters and timestamps sit at fixed offsets, so a lean generator patches a pre-encoded template
// in place (no encoding per frame) and a lean receiver reads them back without decoding BER.
//
// Layout (lengths of goosePdu, allData and the padding octet-string always use the 2-byte long
// form `82 hi lo`, legal BER, so the frame size is exactly what was asked for):
//   dst 01-0C-CD-01-pp-pp  src 02-67-62-00-pp-pp  88B8  APPID  Length  0000 0000
//   61 82 LL LL
//     80 gocbRef  81 02 TAL  82 datSet  83 goID  84 08 t(8)
//     85 05 00 stNum(4)  86 05 00 sqNum(4)  87 01 00  88 01 01  89 01 00  8A 01 02
//     AB 82 LL LL
//       89 10 txUs(8) eventUs(8)          ← octet-string: send time, state-change time (µs, CLOCK_MONOTONIC)
//       89 82 LL LL 00…                   ← padding to the requested size

export const PROBE_SRC_OUI = [0x02, 0x67, 0x62] as const; // locally administered, "gb"
export const PROBE_APPID_BASE = 0x1000;
/** Publishers 0..511 (their index also names the GOOSE multicast MAC); APPID = base + index. */
export const PROBE_MAX_PUBLISHERS = 0x200;
/** Smallest frame the template fits in. */
export const PROBE_MIN_BYTES = 150;
/** Largest: 8500-byte TGW MTU less IPv4/UDP/encapsulation headroom is the caller's business; BER 2-byte lengths cap it. */
export const PROBE_MAX_BYTES = 9000;

export interface ProbeLayout {
  frameBytes: number;
  offStNum: number;
  offSqNum: number;
  offTxUs: number;
  offEventUs: number;
  offTal: number;
}

export interface ProbeFields {
  publisher: number;
  stNum: number;
  sqNum: number;
  txUs: number;
  eventUs: number;
}

function tlv(tag: number, content: number[]): number[] {
  if (content.length > 127) throw new RangeError('short tlv only');
  return [tag, content.length, ...content];
}
const ascii = (s: string): number[] => [...Buffer.from(s, 'latin1')];

/** Builds the template of one publisher's frames; the returned layout locates the patchable fields. */
export function buildProbeTemplate(frameBytes: number, publisher: number): { frame: Buffer; layout: ProbeLayout } {
  if (!Number.isInteger(frameBytes) || frameBytes < PROBE_MIN_BYTES || frameBytes > PROBE_MAX_BYTES) {
    throw new RangeError(`frame size must be an integer ${PROBE_MIN_BYTES}..${PROBE_MAX_BYTES} bytes, got ${frameBytes}`);
  }
  if (!Number.isInteger(publisher) || publisher < 0 || publisher >= PROBE_MAX_PUBLISHERS) {
    throw new RangeError(`publisher index must be 0..511 (GOOSE multicast MAC range), got ${publisher}`);
  }
  const pubHi = (publisher >> 8) & 0xff;
  const pubLo = publisher & 0xff;
  const appId = PROBE_APPID_BASE + publisher;
  const head = [0x01, 0x0c, 0xcd, 0x01, pubHi, pubLo, ...PROBE_SRC_OUI, 0x00, pubHi, pubLo, 0x88, 0xb8];
  // Fixed-width name: every publisher's fields sit at the same offsets, so one layout reads them all.
  const name = `GBPROBE${String(publisher).padStart(3, "0")}`;
  const fields = [
    ...tlv(0x80, ascii(`${name}/LLN0$GO$gcb`)),
    ...tlv(0x81, [0x07, 0xd0]), // TAL 2000 ms, patched per frame by the GOOSE-schedule generator
    ...tlv(0x82, ascii(`${name}/LLN0$ds`)),
    ...tlv(0x83, ascii(name)),
    ...tlv(0x84, [0, 0, 0, 0, 0, 0, 0, 0x0a]),
    ...tlv(0x85, [0, 0, 0, 0, 1]),
    ...tlv(0x86, [0, 0, 0, 0, 0]),
    ...tlv(0x87, [0]),
    ...tlv(0x88, [1]),
    ...tlv(0x89, [0]),
    ...tlv(0x8a, [2]),
  ];
  const stamps = tlv(0x89, new Array<number>(16).fill(0));
  // Fixed part: eth(14) + iec(8) + 61 82 LL LL (4) + fields + AB 82 LL LL (4) + stamps + 89 82 LL LL (4)
  const fixed = head.length + 8 + 4 + fields.length + 4 + stamps.length + 4;
  const padLen = frameBytes - fixed;
  if (padLen < 0) throw new RangeError(`frame size ${frameBytes} too small for the probe template (needs ${fixed})`);
  const allDataLen = stamps.length + 4 + padLen;
  const pduLen = fields.length + 4 + allDataLen;
  const iecLength = 8 + 4 + pduLen;
  const bytes = [
    ...head,
    appId >> 8, appId & 0xff, iecLength >> 8, iecLength & 0xff, 0, 0, 0, 0,
    0x61, 0x82, pduLen >> 8, pduLen & 0xff,
    ...fields,
    0xab, 0x82, allDataLen >> 8, allDataLen & 0xff,
    ...stamps,
    0x89, 0x82, padLen >> 8, padLen & 0xff,
  ];
  const frame = Buffer.alloc(frameBytes);
  Buffer.from(bytes).copy(frame);
  const pduStart = head.length + 8 + 4;
  const off = (tag: number): number => {
    let i = pduStart;
    for (;;) {
      if (frame[i] === tag) return i + 2;
      i += 2 + frame[i + 1]!;
    }
  };
  const offTx = pduStart + fields.length + 4 + 2;
  return {
    frame,
    layout: {
      frameBytes,
      offTal: off(0x81),
      offStNum: off(0x85) + 1,
      offSqNum: off(0x86) + 1,
      offTxUs: offTx,
      offEventUs: offTx + 8,
    },
  };
}

export function writeProbeFields(frame: Buffer, layout: ProbeLayout, f: Omit<ProbeFields, 'publisher'>): void {
  frame.writeUInt32BE(f.stNum >>> 0, layout.offStNum);
  frame.writeUInt32BE(f.sqNum >>> 0, layout.offSqNum);
  frame.writeDoubleBE(f.txUs, layout.offTxUs);
  frame.writeDoubleBE(f.eventUs, layout.offEventUs);
}

export function writeProbeTal(frame: Buffer, layout: ProbeLayout, talMs: number): void {
  frame.writeUInt16BE(Math.min(0x7fff, Math.max(1, Math.round(talMs))), layout.offTal);
}

/**
 * Reads the probe frame at data[off, off + len) into `into` (no allocation: the receiver calls this
 * per frame at 100k+ frames/s); false when the frame is not one of ours (wrong type, size or
 * source), `into` then unchanged.
 */
export function readProbeInto(data: Buffer, off: number, len: number, layout: ProbeLayout, into: ProbeFields): boolean {
  if (len !== layout.frameBytes) return false;
  if (data[off + 12] !== 0x88 || data[off + 13] !== 0xb8) return false;
  // Identified by APPID, not source MAC: an R-GOOSE path rebuilds the Ethernet header (its own
  // source MAC), carrying only the APPID and the APDU.
  const publisher = ((data[off + 14]! << 8) | data[off + 15]!) - PROBE_APPID_BASE;
  if (publisher < 0 || publisher >= PROBE_MAX_PUBLISHERS) return false;
  into.publisher = publisher;
  into.stNum = data.readUInt32BE(off + layout.offStNum);
  into.sqNum = data.readUInt32BE(off + layout.offSqNum);
  into.txUs = data.readDoubleBE(off + layout.offTxUs);
  into.eventUs = data.readDoubleBE(off + layout.offEventUs);
  return true;
}

/** Reads a probe frame's fields; null when the frame is not one of ours (wrong type, size or source). */
export function readProbeFields(frame: Uint8Array, layout: ProbeLayout): ProbeFields | null {
  const f: ProbeFields = { publisher: 0, stNum: 0, sqNum: 0, txUs: 0, eventUs: 0 };
  const b = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  return readProbeInto(b, 0, frame.byteLength, layout, f) ? f : null;
}
