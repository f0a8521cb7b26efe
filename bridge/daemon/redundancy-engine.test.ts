// The engine's redundancy rules through its test entry points: a frame that arrives on two WAN
// paths, or from two gateways of one far LAN, is delivered once and the copy counted on its path;
// gateways of one site elect one LAN writer from each other's heartbeats.
import { expect } from 'chai';
import { FORWARDED } from '../spec/verdicts.js';
import { ForwardingEngine, type EngineConfig } from '../../native/engine.js';
import { createNativeKeyring } from '../../native/rgoose.js';

const OWN = { hi: 0x11111111, lo: 0x22222222 };
const GB1: EngineConfig = { enableSv: false, enableGse: false, checkAppIdRange: true, appIdAllow: null, groups: ['239.1.1.1'], rules: [], maxFrame: 1456, maxDatagram: 2048, l2Mtu: 1500, gateway: false };

function goose(n: number): Buffer {
  return Buffer.concat([Buffer.from('010ccd010010' + '020000000001' + '88b8' + '0001' + '001c' + '00000000', 'hex'), Buffer.from([0x61, n, ...Array(18).fill(0x12)])]);
}
function gb1(sender: { hi: number; lo: number }, seq: number, frame: Buffer): Buffer {
  const h = Buffer.alloc(16);
  h.write('GB', 0, 'latin1');
  h[2] = 1;
  h.writeUInt32BE(sender.hi, 4);
  h.writeUInt32BE(sender.lo, 8);
  h.writeUInt32BE(seq, 12);
  return Buffer.concat([h, frame]);
}
function heartbeat(sender: { hi: number; lo: number }, site: number, leaving = false, ready = true): Buffer {
  const d = gb1(sender, 0, Buffer.alloc(0));
  d[3] = 1 | (leaving ? 2 : 0) | (ready ? 4 : 0);
  return Buffer.concat([d, Buffer.from([site >>> 24, (site >>> 16) & 255, (site >>> 8) & 255, site & 255])]);
}
/** µs on the engine's clock (CLOCK_MONOTONIC), for rules that compare with when a config was applied. */
const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

describe('engine redundancy: two WAN paths', () => {
  it('delivers the first copy, discards the other path’s, and counts per path what each carried and how late', () => {
    const engine = new ForwardingEngine(OWN);
    engine.apply({ config: GB1 });
    try {
      const far = { hi: 5, lo: 6 };
      const verdicts: string[] = [];
      // Frames 1..4 first on path 0, the copy 300 µs later on path 1; frame 5 only on path 1.
      for (let n = 1; n <= 4; n++) verdicts.push(engine.testFromWan(gb1(far, n, goose(n)), 0, n * 1000, 0, 0), engine.testFromWan(gb1(far, n, goose(n)), 0, n * 1000 + 300, 0, 1));
      verdicts.push(engine.testFromWan(gb1(far, 5, goose(5)), 0, 5000, 0, 1));
      expect(verdicts).to.deep.equal([...Array(4).fill([FORWARDED, 'redundant-copy']).flat(), FORWARDED]);
      // The same datagram again on a path that already carried it is a WAN duplicate.
      expect(engine.testFromWan(gb1(far, 4, goose(4)), 0, 6000, 0, 1)).to.equal('duplicate');
      const [p0, p1] = engine.counts().paths;
      expect([p0!.frames_first, p0!.redundant_copies, p0!.frames_seen]).to.deep.equal([4, 0, 4]);
      expect([p1!.frames_first, p1!.redundant_copies, p1!.frames_seen]).to.deep.equal([1, 4, 5]);
      expect([p1!.skew_samples, p1!.skew_ewma_us, p1!.skew_max_us]).to.deep.equal([4, 300, 300]);
      expect(engine.counts().counters.gap_frames, 'no loss: every sequence number arrived on some path').to.equal(0);
    } finally {
      engine.close();
    }
  });

  it('delivers a frame again when its sender sends the same bytes under a new sequence number', () => {
    const engine = new ForwardingEngine(OWN);
    engine.apply({ config: GB1 });
    try {
      const far = { hi: 5, lo: 6 };
      expect([engine.testFromWan(gb1(far, 1, goose(1)), 0, 1000), engine.testFromWan(gb1(far, 2, goose(1)), 0, 2000)]).to.deep.equal([FORWARDED, FORWARDED]);
    } finally {
      engine.close();
    }
  });
});

describe('engine redundancy: two gateways of one far LAN', () => {
  it('GB1: delivers a frame both gateways carried once, and again after the copy window', () => {
    const engine = new ForwardingEngine(OWN);
    engine.apply({ config: GB1 });
    try {
      const [a, b] = [{ hi: 7, lo: 1 }, { hi: 7, lo: 2 }];
      expect(engine.testFromWan(gb1(a, 100, goose(9)), 0, 1000)).to.equal(FORWARDED);
      expect(engine.testFromWan(gb1(b, 5000, goose(9)), 0, 1200)).to.equal('redundant-copy');
      expect(engine.testFromWan(gb1(b, 5001, goose(9)), 0, 1000 + 600_000), 'beyond the copy window').to.equal(FORWARDED);
      expect(engine.counts().counters.gap_frames, 'each gateway’s numbering stays whole').to.equal(0);
    } finally {
      engine.close();
    }
  });

  it('R-GOOSE: delivers an SPDU both gateways sent once, and refuses a replay from either address', () => {
    const engine = new ForwardingEngine(OWN);
    engine.apply({ config: { ...GB1, encapsulation: 'rgoose', maxPayload: 1472 } });
    const ring = createNativeKeyring([]);
    const apdu = Buffer.from('6106800441424344', 'hex');
    const [A, B] = [0x0a4d000b * 65536 + 40000, 0x0a4d000c * 65536 + 40000];
    try {
      const fromA = ring.encode({ spduNumber: 100, appid: 1 }, apdu)!;
      const fromB = ring.encode({ spduNumber: 9_000_000, appid: 1 }, apdu)!;
      expect(engine.testFromWan(Buffer.from(fromA), 0, 1000, A)).to.equal(FORWARDED);
      expect(engine.testFromWan(Buffer.from(fromB), 0, 1100, B)).to.equal('redundant-copy');
      expect(engine.testFromWan(Buffer.from(fromA), 0, 1_000_000, A)).to.equal('replay');
      expect(engine.testFromWan(Buffer.from(fromB), 0, 1_000_000, B)).to.equal('replay');
      // Each gateway's stream goes on: the next SPDU of B is delivered when A's copy is missing.
      expect(engine.testFromWan(Buffer.from(ring.encode({ spduNumber: 9_000_001, appid: 1 }, Buffer.from('6106800441424345', 'hex'))!), 0, 1_000_100, B)).to.equal(FORWARDED);
    } finally {
      engine.close();
    }
  });
});

describe('engine redundancy: gateways of one site', () => {
  const SITE = 0x5a5a0001;
  const gateway: EngineConfig = { ...GB1, gateway: true, site: SITE, siteHoldUs: 250_000 };

  it('writes the LAN once the start-up hold passed and no live peer has a lower id; stands by while one has', () => {
    const engine = new ForwardingEngine(OWN);
    const applied = monotonicUs();
    engine.apply({ config: gateway });
    try {
      const lower = { hi: 0x01000000, lo: 0 };
      const higher = { hi: 0x7f000000, lo: 0 };
      const t = applied + 300_000;
      expect(engine.testFromWan(heartbeat(higher, SITE), 0, t, 0x0a4d0015 * 65536)).to.equal('control');
      expect(engine.counts().counters.lan_writer, 'a higher peer does not take the LAN').to.equal(1);
      expect(engine.testFromWan(heartbeat(lower, SITE + 1), 0, t, 0x0a4d0016 * 65536)).to.equal('control');
      expect(engine.counts().counters.lan_writer, 'another site’s gateway has no say').to.equal(1);
      expect(engine.testFromWan(heartbeat(lower, SITE, false, false), 0, t, 0x0a4d0016 * 65536)).to.equal('control');
      expect(engine.counts().counters.lan_writer, 'a peer still listening after its start does not take the LAN yet').to.equal(1);
      expect(engine.testFromWan(heartbeat(lower, SITE), 0, t, 0x0a4d0016 * 65536)).to.equal('control');
      expect(engine.counts().counters).to.include({ lan_writer: 0, site_peers: 2, wan_control_datagrams: 4 });
      // The peer's datagrams carry frames it read from this very LAN: never written back.
      expect(engine.testFromWan(gb1(lower, 1, goose(1)), 0, t + 10)).to.equal('same-site');
      expect(engine.testFromWan(heartbeat(lower, SITE, true), 0, t + 20, 0x0a4d0016 * 65536)).to.equal('control');
      expect(engine.counts().counters.lan_writer, 'the lower peer left').to.equal(1);
    } finally {
      engine.close();
    }
  });

  it('takes over the LAN when the peer’s heartbeats stop for the hold time', () => {
    const engine = new ForwardingEngine(OWN);
    const applied = monotonicUs();
    engine.apply({ config: gateway });
    try {
      const lower = { hi: 0x01000000, lo: 0 };
      const t = applied + 300_000;
      engine.testFromWan(heartbeat(lower, SITE), 0, t, 0x0a4d0016 * 65536);
      expect(engine.counts().counters.lan_writer).to.equal(0);
      engine.testFromWan(heartbeat({ hi: 0x7f000000, lo: 0 }, SITE), 0, t + 260_000, 0x0a4d0015 * 65536);
      expect(engine.counts().counters).to.include({ lan_writer: 1, site_peers: 1 });
    } finally {
      engine.close();
    }
  });
});
