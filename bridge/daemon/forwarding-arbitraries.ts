// Random and mutated inputs for the forwarding rules' property tests (test support, not on any
// live path): configurations, frames from the L2 side and GB1 datagrams from the WAN. Shared by
// the spec/engine test (forwarding-engine.test.ts) and the spec/engine/kernel-tier test
// (native/kernel-path.test.ts), so all tiers are driven by the same inputs.
import fc from 'fast-check';
import type { EngineConfig } from '../../native/engine.js';

export const OWN = { hi: 0x11111111, lo: 0x22222222 };
const ETHERTYPES = [0x88b8, 0x88ba, 0x88b9, 0x0806, 0x0800, 0x86dd, 0x88cc, 0x8100, 0x88a8, 0x1234];
const DESTINATIONS = [
  [0x01, 0x0c, 0xcd, 0x01, 0x00, 0x10],
  [0x01, 0x0c, 0xcd, 0x04, 0x00, 0x01],
  [0x01, 0x0c, 0xcd, 0x02, 0x00, 0x01],
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  [0x33, 0x33, 0x00, 0x00, 0x00, 0x01],
  [0x02, 0x00, 0x00, 0x00, 0x00, 0x09],
  [0x01, 0x00, 0x5e, 0x00, 0x00, 0x01],
];

export const configArb: fc.Arbitrary<EngineConfig> = fc.record({
  enableSv: fc.boolean(),
  enableGse: fc.boolean(),
  checkAppIdRange: fc.boolean(),
  appIdAllow: fc.option(fc.array(fc.tuple(fc.integer({ min: 0, max: 0x7fff }), fc.integer({ min: 0, max: 0x200 })).map(([lo, w]) => [lo, Math.min(0xffff, lo + w)] as const), { maxLength: 3 }), { nil: null }),
  groups: fc.constant(['239.1.1.1', '239.1.1.2', '239.1.1.3']),
  rules: fc.array(
    fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 0x7fff }), fc.integer({ min: 0, max: 0x100 }), fc.integer({ min: 0, max: 2 })).map(([lo, w, g]) => ({ kind: 'appid' as const, lo, hi: lo + w, groupIndex: g })),
      fc.integer({ min: 0, max: 2 }).map((g) => ({ kind: 'mac' as const, lo: 0x010ccd010000, hi: 0x010ccd0100ff, groupIndex: g })),
      fc.integer({ min: 0, max: 2 }).map((g) => ({ kind: 'mac' as const, lo: 0x01005e000000, hi: 0x01005e0000ff, groupIndex: g })),
    ),
    { maxLength: 3 },
  ),
  maxFrame: fc.integer({ min: 60, max: 1456 }),
  maxDatagram: fc.integer({ min: 64, max: 2048 }),
  l2Mtu: fc.integer({ min: 68, max: 1500 }),
  gateway: fc.constant(false),
});

/** A plausible frame (IEC header with consistent or broken fields), then maybe mutated. */
export const frameArb: fc.Arbitrary<Uint8Array> = fc
  .record({
    dst: fc.constantFrom(...DESTINATIONS),
    vlan: fc.constantFrom(0, 0, 1, 2),
    etherType: fc.constantFrom(...ETHERTYPES),
    appId: fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(0, 1, 0x3fff, 0x4000, 0x7fff, 0x8000)),
    apdu: fc.integer({ min: 0, max: 1600 }),
    lengthDelta: fc.constantFrom(0, 0, 0, -1, 1, -100, 8),
    pad: fc.constantFrom(0, 0, 10, 40),
    flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 2 }),
    truncate: fc.option(fc.nat({ max: 80 }), { freq: 8 }),
  })
  .map((o) => {
    const b: number[] = [...o.dst, 0x02, 0, 0, 0, 0, 1];
    if (o.vlan >= 1) b.push(0x81, 0x00, 0xa0, 0x05);
    if (o.vlan === 2) b.push(0x81, 0x00, 0x00, 0x07);
    b.push(o.etherType >> 8, o.etherType & 255);
    const length = Math.max(0, 8 + o.apdu + o.lengthDelta) & 0xffff;
    b.push(o.appId >> 8, o.appId & 255, length >> 8, length & 255, 0, 0, 0, 0);
    for (let i = 0; i < o.apdu; i++) b.push(i === 0 ? 0x61 : i & 255);
    for (let i = 0; i < o.pad; i++) b.push(0);
    for (const [at, v] of o.flips) if (b.length > 0) b[at % b.length] = v;
    return Uint8Array.from(o.truncate === null ? b : b.slice(0, o.truncate));
  });

export const SENDERS = [OWN, { hi: 1, lo: 2 }, { hi: 3, lo: 4 }, { hi: 0xffffffff, lo: 0xfffffffe }];

/** A GB1 datagram from a small set of senders with nearby sequence numbers, maybe broken. */
export const datagramArb = fc
  .record({
    sender: fc.nat({ max: SENDERS.length - 1 }),
    seq: fc.oneof(fc.integer({ min: 0, max: 80 }), fc.constantFrom(0x7fffffff, 0x80000000, 0xffffffff)),
    frame: frameArb,
    header: fc.constantFrom('ok', 'ok', 'ok', 'magic', 'version', 'short'),
    group: fc.integer({ min: 0, max: 2 }),
  })
  .map((o) => {
    const s = SENDERS[o.sender]!;
    const h = Buffer.alloc(16);
    h.write('GB', 0, 'latin1');
    h[2] = o.header === 'version' ? 2 : 1;
    if (o.header === 'magic') h[0] = 0x48;
    h.writeUInt32BE(s.hi, 4);
    h.writeUInt32BE(s.lo, 8);
    h.writeUInt32BE(o.seq >>> 0, 12);
    const d = Buffer.concat([h, o.frame]);
    return { datagram: o.header === 'short' ? d.subarray(0, 3) : d, group: o.group };
  });
