// Reads a GB1 datagram's header for `goose-bridge decode` of uplink captures: the carried
// Ethernet frame is then decoded like any captured frame. The layout is gb1-encapsulation.ts's.
import { GB1_HEADER_BYTES, GB1_MAGIC_0, GB1_MAGIC_1, GB1_VERSION } from './gb1-format.js';

export interface Gb1Datagram {
  flags: number;
  /** The sending daemon's random id, 16 hex digits (as its `started` log line shows it). */
  sender: string;
  seq: number;
  /** The carried Ethernet frame (clipped to what was captured). */
  frame: Uint8Array;
}

const hex8 = (d: Uint8Array, at: number): string =>
  Buffer.from(d.buffer, d.byteOffset + at, 4).toString('hex');

/**
 * The header and carried frame of a UDP payload that starts with GB1's magic and version;
 * undefined for anything else. A datagram too short to carry a frame still reads as GB1: its
 * carried frame then fails to decode with the offset where it ends.
 */
export function readGb1Datagram(payload: Uint8Array): Gb1Datagram | undefined {
  if (payload.length < GB1_HEADER_BYTES || payload[0] !== GB1_MAGIC_0 || payload[1] !== GB1_MAGIC_1 || payload[2] !== GB1_VERSION) return undefined;
  const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  return { flags: payload[3]!, sender: hex8(payload, 4) + hex8(payload, 8), seq: v.getUint32(12), frame: payload.subarray(GB1_HEADER_BYTES) };
}
