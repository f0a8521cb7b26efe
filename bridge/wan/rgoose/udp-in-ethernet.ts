// Finds the UDP datagram in a captured Ethernet frame (IPv4 or IPv6, optional 802.1Q tags), so
// `decode` can read the uplink's R-GOOSE/R-SV and GB1 datagrams sent to any port.
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const VLAN_TPIDS = new Set([0x8100, 0x88a8]);
const IPPROTO_UDP = 17;
const UDP_HEADER_BYTES = 8;

/** A UDP datagram's outer addresses (IPv4 dotted, IPv6 as eight hex groups) and its payload. */
export interface UdpDatagram {
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  /** Clipped to what was captured. */
  payload: Uint8Array;
}

const ipv4Text = (d: Uint8Array, at: number): string => `${d[at]}.${d[at + 1]}.${d[at + 2]}.${d[at + 3]}`;
function ipv6Text(v: DataView, at: number): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(v.getUint16(at + i).toString(16));
  return groups.join(':');
}

/** `ip:port`, IPv6 in brackets. */
export const endpointText = (ip: string, port: number): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

/** The UDP payload (clipped to what was captured), or undefined for anything else, including IPv4 fragments. */
export function udpPayloadOf(frame: Uint8Array): Uint8Array | undefined {
  return udpDatagramOf(frame)?.payload;
}

/** The UDP datagram with its addresses, or undefined for anything else, including IPv4 fragments. */
export function udpDatagramOf(frame: Uint8Array): UdpDatagram | undefined {
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
  let src: string;
  let dst: string;
  if (etherType === ETHERTYPE_IPV4) {
    if (ip + 20 > frame.length || frame[ip]! >> 4 !== 4 || frame[ip + 9] !== IPPROTO_UDP) return undefined;
    if ((v.getUint16(ip + 6) & 0x3fff) !== 0) return undefined; // a fragment: the datagram is not whole
    udp = ip + (frame[ip]! & 0x0f) * 4;
    src = ipv4Text(frame, ip + 12);
    dst = ipv4Text(frame, ip + 16);
  } else if (etherType === ETHERTYPE_IPV6) {
    if (ip + 40 > frame.length || frame[ip + 6] !== IPPROTO_UDP) return undefined; // extension headers not followed
    udp = ip + 40;
    src = ipv6Text(v, ip + 8);
    dst = ipv6Text(v, ip + 24);
  } else {
    return undefined;
  }
  if (udp + UDP_HEADER_BYTES > frame.length) return undefined;
  const udpLength = v.getUint16(udp + 4);
  if (udpLength < UDP_HEADER_BYTES) return undefined;
  const payload = frame.subarray(udp + UDP_HEADER_BYTES, Math.min(frame.length, udp + udpLength));
  return { src, srcPort: v.getUint16(udp), dst, dstPort: v.getUint16(udp + 2), payload };
}
