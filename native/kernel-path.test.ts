// The kernel tier (native/bpf/gb1-tc.bpf.c, run with BPF_PROG_TEST_RUN) against the specification
// (bridge/daemon/forwarding-spec.ts) and the user-space engine: random and mutated frames and
// datagrams go through all three. The kernel tier either decides a packet itself or passes it on
// unchanged (TC_ACT_OK) to a user-space engine behind it, as on a live bridge; the two tiers
// together must give every packet the specification's verdict and every drop reason, gap, late
// frame and sender the specification's count. What the kernel tier sends must be the engine's
// GB1 datagram byte for byte; what it delivers, the carried frame byte for byte.
import { expect } from 'chai';
import fc from 'fast-check';
import { configArb, datagramArb, frameArb, OWN } from '../testkit/arbitraries/forwarding-arbitraries.js';
import { ForwardingSpec } from '../bridge/spec/forwarding-spec.js';
import { FORWARDED } from '../bridge/spec/verdicts.js';
import { Gb1Encapsulation } from '../bridge/spec/gb1-encapsulation.js';
import { isRoot, skipUnless } from '../testkit/preconditions.js';
import { ipv4UdpFrame } from '../testkit/frames/udp-frame.js';
import { ForwardingEngine, type EngineConfig } from './engine.js';
import { KERNEL_APPIDS, KernelPathObject, kernelPathSupport, SEQ_SLOTS, TC_ACT_OK, TC_ACT_REDIRECT, type KernelPathConfig } from './kernel-path.js';
import { withKernelAppidCounts } from '../bridge/daemon/kernel-tier-config.js';

const PORT = 10000;
const LOOPBACK = 1;
const UPLINK = { ifindex: LOOPBACK, address: '10.0.0.1', mac: '02:00:00:00:00:01' };

function kernelConfig(engine: EngineConfig, generation: number): KernelPathConfig {
  return {
    engine,
    ownSender: OWN,
    seqSlots: engine.groups.map((_, i) => i),
    port: PORT,
    ttl: 16,
    uplinks: [UPLINK],
    l2: { ifindex: LOOPBACK, ingress: true },
    generation,
  };
}

/** A GB1 datagram as it arrives on the uplink: Ethernet, IPv4 to the group, UDP to the port. */
const onTheWire = (datagram: Uint8Array, group: string): Buffer => ipv4UdpFrame(datagram, PORT, 40000, group.split('.').map(Number));

/** A GOOSE frame of `appid` whose APDU carries `n` (distinct frames for the copy discard). */
function goose(appid: number, n: number): Buffer {
  const f = Buffer.from(`010ccd010001020000000001` + `88b8${appid.toString(16).padStart(4, '0')}0030` + '00000000' + '61'.repeat(40), 'hex');
  f.writeUInt32BE(n, 22);
  return f;
}

/** The one's-complement sum of an IPv4 header with its checksum in place: 0xffff when valid. */
function ipv4HeaderSum(h: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < 20; i += 2) s += (h[i]! << 8) | h[i + 1]!;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/**
 * Whether BPF_PROG_TEST_RUN takes the frame: nothing shorter than an Ethernet header (nor does a
 * TAP), and no IPv4/IPv6 frame shorter than its IP header (the kernel's stack never sends one).
 */
function testRunnable(f: Uint8Array): boolean {
  if (f.length < 14) return false;
  const type = (f[12]! << 8) | f[13]!;
  return !(type === 0x0800 && f.length < 34) && !(type === 0x86dd && f.length < 54);
}

/** The UDP checksum check: the one's-complement sum over pseudo-header and datagram, 0xffff when valid. */
function udpSum(packet: Uint8Array): number {
  const udp = packet.subarray(34);
  let s = 17 + udp.length;
  for (let i = 26; i < 34; i += 2) s += (packet[i]! << 8) | packet[i + 1]!;
  for (let i = 0; i < udp.length; i += 2) s += (udp[i]! << 8) | (udp[i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/** Drop counts by label (zeros left out), from a flat label → count record. */
function nonZero(r: Record<string, number>, labels: readonly string[]): Record<string, number> {
  return Object.fromEntries(labels.filter((l) => (r[l] ?? 0) > 0).map((l) => [l, r[l]!]));
}

function sum(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** The user-space engine's counters flattened like KernelPathObject.counters(). */
function engineFlat(e: ForwardingEngine): Record<string, number> {
  const c = e.counts();
  return { ...c.counters, ...c.toWanDrops, ...c.fromWanDrops };
}

describe('kernel tier (eBPF) against the specification and the user-space engine', function () {
  let kp: KernelPathObject;
  let generation = 0;
  const tally = { to_wan: { kernel: 0, passedUp: 0 }, from_wan: { kernel: 0, passedUp: 0 } };

  before(function () {
    skipUnless(this, isRoot(), 'kernel tier: BPF_PROG_TEST_RUN needs root (CAP_BPF + CAP_NET_ADMIN); run as root to include it');
    const s = kernelPathSupport();
    skipUnless(this, s.ok, `kernel tier: ${s.ok ? '' : s.reason}`);
    kp = KernelPathObject.load();
  });
  after(() => {
    kp?.close();
    for (const [prog, t] of Object.entries(tally)) {
      if (t.kernel + t.passedUp > 0) process.stderr.write(`kernel tier ${prog}: ${t.kernel} decided in the kernel, ${t.passedUp} passed up to user space\n`);
    }
  });

  /** The kernel tier with the user-space engine behind it, and the full engine alone. */
  function tiers(cfg: EngineConfig): { slow: ForwardingEngine; engine: ForwardingEngine; spec: ForwardingSpec } {
    kp.resetState();
    kp.configure(kernelConfig(cfg, ++generation));
    const slow = new ForwardingEngine(OWN);
    slow.apply({ config: cfg });
    const engine = new ForwardingEngine(OWN);
    engine.apply({ config: cfg });
    return { slow, engine, spec: new ForwardingSpec(cfg, OWN) };
  }

  it('gives every frame from the L2 side the same verdict, sends the engine’s GB1 datagram byte for byte, and counts the same', () => {
    fc.assert(
      fc.property(configArb, fc.array(frameArb, { minLength: 1, maxLength: 40 }), (cfg, frames) => {
        const { slow, engine, spec } = tiers(cfg);
        const gb1 = new Gb1Encapsulation(OWN, cfg.maxDatagram);
        const seqs = cfg.groups.map(() => 0);
        try {
          for (const f of frames) {
            const hex = Buffer.from(f).toString('hex');
            const [want, group] = spec.toWan(f);
            expect(engine.testToWan(f), hex).to.deep.equal([want, group]);
            const r = testRunnable(f) ? kp.testRun('to_wan', f) : undefined;
            if (r === undefined || r.action === TC_ACT_OK) {
              tally.to_wan.passedUp++;
              expect(slow.testToWan(f)[0], `${hex} (user space)`).to.equal(want);
              continue;
            }
            tally.to_wan.kernel++;
            expect(r.verdict, hex).to.equal(want);
            if (want !== FORWARDED) continue;
            expect(r.action).to.equal(TC_ACT_REDIRECT);
            const out = Buffer.from(r.out);
            const expected = Buffer.alloc(16 + f.length);
            gb1.encapsulate(expected, f, 0, f.length, seqs[group]!++);
            expect(out.subarray(42).toString('hex'), `GB1 datagram of ${hex}`).to.equal(expected.toString('hex'));
            const g = cfg.groups[group]!.split('.').map(Number);
            expect([...out.subarray(0, 6)]).to.deep.equal([0x01, 0x00, 0x5e, g[1]! & 0x7f, g[2]!, g[3]!]);
            expect([...out.subarray(30, 34)], 'IPv4 destination').to.deep.equal(g);
            expect(ipv4HeaderSum(out.subarray(14, 34)), 'IPv4 header checksum').to.equal(0xffff);
            expect(udpSum(out), 'UDP checksum').to.equal(0xffff);
            expect(out.readUInt16BE(16), 'IPv4 total length').to.equal(out.length - 14);
            expect([out.readUInt16BE(36), out.readUInt16BE(38)], 'UDP port and length').to.deep.equal([PORT, out.length - 34]);
          }
          const labels = Object.keys(engine.counts().toWanDrops);
          const both = sum(kp.counters(), engineFlat(slow));
          const want = Object.fromEntries(labels.filter((l) => (spec.toWanDrops.get(l) ?? 0) > 0).map((l) => [l, spec.toWanDrops.get(l)!]));
          expect(nonZero(both, labels), 'drops of both tiers').to.deep.equal(want);
          expect(nonZero(engineFlat(engine), labels), 'drops of the engine alone').to.deep.equal(want);
          expect(both.l2_frames_read).to.equal(frames.length);
          expect(withKernelAppidCounts(slow.appidCounts(), kp.appidCounts()), 'per-APPID counts of both tiers').to.deep.equal(engine.appidCounts());
        } finally {
          slow.close();
          engine.close();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives every datagram from the WAN the same verdict, delivers the carried frame byte for byte, and counts drops, loss and senders the same', () => {
    fc.assert(
      fc.property(configArb, fc.array(datagramArb, { minLength: 1, maxLength: 60 }), (cfg, datagrams) => {
        const { slow, engine, spec } = tiers(cfg);
        const decidedInKernel = cfg.groups.map(() => 0);
        try {
          let now = 1_000_000;
          for (const { datagram, group } of datagrams) {
            now += 137;
            const hex = datagram.toString('hex');
            const want = spec.fromWan(datagram, group, now);
            expect(engine.testFromWan(Buffer.from(datagram), group, now), hex).to.equal(want);
            kp.setClock(now * 1000);
            const r = kp.testRun('from_wan', onTheWire(datagram, cfg.groups[group]!), LOOPBACK);
            if (r.action === TC_ACT_OK) {
              tally.from_wan.passedUp++;
              expect(slow.testFromWan(Buffer.from(datagram), group, now), `${hex} (user space)`).to.equal(want);
              continue;
            }
            tally.from_wan.kernel++;
            decidedInKernel[group]!++;
            expect(r.verdict, hex).to.equal(want);
            if (want === FORWARDED) {
              expect(r.action).to.equal(TC_ACT_REDIRECT);
              expect(Buffer.from(r.out).toString('hex'), `frame carried by ${hex}`).to.equal(datagram.subarray(16).toString('hex'));
            }
          }
          const labels = Object.keys(engine.counts().fromWanDrops);
          const both = sum(kp.counters(), engineFlat(slow));
          const want = Object.fromEntries(labels.filter((l) => (spec.fromWanDrops.get(l) ?? 0) > 0).map((l) => [l, spec.fromWanDrops.get(l)!]));
          expect(nonZero(both, labels), 'drops of both tiers').to.deep.equal(want);
          // senders: what both tiers' tables hold now; senders_evicted: the kernel tier's first seen minus held.
          for (const [name, n] of Object.entries(spec.trackerCounts())) expect(both[name], name).to.equal(n);
          expect(both.wan_datagrams_received).to.equal(datagrams.length);
          // Group i has gb_seq slot i here (kernelConfig).
          expect(kp.groupDatagrams().slice(0, cfg.groups.length), 'datagrams per group the kernel tier decided').to.deep.equal(decidedInKernel);
          expect(withKernelAppidCounts(slow.appidCounts(), kp.appidCounts()), 'per-APPID counts of both tiers').to.deep.equal(engine.appidCounts());
          // The WAN path's counters (one path here): the two tiers add up to the engine alone.
          const [kPath, sPath, ePath] = [kp.counts().paths[0]!, slow.counts().paths[0]!, engine.counts().paths[0]!];
          for (const name of ['datagrams_received', 'frames_first', 'frames_seen', 'redundant_copies']) {
            expect(kPath[name]! + sPath[name]!, `path ${name}`).to.equal(ePath[name]);
          }
        } finally {
          slow.close();
          engine.close();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a duplicate window per sender: duplicates dropped, gaps, late and stale datagrams counted as the engine counts them', () => {
    const cfg: EngineConfig = { enableSv: false, enableGse: false, checkAppIdRange: true, appIdAllow: null, groups: ['239.1.1.1'], rules: [], maxFrame: 1456, maxDatagram: 2048, l2Mtu: 1500, gateway: false };
    const { slow, engine } = tiers(cfg);
    slow.close();
    const datagram = (seq: number): Buffer => {
      const h = Buffer.from('474201000000000300000004' + '00000000', 'hex');
      h.writeUInt32BE(seq, 12);
      // A frame per sequence number: the same bytes again would be a copy, not this test's subject.
      const apdu = Buffer.alloc(40, 0x61);
      apdu.writeUInt32BE(seq, 4);
      return Buffer.concat([h, Buffer.from('010ccd010001020000000001' + '88b8' + '0001' + '0030' + '00000000', 'hex'), apdu]);
    };
    const seqs = [10, 11, 11, 14, 12, 12, 13, 200, 100, 137, 136];
    const kernel: string[] = [];
    const user: string[] = [];
    seqs.forEach((s, i) => {
      kp.setClock((1_000_000 + i) * 1000);
      kernel.push(kp.testRun('from_wan', onTheWire(datagram(s), '239.1.1.1'), LOOPBACK).verdict);
      user.push(engine.testFromWan(datagram(s), 0, 1_000_000 + i));
    });
    engine.close();
    const F = FORWARDED;
    expect(kernel).to.deep.equal([F, F, 'duplicate', F, F, 'duplicate', F, F, 'stale', F, 'stale']);
    expect(kernel).to.deep.equal(user);
    const c = kp.counters();
    expect([c.gap_frames, c.gap_events, c.late_frames, c.senders_seen, c.duplicate, c.stale]).to.deep.equal([2 + 185, 2, 3, 1, 2, 2]);
  });

  it('counts a group’s datagrams under its sequence slot, and per APPID each way, frames dropped included', () => {
    const cfg: EngineConfig = { enableSv: false, enableGse: false, checkAppIdRange: true, appIdAllow: null, groups: ['239.1.1.1', '239.1.1.2'], rules: [], maxFrame: 1456, maxDatagram: 2048, l2Mtu: 1500, gateway: false };
    kp.resetState();
    kp.configure({ ...kernelConfig(cfg, ++generation), seqSlots: [5, 9] });
    const datagram = (sender: number, seq: number, appid: number): Buffer => {
      const h = Buffer.alloc(16);
      h.write('GB', 0, 'latin1');
      h[2] = 1;
      h.writeUInt32BE(sender, 8);
      h.writeUInt32BE(seq, 12);
      return Buffer.concat([h, goose(appid, seq)]);
    };
    const verdicts = [
      kp.testRun('from_wan', onTheWire(datagram(3, 1, 0x10), '239.1.1.2'), LOOPBACK).verdict,
      kp.testRun('from_wan', onTheWire(datagram(3, 2, 0x10), '239.1.1.2'), LOOPBACK).verdict,
      kp.testRun('from_wan', onTheWire(datagram(3, 2, 0x10), '239.1.1.2'), LOOPBACK).verdict,
      kp.testRun('from_wan', onTheWire(datagram(4, 1, 0x20), '239.1.1.1'), LOOPBACK).verdict,
    ];
    expect(verdicts).to.deep.equal([FORWARDED, FORWARDED, 'duplicate', FORWARDED]);
    const perSlot = kp.groupDatagrams();
    expect([perSlot[5], perSlot[9], perSlot.reduce((a, b) => a + b, 0)]).to.deep.equal([1, 3, 4]);
    expect(kp.testRun('to_wan', goose(0x10, 1)).verdict).to.equal(FORWARDED);
    expect(kp.testRun('to_wan', goose(0x4010, 2)).verdict, 'a GOOSE APPID out of its range').to.equal('appid-range');
    const frameBytes = goose(0x10, 1).length;
    expect(kp.appidCounts()).to.deep.equal({
      '0x0010': { to_wan_frames: 1, to_wan_bytes: frameBytes, to_wan_dropped: 0, from_wan_frames: 2, from_wan_bytes: 2 * frameBytes, from_wan_dropped: 1 },
      '0x0020': { to_wan_frames: 0, to_wan_bytes: 0, to_wan_dropped: 0, from_wan_frames: 1, from_wan_bytes: frameBytes, from_wan_dropped: 0 },
      '0x4010': { to_wan_frames: 0, to_wan_bytes: 0, to_wan_dropped: 1, from_wan_frames: 0, from_wan_bytes: 0, from_wan_dropped: 0 },
    });
    expect(kp.counts().counters).to.include({ senders: 2, senders_seen: 2, senders_evicted: 0 });
  });

  it(`keeps per-APPID counters for ${KERNEL_APPIDS} APPIDs; a frame of one more passes up to user space, which counts every APPID`, () => {
    const cfg: EngineConfig = { enableSv: false, enableGse: false, checkAppIdRange: true, appIdAllow: null, groups: ['239.1.1.1'], rules: [], maxFrame: 1456, maxDatagram: 2048, l2Mtu: 1500, gateway: false };
    kp.resetState();
    kp.configure(kernelConfig(cfg, ++generation));
    const actions = Array.from({ length: KERNEL_APPIDS + 1 }, (_, appid) => kp.testRun('to_wan', goose(appid, 0)).action);
    expect(actions.filter((a) => a === TC_ACT_REDIRECT).length, 'decided in the kernel').to.equal(KERNEL_APPIDS);
    expect(actions[KERNEL_APPIDS], 'the APPID beyond the table').to.equal(TC_ACT_OK);
    expect(kp.testRun('to_wan', goose(7, 1)).action, 'an APPID already counted').to.equal(TC_ACT_REDIRECT);
    const h = Buffer.from('47420100' + '00000000' + '00000009' + '00000001', 'hex');
    const beyond = Buffer.concat([h, goose(KERNEL_APPIDS, 0)]);
    expect(kp.testRun('from_wan', onTheWire(beyond, '239.1.1.1'), LOOPBACK).action, 'a datagram carrying it').to.equal(TC_ACT_OK);
    const rows = kp.appidCounts();
    expect(Object.keys(rows)).to.have.length(KERNEL_APPIDS);
    expect(rows['0x0007']!.to_wan_frames).to.equal(2);
    expect(rows[`0x${KERNEL_APPIDS.toString(16).padStart(4, '0')}`]).to.equal(undefined);
  });

  it('delivers carried frames of every length from the shortest (22 bytes) to 100 bytes byte for byte, moved by copy or by shrinking', () => {
    const cfg: EngineConfig = { enableSv: false, enableGse: false, checkAppIdRange: true, appIdAllow: null, groups: ['239.1.1.1'], rules: [], maxFrame: 1456, maxDatagram: 2048, l2Mtu: 1500, gateway: false };
    tiers(cfg).slow.close();
    for (let len = 22; len <= 100; len++) {
      const frame = Buffer.alloc(len, len);
      Buffer.from('010ccd010001020000000001' + '88b8' + '0001', 'hex').copy(frame);
      frame.writeUInt16BE(len - 14, 16);
      const h = Buffer.from('47420100' + '00000000' + '00000005' + '00000000', 'hex');
      h.writeUInt32BE(len, 12);
      kp.setClock(len * 1000);
      const r = kp.testRun('from_wan', onTheWire(Buffer.concat([h, frame]), '239.1.1.1'), LOOPBACK);
      expect([r.verdict, Buffer.from(r.out).toString('hex')], `${len} bytes`).to.deep.equal([FORWARDED, frame.toString('hex')]);
    }
  });

  it('drops as a loop a frame it sent to the WAN coming back within 500 ms, from any sender; not later, not another frame', () => {
    const cfg: EngineConfig = { enableSv: false, enableGse: false, checkAppIdRange: true, appIdAllow: null, groups: ['239.1.1.1'], rules: [], maxFrame: 1456, maxDatagram: 2048, l2Mtu: 1500, gateway: false };
    tiers(cfg).slow.close();
    const frame = (n: number): Buffer => {
      const f = Buffer.from('010ccd010001020000000001' + '88b8' + '0001' + '0030' + '00000000' + '61'.repeat(40), 'hex');
      f.writeUInt32BE(n, 22);
      return f;
    };
    let seq = 0;
    // Another bridge's datagram carrying `f` (e.g. an application behind it sent it on again).
    const back = (f: Buffer): Buffer => {
      const h = Buffer.from('47420100' + '00000000' + '00000009' + '00000000', 'hex');
      h.writeUInt32BE(++seq, 12);
      return onTheWire(Buffer.concat([h, f]), '239.1.1.1');
    };
    const sentAt = 5_000_000_000;
    kp.setClock(sentAt);
    for (const n of [1, 2]) expect(kp.testRun('to_wan', frame(n)).verdict).to.equal(FORWARDED);
    const at = (ms: number, f: Buffer): string => {
      kp.setClock(sentAt + ms * 1e6);
      return kp.testRun('from_wan', back(f), LOOPBACK).verdict;
    };
    expect([at(1, frame(1)), at(499, frame(2)), at(2, frame(3))]).to.deep.equal(['loop', 'loop', FORWARDED]);
    expect(at(501, frame(1)), 'after the window').to.equal(FORWARDED);
    expect(kp.counters().loop).to.equal(2);
  });

  it('numbers a group’s datagrams from the word it shares with the user-space engine, continuing from the engine’s count', () => {
    const cfg: EngineConfig = { enableSv: false, enableGse: false, checkAppIdRange: true, appIdAllow: null, groups: ['239.1.1.1', '239.1.1.2'], rules: [{ kind: 'appid', lo: 2, hi: 2, groupIndex: 1 }], maxFrame: 1456, maxDatagram: 2048, l2Mtu: 1500, gateway: false };
    kp.resetState();
    kp.configure({ ...kernelConfig(cfg, ++generation), seqSlots: [5, 9] });
    const seqOf = (appid: number): number => Buffer.from(kp.testRun('to_wan', goose(appid, 0)).out).readUInt32BE(42 + 12);
    const first = new ForwardingEngine(OWN);
    first.apply({ config: cfg });
    first.shareSequences(kp.mapFd('gb_seq'), SEQ_SLOTS, [['239.1.1.1', 5], ['239.1.1.2', 9]]);
    first.close();
    // The engine starts a group's numbers at the wall clock's µs (mod 2^32): the kernel tier goes on from there.
    const a = seqOf(1);
    const b = seqOf(2);
    // Date.now() has ms steps: the engine's µs may be up to 1 ms ahead of it.
    const nowUs = Date.now() * 1000 + 1000;
    for (const s of [a, b]) expect((((nowUs - s) % 2 ** 32) + 2 ** 32) % 2 ** 32, 'started at the engine’s number').to.be.within(0, 600e6);
    expect([seqOf(1), seqOf(1), seqOf(2)]).to.deep.equal([a + 1, a + 2, b + 1]);
    // Another engine sharing the same words (a restart of the user tier) continues, never restarts.
    const second = new ForwardingEngine(OWN);
    second.shareSequences(kp.mapFd('gb_seq'), SEQ_SLOTS, [['239.1.1.1', 5]]);
    second.close();
    expect(seqOf(1)).to.equal(a + 3);
    expect(() => new ForwardingEngine(OWN).shareSequences(kp.mapFd('gb_seq'), SEQ_SLOTS, [['239.1.1.1', SEQ_SLOTS]])).to.throw(/slot 64/);
  });

  it('keeps a group’s sequence word and sender table across a reload that adds a group in front of it', () => {
    const one: EngineConfig = { enableSv: false, enableGse: false, checkAppIdRange: true, appIdAllow: null, groups: ['239.1.1.1'], rules: [], maxFrame: 1456, maxDatagram: 2048, l2Mtu: 1500, gateway: false };
    // The reload: a new group first, mapped for APPID 2; 239.1.1.1 moves from index 0 to 1 and keeps slot 5.
    const two: EngineConfig = { ...one, groups: ['239.1.1.9', '239.1.1.1'], rules: [{ kind: 'appid', lo: 2, hi: 2, groupIndex: 0 }] };
    kp.resetState();
    const engine = new ForwardingEngine(OWN);
    try {
      engine.apply({ config: one });
      engine.shareSequences(kp.mapFd('gb_seq'), SEQ_SLOTS, [['239.1.1.1', 5]], kp.mapFd('gb_drained'));
      engine.start(() => undefined);
      kp.configure({ ...kernelConfig(one, ++generation), seqSlots: [5] });
      const datagram = (seq: number): Buffer => {
        const h = Buffer.from('474201000000000300000004' + '00000000', 'hex');
        h.writeUInt32BE(seq, 12);
        return Buffer.concat([h, Buffer.from('010ccd010001020000000001' + '88b8' + '0001' + '0030' + '00000000' + '61'.repeat(40), 'hex')]);
      };
      const receive = (seq: number): string => kp.testRun('from_wan', onTheWire(datagram(seq), '239.1.1.1'), LOOPBACK).verdict;
      kp.setClock(1e9);
      expect(receive(10)).to.equal(FORWARDED);
      // The running engine learns the new group's word before the reload is applied (as the daemon does).
      engine.shareSequences(kp.mapFd('gb_seq'), SEQ_SLOTS, [['239.1.1.9', 6], ['239.1.1.1', 5]], kp.mapFd('gb_drained'));
      engine.apply({ config: two });
      kp.configure({ ...kernelConfig(two, ++generation), seqSlots: [6, 5] });
      const goose = Buffer.from('010ccd010001020000000001' + '88b8' + '0002' + '0030' + '00000000' + '61'.repeat(40), 'hex');
      const seq = Buffer.from(kp.testRun('to_wan', goose).out).readUInt32BE(42 + 12);
      // The engine started the new group's word at the wall clock's µs; the kernel tier goes on from there.
      const nowUs = Date.now() * 1000 + 1000;
      expect((((nowUs - seq) % 2 ** 32) + 2 ** 32) % 2 ** 32, 'the new group numbered from the engine’s word').to.be.within(0, 600e6);
      // The sender's entry is the group's (its slot), not its place in the list: 10 again is a duplicate, 12 a gap of one.
      kp.setClock(1e9 + 1000);
      expect([receive(10), receive(12)]).to.deep.equal(['duplicate', FORWARDED]);
      expect([kp.counters().senders_seen, kp.counters().gap_frames]).to.deep.equal([1, 1]);
    } finally {
      engine.close();
    }
  });

  it('passes up a sender’s datagrams behind a run it passed up until user space wrote them (1 s at most); other senders stay in the kernel', () => {
    const cfg: EngineConfig = { enableSv: false, enableGse: false, checkAppIdRange: true, appIdAllow: null, groups: ['239.1.1.1'], rules: [], maxFrame: 1456, maxDatagram: 2048, l2Mtu: 1500, gateway: false };
    const SLOT = 3;
    kp.resetState();
    kp.configure({ ...kernelConfig(cfg, ++generation), seqSlots: [SLOT] });
    const passedPerCpu = new Map<number, number>();
    // One datagram (or a run of `segs`) of `sender`; a pass-up must carry the stamp gb1-kernel.h defines.
    const receive = (sender: number, seq: number, segs = 0): { verdict: string; cpu: number; stamp: number } => {
      const h = Buffer.alloc(16);
      h.write('GB', 0, 'latin1');
      h[2] = 1;
      h.writeUInt32BE(sender, 8);
      h.writeUInt32BE(seq, 12);
      const { verdict, mark } = kp.testRun('from_wan', onTheWire(Buffer.concat([h, goose(0x10, seq)]), '239.1.1.1'), LOOPBACK, segs);
      if (verdict !== 'pass') {
        expect(mark, `a datagram of sender ${sender} decided in the kernel is not stamped`).to.equal(0);
        return { verdict, cpu: -1, stamp: 0 };
      }
      const cpu = (mark >>> 20) & 0xff;
      const stamp = mark & 0xfffff;
      passedPerCpu.set(cpu, (passedPerCpu.get(cpu) ?? 0) + Math.max(segs, 1));
      expect([mark >>> 28, stamp], 'the stamp: tag 0xB and the CPU’s running count of datagrams passed up').to.deep.equal([0xb, passedPerCpu.get(cpu)]);
      return { verdict, cpu, stamp };
    };
    const reportAll = (): void => passedPerCpu.forEach((n, cpu) => kp.setDrained(SLOT, cpu, n));
    kp.setClock(1e9);
    const run = receive(5, 1, 3);
    expect(run.verdict, 'a run of three').to.equal('pass');
    expect(receive(5, 4).verdict, 'the run’s sender, behind it').to.equal('pass');
    expect(receive(6, 1).verdict, 'another sender').to.equal(FORWARDED);
    kp.setDrained(SLOT, run.cpu, run.stamp);
    const behind = receive(5, 5);
    expect(behind.verdict, 'the run was written, the datagram behind it not yet').to.equal('pass');
    reportAll();
    expect(receive(5, 6).verdict, 'everything the sender passed up was written').to.equal(FORWARDED);
    // Stamps never reported (a datagram lost before the socket): the sender follows for 1 s from its last run, not longer.
    expect(receive(5, 7, 2).verdict).to.equal('pass');
    kp.setClock(1e9 + 999e6);
    expect(receive(5, 9).verdict, 'within 1 s').to.equal('pass');
    kp.setClock(2e9 + 1e6);
    expect(receive(5, 10).verdict, 'after 1 s').to.equal(FORWARDED);
  });
});
