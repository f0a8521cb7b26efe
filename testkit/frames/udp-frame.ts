// Wraps a UDP payload in Ethernet + IPv4 + UDP (checksum 0: allowed for IPv4), as the bridge's
// uplink would carry it, so tests can write pcaps of R-GOOSE datagrams for tshark and decode.
/** Where ipv4UdpFrame puts the UDP payload. */
export const UDP_PAYLOAD_AT = 42;

export function ipv4UdpFrame(payload: Uint8Array, dstPort: number, srcPort = 102, group = [239, 192, 0, 1]): Buffer {
  const udpLen = 8 + payload.length;
  const f = Buffer.alloc(14 + 20 + udpLen);
  Buffer.from([0x01, 0x00, 0x5e, group[1]! & 0x7f, group[2]!, group[3]!]).copy(f, 0);
  Buffer.from([0x02, 0x00, 0x00, 0x00, 0x00, 0x01]).copy(f, 6);
  f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45;
  f.writeUInt16BE(20 + udpLen, 16);
  f[22] = 16; // TTL
  f[23] = 17; // UDP
  Buffer.from([10, 0, 0, 1]).copy(f, 26);
  Buffer.from(group).copy(f, 30);
  let sum = 0;
  for (let i = 14; i < 34; i += 2) sum += f.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  f.writeUInt16BE(~sum & 0xffff, 24);
  f.writeUInt16BE(srcPort, 34);
  f.writeUInt16BE(dstPort, 36);
  f.writeUInt16BE(udpLen, 38);
  Buffer.from(payload).copy(f, UDP_PAYLOAD_AT);
  return f;
}
