// The bridge's own encapsulation, version 1 ("GB1"): 16 bytes, then the original Ethernet frame
// byte-identical (destination MAC, VLAN tag, padding — everything the L2 side returned).
//
//   0  2  'G' 'B'            magic
//   2  1  version = 1
//   3  1  flags (reserved: sent 0, ignored on receive so later versions can add bits)
//   4  8  sender id          random per daemon start: a restart is a new sender
//  12  4  sequence number    per sender and multicast group, big-endian, wraps at 2^32
//  16  …  Ethernet frame (no FCS)
//
// The native engine writes and reads it (native/src/engine/); these constants size the path-MTU
// guard and let `decode` show uplink captures. bridge/spec/gb1-encapsulation.ts is its reference.
//
// Pure: no imports.

export const GB1_MAGIC_0 = 0x47; // 'G'
export const GB1_MAGIC_1 = 0x42; // 'B'
export const GB1_VERSION = 1;
export const GB1_HEADER_BYTES = 16;
/** Ethernet header + IEC header: nothing shorter can be a frame we forwarded. */
export const MIN_INNER_FRAME = 14 + 8;

/** A random 64-bit sender id as two 32-bit halves (never 0/0, which reads as "unset"). */
export interface SenderId {
  hi: number;
  lo: number;
}

export function senderIdToHex(id: SenderId): string {
  return id.hi.toString(16).padStart(8, '0') + id.lo.toString(16).padStart(8, '0');
}
