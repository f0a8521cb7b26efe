// The native engine against its specification (bridge/daemon/forwarding-spec.ts): random and
// mutated frames and datagrams go through both; every verdict and every count must agree.
import { expect } from 'chai';
import fc from 'fast-check';
import { configArb, datagramArb, frameArb, OWN } from './forwarding-arbitraries.js';
import { ForwardingSpec, FORWARDED } from './forwarding-spec.js';
import { ForwardingEngine, engineLayout, type EngineConfig } from '../../native/engine.js';
import { createNativeKeyring } from '../../native/rgoose.js';

function fresh(cfg: EngineConfig): { engine: ForwardingEngine; spec: ForwardingSpec } {
  const engine = new ForwardingEngine(OWN);
  engine.apply({ config: cfg });
  return { engine, spec: new ForwardingSpec(cfg, OWN) };
}

describe('native forwarding engine against the specification', () => {
  it('defines every drop reason the specification can produce', () => {
    const l = engineLayout();
    for (const r of ['runt', 'vlan-stacked', 'arp', 'ipv4', 'ipv6', 'lldp', 'other-ethertype', 'sv-disabled', 'gse-disabled', 'length-field', 'trailing-bytes', 'appid-range', 'appid-not-allowed', 'oversize', 'wan-unavailable']) {
      expect(l.toWanDrops).to.include(r);
    }
    for (const r of ['bad-magic', 'bad-version', 'bad-length', 'own-sender', 'duplicate', 'stale', 'inner-not-allowed', 'oversize-frame', 'bad-destination', 'tap-write-failed']) {
      expect(l.fromWanDrops).to.include(r);
    }
  });

  it('gives the same verdict and group for every frame from the L2 side, and counts the same', () => {
    fc.assert(
      fc.property(configArb, fc.array(frameArb, { minLength: 1, maxLength: 40 }), (cfg, frames) => {
        const { engine, spec } = fresh(cfg);
        try {
          for (const f of frames) expect(engine.testToWan(f), Buffer.from(f).toString('hex')).to.deep.equal(spec.toWan(f));
          const drops = engine.counts().toWanDrops;
          for (const [label, n] of Object.entries(drops)) expect(n, label).to.equal(spec.toWanDrops.get(label) ?? 0);
          expect(engine.counts().counters.l2_frames_read).to.equal(frames.length);
        } finally {
          engine.close();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same verdict for every datagram from the WAN, and the same drop, loss and sender counts', () => {
    fc.assert(
      fc.property(configArb, fc.array(datagramArb, { minLength: 1, maxLength: 60 }), (cfg, datagrams) => {
        const { engine, spec } = fresh(cfg);
        try {
          let now = 1_000_000;
          for (const { datagram, group } of datagrams) {
            now += 137;
            expect(engine.testFromWan(datagram, group, now), datagram.toString('hex')).to.equal(spec.fromWan(datagram, group, now));
          }
          const c = engine.counts();
          for (const [label, n] of Object.entries(c.fromWanDrops)) expect(n, label).to.equal(spec.fromWanDrops.get(label) ?? 0);
          for (const [name, n] of Object.entries(spec.trackerCounts())) expect(c.counters[name], name).to.equal(n);
        } finally {
          engine.close();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('forwards a well-formed GOOSE datagram and drops its replay as a duplicate', () => {
    const cfg: EngineConfig = { enableSv: false, enableGse: false, checkAppIdRange: true, appIdAllow: null, groups: ['239.1.1.1'], rules: [], maxFrame: 1456, maxDatagram: 2048, l2Mtu: 1500, gateway: false };
    const { engine } = fresh(cfg);
    const frame = Buffer.from('010ccd010010' + '020000000001' + '88b8' + '0001' + '001c' + '00000000' + '61' + '12'.repeat(19), 'hex');
    const h = Buffer.from('474201000000000100000002' + '00000005', 'hex');
    const d = Buffer.concat([h, frame]);
    expect(engine.testFromWan(d, 0, 1)).to.equal(FORWARDED);
    expect(engine.testFromWan(d, 0, 2)).to.equal('duplicate');
    engine.close();
  });
});

describe('native forwarding engine per-APPID counters', () => {
  it('reports exactly the APPIDs it counted, at any APPID, with frames, bytes and drops', () => {
    const cfg: EngineConfig = { enableSv: true, enableGse: false, checkAppIdRange: false, appIdAllow: null, groups: ['239.1.1.1'], rules: [], maxFrame: 1456, maxDatagram: 4096, l2Mtu: 1500, gateway: false };
    const goose = (appid: number): Buffer => Buffer.concat([Buffer.from('010ccd010001020000000001' + '88b8', 'hex'), Buffer.from([appid >> 8, appid & 255, 0, 48, 0, 0, 0, 0]), Buffer.alloc(40, 0x61)]);
    // Either side of every bit boundary the engine's "seen" words have, and the ends.
    const appids = [0x0000, 0x001f, 0x0020, 0x003f, 0x0040, 0x3fff, 0x8000, 0xffff];
    const engine = new ForwardingEngine(OWN);
    engine.apply({ config: cfg });
    try {
      for (const a of appids) expect(engine.testToWan(goose(a))[0]).to.equal(FORWARDED);
      expect(engine.testToWan(goose(0x0040))[0]).to.equal(FORWARDED);
      expect(engine.testToWan(Buffer.concat([Buffer.from('ffffffffffff0200000000010806', 'hex'), Buffer.alloc(46)]))[0]).to.equal('arp');
      engine.apply({ config: { ...cfg, appIdAllow: [[0x0001, 0x0001]] } });
      expect(engine.testToWan(goose(0x1234))[0]).to.equal('appid-not-allowed');
      const counts = engine.appidCounts();
      const key = (a: number): string => `0x${a.toString(16).padStart(4, '0')}`;
      expect(Object.keys(counts).sort()).to.deep.equal([...appids, 0x1234].map(key).sort());
      for (const a of appids) expect(counts[key(a)], key(a)).to.include({ to_wan_frames: a === 0x0040 ? 2 : 1, to_wan_bytes: (a === 0x0040 ? 2 : 1) * goose(a).length, to_wan_dropped: 0 });
      expect(counts[key(0x1234)]).to.include({ to_wan_frames: 0, to_wan_dropped: 1 });
    } finally {
      engine.close();
    }
  });
});

describe('native forwarding engine receive guards', () => {
  const cfg: EngineConfig = { enableSv: true, enableGse: false, checkAppIdRange: true, appIdAllow: null, groups: ['239.1.1.1'], rules: [], maxFrame: 1456, maxDatagram: 4096, l2Mtu: 1500, gateway: false };
  const datagram = (dst: string, apdu: number, seq: number): Buffer => {
    const frame = Buffer.concat([Buffer.from(dst + '020000000001' + '88b8' + '0001', 'hex'), Buffer.from([(8 + apdu) >> 8, (8 + apdu) & 255, 0, 0, 0, 0]), Buffer.alloc(apdu, 0x61)]);
    const h = Buffer.from('474201000000000300000004', 'hex');
    return Buffer.concat([h, Buffer.from([0, 0, 0, seq]), frame]);
  };

  it('does not write a carried frame longer than the L2 side’s MTU allows, nor one to a unicast, broadcast or IPv6 multicast MAC', () => {
    const engine = new ForwardingEngine(OWN);
    engine.apply({ config: cfg });
    try {
      expect(engine.testFromWan(datagram('010ccd010001', 1500 - 7, 1), 0, 1)).to.equal('oversize-frame');
      expect(engine.testFromWan(datagram('010ccd010001', 1500 - 8, 2), 0, 1)).to.equal(FORWARDED);
      expect(engine.testFromWan(datagram('020000000009', 40, 3), 0, 1)).to.equal('bad-destination');
      expect(engine.testFromWan(datagram('ffffffffffff', 40, 4), 0, 1)).to.equal('bad-destination');
      expect(engine.testFromWan(datagram('333300000001', 40, 5), 0, 1)).to.equal('bad-destination');
      expect(engine.testFromWan(datagram('010ccd040001', 40, 6), 0, 1)).to.equal(FORWARDED);
      const c = engine.counts();
      expect(c.fromWanDrops['oversize-frame']).to.equal(1);
      expect(c.fromWanDrops['bad-destination']).to.equal(3);
      expect(c.counters.senders_seen, 'a sender is believed only once a frame passed every check').to.equal(1);
    } finally {
      engine.close();
    }
  });

  it('never lets a datagram whose carried frame fails a check touch the sender’s sequence window', () => {
    const engine = new ForwardingEngine(OWN);
    engine.apply({ config: cfg });
    try {
      // A spoofed datagram far ahead (sequence 200) carrying a frame that is not allowed …
      const spoof = datagram('ffffffffffff', 40, 200);
      expect(engine.testFromWan(spoof, 0, 1)).to.equal('bad-destination');
      // … does not make the sender's next real datagrams stale or count a gap.
      expect(engine.testFromWan(datagram('010ccd010001', 40, 1), 0, 2)).to.equal(FORWARDED);
      expect(engine.testFromWan(datagram('010ccd010001', 40, 2), 0, 3)).to.equal(FORWARDED);
      expect(engine.counts().counters.gap_frames).to.equal(0);
    } finally {
      engine.close();
    }
  });
});

describe('native forwarding engine, R-GOOSE WAN loss', () => {
  const cfg: EngineConfig = {
    enableSv: false, enableGse: false, checkAppIdRange: true, appIdAllow: null, groups: ['239.1.1.1'], rules: [],
    maxFrame: 1456, maxDatagram: 2048, l2Mtu: 1500, gateway: false, encapsulation: 'rgoose', maxPayload: 1472,
  };
  const ring = createNativeKeyring([]);
  /** A distinct goosePdu per SPDU: the engine drops a message it delivered a moment ago. */
  let message = 0;
  const apdu = (): Buffer => Buffer.from(`61068004${(message++).toString(16).padStart(8, '0')}`, 'hex');
  /** Sources as the rx thread packs them: address << 16 | port. */
  const A = 0x0a4d000b * 65536 + 40000;
  const B = 0x0a4d000c * 65536 + 40000;

  it('counts gaps and late SPDUs per source across its APPIDs, and re-anchors a sender restarted on the same address and port', () => {
    const engine = new ForwardingEngine(OWN);
    engine.apply({ config: cfg });
    let t = 1_000_000;
    const send = (source: number, spduNumber: number, appid: number): string => engine.testFromWan(ring.encode({ spduNumber, appid }, apdu())!, 0, (t += 1000), source);
    // A: two APPIDs share the sender's numbering, so 100..103 across them is no gap.
    expect([send(A, 100, 1), send(A, 101, 2), send(A, 102, 1), send(A, 103, 2)]).to.deep.equal(Array(4).fill(FORWARDED));
    // B interleaved, publishing its own APPID: its own numbering, far from A's.
    expect(send(B, 7_000_000, 9)).to.equal(FORWARDED);
    expect(send(A, 107, 1)).to.equal(FORWARDED); // 104..106 lost
    expect(send(B, 7_000_001, 9)).to.equal(FORWARDED);
    expect(send(A, 105, 2)).to.equal(FORWARDED); // one of them arrives late
    let c = engine.counts().counters;
    expect([c.gap_frames, c.gap_events, c.late_frames, c.senders_seen]).to.deep.equal([3, 1, 1, 2]);
    // A restarts after 2 s on the same address and port, its numbers far ahead.
    t += 2_000_000;
    expect(send(A, 107 + 60_000_000, 3)).to.equal(FORWARDED);
    send(A, 107 + 60_000_002, 3); // one lost after the restart
    c = engine.counts().counters;
    expect([c.gap_frames, c.gap_events, c.senders_seen]).to.deep.equal([4, 2, 2]);
    // An outage of 1 s at 1,000 frames/s is loss, not a restart. The jump runs past what the
    // replay state file covers: that SPDU waits for the next write (state-not-saved), the next passes.
    t += 1_000_000;
    expect(send(A, 107 + 60_000_002 + 1000, 3)).to.equal('state-not-saved');
    engine.replayState(false);
    engine.replayStateSaved();
    expect(send(A, 107 + 60_000_002 + 1001, 3)).to.equal(FORWARDED);
    c = engine.counts().counters;
    expect([c.gap_frames, c.gap_events]).to.deep.equal([1004, 3]);
    engine.close();
  });
});

describe('native forwarding engine, R-GOOSE replay state and key expiry', () => {
  const HMAC7 = { id: 7, signature: 'hmac-sha256-128', encryption: 'none', key: Buffer.alloc(32, 0x11) } as const;
  const HMAC9 = { id: 9, signature: 'hmac-sha256-128', encryption: 'none', key: Buffer.alloc(32, 0x33) } as const;
  const cfg = (keyExpiry: Array<{ id: number; atUs: number }> = []): EngineConfig => ({
    enableSv: false, enableGse: false, checkAppIdRange: true, appIdAllow: null, groups: ['239.1.1.1'], rules: [],
    maxFrame: 1456, maxDatagram: 2048, l2Mtu: 1500, gateway: false, encapsulation: 'rgoose', maxPayload: 1472,
    keys: [HMAC7, HMAC9], activeKey: 9, keyExpiry,
  });
  const A = 0x0a4d000b * 65536 + 40000;
  const B = 0x0a4d000c * 65536 + 41000;
  const goose = (n: number): Buffer => Buffer.from(`61068004${n.toString(16).padStart(8, '0')}`, 'hex');
  const spdu = (key: typeof HMAC7 | typeof HMAC9, spduNumber: number, message: number): Buffer =>
    createNativeKeyring([key], key.id).encode({ spduNumber, appid: 0x1010 }, goose(message))!;

  it('accepts a retired key until its grace ends, then drops its SPDUs as expired-key', () => {
    const engine = new ForwardingEngine(OWN);
    engine.apply({ config: cfg([{ id: 7, atUs: 5_000_000 }]) });
    expect(engine.testFromWan(spdu(HMAC7, 1, 1), 0, 4_999_999, A)).to.equal(FORWARDED);
    expect(engine.testFromWan(spdu(HMAC7, 2, 2), 0, 5_000_000, A)).to.equal('expired-key');
    expect(engine.testFromWan(spdu(HMAC9, 1, 3), 0, 5_000_001, A)).to.equal(FORWARDED);
    expect(engine.counts().fromWanDrops['expired-key']).to.equal(1);
    engine.close();
  });

  it('two senders of one stream: each message once, and the second sender alone goes on delivering', () => {
    const engine = new ForwardingEngine(OWN);
    engine.apply({ config: cfg() });
    const verdicts: string[] = [];
    for (let m = 1; m <= 10; m++) verdicts.push(engine.testFromWan(spdu(HMAC9, 1000 + m, m), 0, m * 50_000, A), engine.testFromWan(spdu(HMAC9, m, m), 0, m * 50_000 + 200, B));
    expect(verdicts.filter((v) => v === FORWARDED)).to.have.length(10);
    expect(verdicts.filter((v) => v === 'redundant-copy')).to.have.length(10);
    expect(engine.testFromWan(spdu(HMAC9, 11, 11), 0, 11 * 50_000, B)).to.equal(FORWARDED);
    expect(engine.counts().counters.gap_frames, 'a duplicate is not loss').to.equal(0);
    engine.close();
  });

  it('state written by one engine keeps a replay out of the next; the next SPDU still passes', () => {
    const first = new ForwardingEngine(OWN);
    first.apply({ config: cfg() });
    const recorded = Array.from({ length: 50 }, (_, i) => spdu(HMAC9, i + 1, i + 1));
    recorded.forEach((d, i) => expect(first.testFromWan(Buffer.from(d), 0, (i + 1) * 1000, A)).to.equal(FORWARDED));
    first.close();
    const marks = first.replayState(true);
    expect(marks.receive).to.deep.equal([{ group: '239.1.1.1', sender: 0x0a4d000b, stream: 0x1010, key: 9, mark: 50 }]);
    const second = new ForwardingEngine(OWN);
    second.apply({ config: cfg() });
    second.restoreReplayState(marks);
    second.replayState(false);
    second.replayStateSaved();
    for (const d of recorded) expect(second.testFromWan(Buffer.from(d), 0, 10 ** 9, A)).to.equal('replay');
    expect(second.testFromWan(spdu(HMAC9, 51, 51), 0, 10 ** 9, A)).to.equal(FORWARDED);
    second.close();
  });

  it('forgets the windows and counters of keys no longer listed', () => {
    const engine = new ForwardingEngine(OWN);
    engine.apply({ config: cfg() });
    engine.prepareNumbering(['239.1.1.1'], 9);
    engine.testFromWan(spdu(HMAC7, 1, 1), 0, 1000, A);
    expect(engine.replayState(false).receive.map((r) => r.key)).to.deep.equal([7]);
    engine.apply({ config: { ...cfg(), keys: [HMAC9] } });
    const after = engine.replayState(false);
    expect(after.receive).to.deep.equal([]);
    expect(after.send.map((s) => s.key)).to.deep.equal([9]);
    engine.close();
  });
});
