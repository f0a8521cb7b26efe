// Finds the UDP payload in a captured Ethernet frame (IPv4 or IPv6, optional 802.1Q tags), so
// `decode` can read R-GOOSE/R-SV datagrams sent to any port.
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const VLAN_TPIDS = new Set([0x8100, 0x88a8]);
const IPPROTO_UDP = 17;
const UDP_HEADER_BYTES = 8;

/** The UDP payload (clipped to what was captured), or undefined for anything else, including IPv4 fragments. */
export function udpPayloadOf(frame: Uint8Array): Uint8Array | undefined {
  if (frame.length < 14) return undefined;
  const v = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  let at = 12;
  let etherType = v.getUint16(at);
  while (VLAN_TPIDS.has(etherType) && at + 6 <= frame.length) {
    at += 4;
    etherType = v.getUint16(at);
  }
  const ip = at + 2;
  let udp: number;
  if (etherType === ETHERTYPE_IPV4) {
    if (ip + 20 > frame.length || frame[ip]! >> 4 !== 4 || frame[ip + 9] !== IPPROTO_UDP) return undefined;
    if ((v.getUint16(ip + 6) & 0x3fff) !== 0) return undefined; // a fragment: the datagram is not whole
    udp = ip + (frame[ip]! & 0x0f) * 4;
  } else if (etherType === ETHERTYPE_IPV6) {
    if (ip + 40 > frame.length || frame[ip + 6] !== IPPROTO_UDP) return undefined; // extension headers not followed
    udp = ip + 40;
  } else {
    return undefined;
  }
  if (udp + UDP_HEADER_BYTES > frame.length) return undefined;
  const udpLength = v.getUint16(udp + 4);
  if (udpLength < UDP_HEADER_BYTES) return undefined;
  return frame.subarray(udp + UDP_HEADER_BYTES, Math.min(frame.length, udp + udpLength));
}
