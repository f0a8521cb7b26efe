// What the WAN side needs from an encapsulation. The daemon only talks to this interface so an
// IEC 61850-90-5 R-GOOSE encapsulation (session header, SPDU number, HMAC signature) can be
// added beside the native one without touching the hot path.
//
// Pure: no I/O imports.

/** Receive-side outcome of decapsulate: 0 = ok, otherwise an index into DECAP_DROP_REASONS. */
export const DECAP_OK = 0;

/** Stable counter labels for datagrams rejected before sender tracking. Index = code. */
export const DECAP_DROP_REASONS = [
  'ok',
  'bad-magic', // not one of ours (another application on the group, noise)
  'bad-version', // a newer/older bridge speaking an encapsulation version we do not read
  'bad-length', // too short for header + smallest frame, or longer than the buffer size
  'bad-signature', // authentication failed (encapsulations that sign, e.g. R-GOOSE with HMAC)
] as const;
export type DecapDropReason = (typeof DECAP_DROP_REASONS)[number];
export const D_BAD_MAGIC = 1;
export const D_BAD_VERSION = 2;
export const D_BAD_LENGTH = 3;
export const D_BAD_SIGNATURE = 4;

/** Filled by decapsulate (a reused object: no allocation per datagram). */
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

export interface Encapsulation {
  /** Short name for logs and config (`encapsulation = gb1`). */
  readonly name: string;
  /** Bytes this encapsulation adds in front of the frame (for the path-MTU guard). */
  readonly overheadBytes: number;
  /**
   * Writes header + frame bytes into `out` at offset 0 and returns the datagram length.
   * `out` must hold overheadBytes + frameLength bytes (the caller checked the MTU first).
   */
  encapsulate(out: Buffer, frame: Uint8Array, frameOffset: number, frameLength: number, seq: number): number;
  /** Validates a received datagram; on DECAP_OK `into` describes it. */
  decapsulate(datagram: Uint8Array, length: number, into: Decapsulated): number;
}

/** A random 64-bit sender id as two 32-bit halves (never 0/0, which reads as "unset"). */
export interface SenderId {
  hi: number;
  lo: number;
}

export function senderIdToHex(id: SenderId): string {
  return id.hi.toString(16).padStart(8, '0') + id.lo.toString(16).padStart(8, '0');
}
