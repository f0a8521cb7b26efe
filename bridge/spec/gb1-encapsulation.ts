// GB1 (bridge/wan/gb1-format.ts) as the reference model writes and checks it: what the native
// engine's tx thread writes and its rx thread accepts, with the same drop verdicts. Not on the
// live path; the spec/engine property test holds the engine to it.
//
// Pure: no I/O imports.
import { GB1_HEADER_BYTES, GB1_MAGIC_0, GB1_MAGIC_1, GB1_VERSION, MIN_INNER_FRAME, type SenderId } from '../wan/gb1-format.js';
import { FORWARD, FromWanDrop } from './verdicts.js';

/** Filled by decapsulate (a reused object, as the engine's per-datagram state). */
export class Decapsulated {
  /** Sender id, high and low 32 bits (two numbers so comparisons never allocate a bigint). */
  senderHi = 0;
  senderLo = 0;
  /** Per-sender, per-stream sequence number (unsigned 32-bit, wraps). */
  seq = 0;
  flags = 0;
  /** Where the original Ethernet frame sits inside the datagram. */
  frameOffset = 0;
  frameLength = 0;
}

export class Gb1Encapsulation {
  readonly overheadBytes = GB1_HEADER_BYTES;

  constructor(
    private readonly sender: SenderId,
    /** Longest datagram accepted on receive (config buffer_size). */
    private readonly maxDatagram: number,
  ) {}

  /**
   * Writes header + frame bytes into `out` at offset 0 and returns the datagram length.
   * `out` must hold overheadBytes + frameLength bytes (the caller checked the MTU first).
   */
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

  /** Validates a received datagram: FORWARD (then `into` describes it) or a from-WAN drop code. */
  decapsulate(d: Uint8Array, length: number, into: Decapsulated): number {
    if (length < 4) return length >= 2 && (d[0] !== GB1_MAGIC_0 || d[1] !== GB1_MAGIC_1) ? FromWanDrop.kBadMagic : FromWanDrop.kBadLength;
    if (d[0] !== GB1_MAGIC_0 || d[1] !== GB1_MAGIC_1) return FromWanDrop.kBadMagic;
    if (d[2] !== GB1_VERSION) return FromWanDrop.kBadVersion;
    if (length < GB1_HEADER_BYTES + MIN_INNER_FRAME || length > this.maxDatagram) return FromWanDrop.kBadLength;
    into.flags = d[3]!;
    into.senderHi = ((d[4]! << 24) | (d[5]! << 16) | (d[6]! << 8) | d[7]!) >>> 0;
    into.senderLo = ((d[8]! << 24) | (d[9]! << 16) | (d[10]! << 8) | d[11]!) >>> 0;
    into.seq = ((d[12]! << 24) | (d[13]! << 16) | (d[14]! << 8) | d[15]!) >>> 0;
    into.frameOffset = GB1_HEADER_BYTES;
    into.frameLength = length - GB1_HEADER_BYTES;
    return FORWARD;
  }
}
