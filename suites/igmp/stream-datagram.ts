// The numbered measurement stream's datagram: a magic, a run id (so a stale sender's datagrams
// are not counted), the sequence number and the sender's monotonic send time. Pure.

export const STREAM_MAGIC = 0x47424947; // "GBIG"
export const STREAM_VERSION = 1;
/** Header size; datagrams may be padded beyond it to a chosen size. */
export const STREAM_HEADER_BYTES = 24;

export interface StreamDatagram {
  runId: number;
  seq: number;
  /** Sender's CLOCK_MONOTONIC µs at send (comparable to the receiver's only on one machine). */
  sentUs: number;
  /** The sender's rate (frames/s, 0 = unknown, capped at 65535): lets a receiver on another host
   * tell how many frames were sent after the last one it got. */
  rateFps?: number;
}

export function encodeStreamDatagram(d: StreamDatagram, out: Buffer): number {
  if (out.length < STREAM_HEADER_BYTES) throw new RangeError(`stream datagram buffer needs ≥ ${STREAM_HEADER_BYTES} bytes, got ${out.length}`);
  out.writeUInt32BE(STREAM_MAGIC, 0);
  out.writeUInt8(STREAM_VERSION, 4);
  out.writeUInt8(0, 5);
  out.writeUInt16BE(Math.min(65535, Math.max(0, Math.round(d.rateFps ?? 0))), 6);
  out.writeUInt32BE(d.runId >>> 0, 8);
  out.writeUInt32BE(d.seq >>> 0, 12);
  out.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(d.sentUs))), 16);
  return out.length;
}

/** null for anything that is not one of our datagrams (another stream, a bridge's traffic). */
export function decodeStreamDatagram(buf: Buffer): StreamDatagram | null {
  if (buf.length < STREAM_HEADER_BYTES) return null;
  if (buf.readUInt32BE(0) !== STREAM_MAGIC || buf.readUInt8(4) !== STREAM_VERSION) return null;
  return {
    runId: buf.readUInt32BE(8),
    seq: buf.readUInt32BE(12),
    sentUs: Number(buf.readBigUInt64BE(16)),
    rateFps: buf.readUInt16BE(6),
  };
}
