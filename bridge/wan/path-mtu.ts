// Never fragment: a Transit Gateway discards fragmented multicast, so a frame whose datagram
// would not fit the path MTU is dropped and counted instead of being sent in pieces.
// Pure: no I/O imports.

export const IPV4_HEADER_BYTES = 20;
export const UDP_HEADER_BYTES = 8;
export const MIN_PATH_MTU = 576;
export const MAX_PATH_MTU = 9001;

/** Largest Ethernet frame (as read from the TAP, no FCS) that fits one unfragmented datagram. */
export function maxFrameBytes(pathMtu: number, encapsulationOverhead: number): number {
  return pathMtu - IPV4_HEADER_BYTES - UDP_HEADER_BYTES - encapsulationOverhead;
}

/** Size on the wire (IP packet) of the datagram carrying a frame. */
export function ipPacketBytes(frameLength: number, encapsulationOverhead: number): number {
  return IPV4_HEADER_BYTES + UDP_HEADER_BYTES + encapsulationOverhead + frameLength;
}
