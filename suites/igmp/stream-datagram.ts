// The numbered measurement stream's datagram is what a goose-bridge sends: a GB1 header (sender id,
// sequence number) and a GOOSE Ethernet frame (simulation bit set, so nothing acts on it). The
// measurement fields are the dataset's one value, a 16-byte octet-string, which BER puts at the
// very end of the frame (so they are patched in place, no encoding per datagram):
//
//   GB1 header (16): 'G' 'B' 1 0 | sender id = runId (4) + 'IGMP' (4) | sequence number (4)
//   GOOSE frame: dst 01-0C-CD-01-00-02, EtherType 0x88B8, APPID 1, goosePdu whose allData is
//   one octet-string (16): 'GBIG' | version 1 | 0 | rate frames/s (2) | sender CLOCK_MONOTONIC µs (8)
//
// So a daemon that receives the stream decapsulates it and writes a valid GOOSE frame into its TAP
// (no malformed-datagram counts), and its membership monitor sees real traffic. Pure.
import { encodeFrame } from '../../bridge/codec/ethernet-frame.js';
import { minimalGooseFrame } from '../../testkit/frames/sample-frames.js';

export const STREAM_MAGIC = 0x47424947; // "GBIG"
export const STREAM_VERSION = 1;
const GB1_HEADER = 16;
const TRAILER = 16;
/** Marks the low half of the GB1 sender id: this is the suite's stream, not a bridge's. */
const SENDER_MARK = 0x49474d50; // "IGMP"

/** The frame with the trailer as its last bytes, encoded once (the bridge rejects trailing padding). */
const FRAME = encodeFrame({
  ...minimalGooseFrame(),
  pdu: { ...minimalGooseFrame().pdu, gocbRef: 'GBIG/LLN0$GO$igmpStream', allData: [{ type: 'octet-string', value: new Uint8Array(TRAILER) }] },
});

/** Datagram size: GB1 header + the GOOSE frame ending in the 16-byte trailer. */
export const STREAM_DATAGRAM_BYTES = GB1_HEADER + FRAME.length;
/** Kept for callers that size buffers: the smallest buffer encodeStreamDatagram accepts. */

export interface StreamDatagram {
  runId: number;
  seq: number;
  /** Sender's CLOCK_MONOTONIC µs at send (comparable to the receiver's only on one machine). */
  sentUs: number;
  /** The sender's rate (frames/s, 0 = unknown, capped at 65535): lets a receiver on another host
   * tell how many frames were sent after the last one it got. */
  rateFps?: number;
}

/** Writes the datagram into `out` (≥ STREAM_DATAGRAM_BYTES); returns its length. */
export function encodeStreamDatagram(d: StreamDatagram, out: Buffer): number {
  if (out.length < STREAM_DATAGRAM_BYTES) {
    throw new RangeError(`stream datagram buffer needs ≥ ${STREAM_DATAGRAM_BYTES} bytes, got ${out.length}`);
  }
  out[0] = 0x47; // 'G'
  out[1] = 0x42; // 'B'
  out[2] = 1;
  out[3] = 0;
  out.writeUInt32BE(d.runId >>> 0, 4);
  out.writeUInt32BE(SENDER_MARK, 8);
  out.writeUInt32BE(d.seq >>> 0, 12);
  FRAME.copy(out, GB1_HEADER);
  const t = STREAM_DATAGRAM_BYTES - TRAILER;
  out.writeUInt32BE(STREAM_MAGIC, t);
  out.writeUInt8(STREAM_VERSION, t + 4);
  out.writeUInt8(0, t + 5);
  out.writeUInt16BE(Math.min(65535, Math.max(0, Math.round(d.rateFps ?? 0))), t + 6);
  out.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(d.sentUs))), t + 8);
  return STREAM_DATAGRAM_BYTES;
}

/** null for anything that is not one of our datagrams (a bridge's traffic, another stream). */
export function decodeStreamDatagram(buf: Buffer): StreamDatagram | null {
  if (buf.length !== STREAM_DATAGRAM_BYTES) return null;
  if (buf[0] !== 0x47 || buf[1] !== 0x42 || buf[2] !== 1 || buf.readUInt32BE(8) !== SENDER_MARK) return null;
  const t = buf.length - TRAILER;
  if (buf.readUInt32BE(t) !== STREAM_MAGIC || buf.readUInt8(t + 4) !== STREAM_VERSION) return null;
  return {
    runId: buf.readUInt32BE(4),
    seq: buf.readUInt32BE(12),
    sentUs: Number(buf.readBigUInt64BE(t + 8)),
    rateFps: buf.readUInt16BE(t + 6),
  };
}
