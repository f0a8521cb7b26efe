// One copy discard and one loop guard for both tiers. A gateway pair sends each frame twice, under
// two GB1 senders, and the kernel tier can decide one copy while passing its twin up to the
// user-space engine; a frame one tier sent to the WAN can come back to the other. With the engine
// consulting and claiming the kernel tier's gb_delivered map and keeping and checking its
// gb_recent_read (shareGuards), whichever tier sees a frame first delivers it and the other counts
// the twin as a redundant copy, and an echo is a loop whichever tier read the frame.
// Real parts: the BPF object loaded into the kernel and run with BPF_PROG_TEST_RUN, the C++ engine.
import { expect } from 'chai';
import { isRoot, skipUnless } from '../testkit/preconditions.js';
import { ipv4UdpFrame } from '../testkit/frames/udp-frame.js';
import { OWN } from '../testkit/arbitraries/forwarding-arbitraries.js';
import { FORWARDED } from '../bridge/spec/verdicts.js';
import { ForwardingEngine, type EngineConfig } from './engine.js';
import { KernelPathObject, kernelPathSupport } from './kernel-path.js';

const PORT = 10000;
const LOOPBACK = 1;
const GROUP = '239.1.1.1';
const CFG: EngineConfig = { enableSv: false, enableGse: false, checkAppIdRange: true, appIdAllow: null, groups: [GROUP], rules: [], maxFrame: 1456, maxDatagram: 2048, l2Mtu: 1500, gateway: false };
// The two gateways of the far LAN, as GB1 senders.
const GATEWAY_A = 0x0a;
const GATEWAY_B = 0x0b;

/** A GOOSE frame of `extra` APDU bytes past 40 (every length mod 8: the fingerprint's tail), carrying `n`. */
function goose(n: number, extra = 0): Buffer {
  const apdu = 40 + extra;
  const f = Buffer.from(`010ccd010001020000000001` + `88b80011${(8 + apdu).toString(16).padStart(4, '0')}` + '00000000' + '61'.repeat(apdu), 'hex');
  f.writeUInt32BE(n, 22);
  return f;
}

function gb1(sender: number, seq: number, frame: Buffer): Buffer {
  const h = Buffer.alloc(16);
  h.write('GB', 0, 'latin1');
  h[2] = 1;
  h.writeUInt32BE(sender, 8);
  h.writeUInt32BE(seq, 12);
  return Buffer.concat([h, frame]);
}

/** The datagram as from_wan sees it on the uplink: Ethernet, IPv4 to the group, UDP to the port. */
const onTheWire = (datagram: Buffer): Buffer => ipv4UdpFrame(datagram, PORT, 40000, GROUP.split('.').map(Number));

/** CLOCK_MONOTONIC in µs, the engine's clock (libuv's hrtime reads CLOCK_MONOTONIC on Linux). */
const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

describe('copy discard and loop guard across the kernel tier and the user-space engine', function () {
  let kp: KernelPathObject;
  let engine: ForwardingEngine;
  let generation = 0;

  before(function () {
    skipUnless(this, isRoot(), 'guards across tiers: BPF_PROG_TEST_RUN needs root (CAP_BPF + CAP_NET_ADMIN); run as root to include it');
    const s = kernelPathSupport();
    skipUnless(this, s.ok, `guards across tiers: ${s.ok ? '' : s.reason}`);
    kp = KernelPathObject.load();
  });
  after(() => kp?.close());

  beforeEach(function () {
    if (!kp) this.skip();
    kp.resetState();
    kp.configure({ engine: CFG, ownSender: OWN, seqSlots: [0], port: PORT, ttl: 16, uplinks: [{ ifindex: LOOPBACK, address: '10.0.0.1', mac: '02:00:00:00:00:01' }], l2: { ifindex: LOOPBACK, ingress: true }, generation: ++generation });
    expect(kp.fromWanDelivers, 'one uplink, not a gateway: from_wan delivers').to.equal(true);
    engine = new ForwardingEngine(OWN);
    engine.apply({ config: CFG });
    engine.shareGuards({ delivered: kp.mapFd('gb_delivered'), recentRead: kp.mapFd('gb_recent_read') });
  });
  afterEach(() => {
    kp?.setClock(0);
    engine?.close();
  });

  const kernel = (sender: number, seq: number, frame: Buffer, nowUs: number): string => {
    kp.setClock(nowUs * 1000);
    return kp.testRun('from_wan', onTheWire(gb1(sender, seq, frame)), LOOPBACK).verdict;
  };
  const user = (sender: number, seq: number, frame: Buffer, nowUs: number): string => engine.testFromWan(gb1(sender, seq, frame), 0, nowUs, 0, 0);

  it('a frame the engine delivered: the kernel tier discards its twin from the other gateway, for every frame length', () => {
    const t = 5_000_000;
    for (let extra = 0; extra < 8; extra++) {
      const f = goose(extra, extra);
      expect(user(GATEWAY_A, 100 + extra, f, t + extra), `engine first, length ${f.length}`).to.equal(FORWARDED);
      expect(kernel(GATEWAY_B, 200 + extra, f, t + extra + 300), `kernel second, length ${f.length}`).to.equal('redundant-copy');
    }
    const k = kp.counts();
    expect(k.fromWanDrops['redundant-copy']).to.equal(8);
    expect(k.paths[0]!.redundant_copies, 'counted on the path it came by').to.equal(8);
    expect(engine.counts().paths[0]!.frames_first, 'the engine delivered the first copies').to.equal(8);
  });

  it('a frame the kernel tier delivered: the engine discards its twin from the other gateway, for every frame length', () => {
    const t = 7_000_000;
    for (let extra = 0; extra < 8; extra++) {
      const f = goose(extra, extra);
      expect(kernel(GATEWAY_A, 100 + extra, f, t), `kernel first, length ${f.length}`).to.equal(FORWARDED);
      expect(user(GATEWAY_B, 200 + extra, f, t + 250), `engine second, length ${f.length}`).to.equal('redundant-copy');
    }
    const e = engine.counts();
    expect(e.fromWanDrops['redundant-copy']).to.equal(8);
    expect(e.paths[0]!.redundant_copies).to.equal(8);
    expect(e.counters.l2_frames_written, 'nothing delivered twice').to.equal(0);
    // The kernel tier marked path 0 as carrying each frame already: no second "seen" on it.
    expect(e.paths[0]!.frames_seen).to.equal(0);
  });

  it('a copy on another path takes its lateness from the kernel tier’s entry, in the engine’s µs', () => {
    const t = 8_000_000;
    expect(kernel(GATEWAY_A, 1, goose(1), t)).to.equal(FORWARDED);
    expect(engine.testFromWan(gb1(GATEWAY_B, 1, goose(1)), 0, t + 250, 0, 1), 'the other gateway’s copy, on path 1').to.equal('redundant-copy');
    const p1 = engine.counts().paths[1]!;
    expect([p1.frames_seen, p1.skew_samples, p1.skew_ewma_us, p1.skew_max_us]).to.deep.equal([1, 1, 250, 250]);
  });

  it('keeps one time base: a twin within the copy window is a copy, one after it a new delivery, either tier first', () => {
    const t = 9_000_000;
    const [f1, f2, f3, f4] = [goose(1), goose(2), goose(3), goose(4)];
    expect(user(GATEWAY_A, 1, f1, t)).to.equal(FORWARDED);
    expect(kernel(GATEWAY_B, 1, f1, t + 499_000), '0.499 s after the engine delivered it').to.equal('redundant-copy');
    expect(kernel(GATEWAY_A, 2, f2, t)).to.equal(FORWARDED);
    expect(user(GATEWAY_B, 2, f2, t + 499_000), '0.499 s after the kernel tier delivered it').to.equal('redundant-copy');
    expect(user(GATEWAY_A, 3, f3, t)).to.equal(FORWARDED);
    expect(kernel(GATEWAY_B, 3, f3, t + 501_000), '0.501 s after: an SV stream may repeat its bytes').to.equal(FORWARDED);
    expect(kernel(GATEWAY_A, 4, f4, t)).to.equal(FORWARDED);
    expect(user(GATEWAY_B, 4, f4, t + 501_000)).to.equal(FORWARDED);
  });

  it('the same sender sending the same bytes under a new number is a new message in either tier', () => {
    const t = 11_000_000;
    const f = goose(9);
    expect(user(GATEWAY_A, 50, f, t)).to.equal(FORWARDED);
    expect(kernel(GATEWAY_A, 51, f, t + 1000)).to.equal(FORWARDED);
    expect(user(GATEWAY_A, 52, f, t + 2000)).to.equal(FORWARDED);
    expect(kernel(GATEWAY_B, 90, f, t + 3000), 'and the other gateway’s copy of the latest is a copy').to.equal('redundant-copy');
  });

  it('on the real clocks: the kernel’s bpf_ktime_get_ns and the engine’s CLOCK_MONOTONIC agree', () => {
    kp.setClock(0);
    const [f1, f2] = [goose(21), goose(22)];
    expect(engine.testFromWan(gb1(GATEWAY_A, 1, f1), 0, monotonicUs(), 0, 0)).to.equal(FORWARDED);
    expect(kp.testRun('from_wan', onTheWire(gb1(GATEWAY_B, 1, f1)), LOOPBACK).verdict).to.equal('redundant-copy');
    expect(kp.testRun('from_wan', onTheWire(gb1(GATEWAY_A, 2, f2)), LOOPBACK).verdict).to.equal(FORWARDED);
    expect(engine.testFromWan(gb1(GATEWAY_B, 2, f2), 0, monotonicUs(), 0, 0)).to.equal('redundant-copy');
  });

  it('a frame the kernel tier sent to the WAN and the engine receives back is a loop, and the reverse', () => {
    const t = 15_000_000;
    const [f1, f2] = [goose(41), goose(42)];
    kp.setClock(t * 1000);
    expect(kp.testRun('to_wan', f1).verdict, 'read by the kernel tier').to.equal(FORWARDED);
    expect(user(GATEWAY_A, 1, f1, t + 400_000), 'returned by a gateway, passed up').to.equal('loop');
    // testToWan reads the real clock.
    kp.setClock(0);
    expect(engine.testToWan(f2)[0], 'read by the engine').to.equal(FORWARDED);
    expect(kp.testRun('from_wan', onTheWire(gb1(GATEWAY_A, 2, f2)), LOOPBACK).verdict, 'returned, decided in the kernel').to.equal('loop');
  });

  it('without the shared tables (data_plane user, or from_wan passing everything up) each tier decides alone', () => {
    engine.shareGuards(null);
    const t = 13_000_000;
    const [f, g] = [goose(31), goose(32)];
    expect(user(GATEWAY_A, 1, f, t)).to.equal(FORWARDED);
    expect(kernel(GATEWAY_B, 1, f, t + 100), 'the engine’s own table is not the kernel tier’s').to.equal(FORWARDED);
    expect(user(GATEWAY_B, 1, f, t + 200), 'its own table still discards the copy it saw').to.equal('redundant-copy');
    kp.setClock(t * 1000);
    expect(kp.testRun('to_wan', g).verdict).to.equal(FORWARDED);
    expect(user(GATEWAY_A, 2, g, t + 300), 'nor its loop guard').to.equal(FORWARDED);
  });
});
