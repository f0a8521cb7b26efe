// Test frames: GOOSE-shaped frames (valid Ethernet + IEC header; the APDU is filler with a
// counter — the bridge never decodes it) and the non-GOOSE frames an interface emits.

export function gooseTestFrame(opts: { n: number; appId?: number; vlan?: boolean; totalLength?: number; etherType?: number }): Buffer {
  const head: number[] = [0x01, 0x0c, 0xcd, 0x01, 0x00, 0x01, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55];
  if (opts.vlan) head.push(0x81, 0x00, 0x80, 0x05); // PCP 4, VID 5
  const et = opts.etherType ?? 0x88b8;
  head.push(et >> 8, et & 255);
  const total = opts.totalLength ?? 120;
  const apduLen = total - head.length - 8;
  const appId = opts.appId ?? 0x0001;
  const length = 8 + apduLen;
  const b = Buffer.alloc(total);
  Buffer.from(head).copy(b, 0);
  let p = head.length;
  b.writeUInt16BE(appId, p);
  b.writeUInt16BE(length, p + 2);
  p += 8;
  for (let i = 0; i < apduLen; i++) b[p + i] = (i * 7 + opts.n) & 255;
  b[p] = 0x61;
  b.writeUInt32BE(opts.n >>> 0, total - 4);
  return b;
}

export const ARP_FRAME = Buffer.from(
  'ffffffffffff021122334455080600010800060400010211223344550a4d000b0000000000000a4d000c' + '00'.repeat(18),
  'hex',
);
/** IPv6 neighbour solicitation to the solicited-node multicast address. */
export const IPV6_ND_FRAME = Buffer.from(
  '3333ff00000c02112233445586dd6000000000203aff' + 'fe800000000000000011223344556677' + 'ff0200000000000000000001ff00000c' + '8700000000000000fe80000000000000000000000000000c0101021122334455',
  'hex',
);
export const LLDP_FRAME = Buffer.from('0180c200000e02112233445588cc' + '020704021122334455' + '04030302' + '0602 0078'.replace(' ', '') + '0000' + '00'.repeat(30), 'hex');
export const IPV4_FRAME = Buffer.from('01005e0001640211223344550800' + '45000020000040000111' + '0000' + '0a4d000be0000164' + 'c35ef1ba000c0000' + '41424344' + '00'.repeat(14), 'hex');

/** `count` distinct 200-byte GOOSE frames from `first` on (equal size: a run the engine can batch). */
export function gooseBurst(first: number, count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => gooseTestFrame({ n: first + i, totalLength: 200 }));
}

export const framesHex = (frames: readonly Buffer[]): string[] => frames.map((f) => f.toString('hex'));
