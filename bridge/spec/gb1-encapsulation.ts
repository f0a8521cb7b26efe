// The bridge's own encapsulation, version 1 ("GB1"): 16 bytes, then the original Ethernet frame
// byte-identical (destination MAC, VLAN tag, padding — everything the TAP returned).
//
//   0  2  'G' 'B'            magic
//   2  1  version = 1
//   3  1  flags (reserved: sent 0, ignored on receive so later versions can add bits)
//   4  8  sender id          random per daemon start: a restart is a new sender
//  12  4  sequence number    per sender and multicast group, big-endian, wraps at 2^32
//  16  …  Ethernet frame (no FCS)
//
// Pure: no I/O imports.
import {
  D_BAD_LENGTH,
  D_BAD_MAGIC,
  D_BAD_VERSION,
  DECAP_OK,
  type Decapsulated,
  type Encapsulation,
  type SenderId,
} from './encapsulation.js';

export const GB1_MAGIC_0 = 0x47; // 'G'
export const GB1_MAGIC_1 = 0x42; // 'B'
export const GB1_VERSION = 1;
export const GB1_HEADER_BYTES = 16;
/** Ethernet header + IEC header: nothing shorter can be a frame we forwarded. */
export const MIN_INNER_FRAME = 14 + 8;

export class Gb1Encapsulation implements Encapsulation {
  readonly name = 'gb1';
  readonly overheadBytes = GB1_HEADER_BYTES;

  constructor(
    private readonly sender: SenderId,
    /** Longest datagram accepted on receive (config buffer_size). */
    private readonly maxDatagram: number,
  ) {}

  encapsulate(out: Buffer, frame: Uint8Array, frameOffset: number, frameLength: number, seq: number): number {
    out[0] = GB1_MAGIC_0;
    out[1] = GB1_MAGIC_1;
    out[2] = GB1_VERSION;
    out[3] = 0;
    out.writeUInt32BE(this.sender.hi, 4);
    out.writeUInt32BE(this.sender.lo, 8);
    out.writeUInt32BE(seq >>> 0, 12);
    out.set(frame.subarray(frameOffset, frameOffset + frameLength), GB1_HEADER_BYTES);
    return GB1_HEADER_BYTES + frameLength;
  }

  decapsulate(d: Uint8Array, length: number, into: Decapsulated): number {
    if (length < 4) return length >= 2 && (d[0] !== GB1_MAGIC_0 || d[1] !== GB1_MAGIC_1) ? D_BAD_MAGIC : D_BAD_LENGTH;
    if (d[0] !== GB1_MAGIC_0 || d[1] !== GB1_MAGIC_1) return D_BAD_MAGIC;
    if (d[2] !== GB1_VERSION) return D_BAD_VERSION;
    if (length < GB1_HEADER_BYTES + MIN_INNER_FRAME || length > this.maxDatagram) return D_BAD_LENGTH;
    into.flags = d[3]!;
    into.senderHi = ((d[4]! << 24) | (d[5]! << 16) | (d[6]! << 8) | d[7]!) >>> 0;
    into.senderLo = ((d[8]! << 24) | (d[9]! << 16) | (d[10]! << 8) | d[11]!) >>> 0;
    into.seq = ((d[12]! << 24) | (d[13]! << 16) | (d[14]! << 8) | d[15]!) >>> 0;
    into.frameOffset = GB1_HEADER_BYTES;
    into.frameLength = length - GB1_HEADER_BYTES;
    return DECAP_OK;
  }
}
