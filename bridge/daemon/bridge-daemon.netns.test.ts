// The real daemon (the CLI, spawned with `ip netns exec`) in two host namespaces joined by the
// Transit Gateway stand-in; frames injected on host A's goose0 with a packet socket (as an
// application sends them) and captured on host B's goose0.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monotonicUs, securityGroupDropQueriesTable, sleep } from '../../testkit/topology/index.js';
import { Gb1Encapsulation } from '../spec/gb1-encapsulation.js';
import { ARP_FRAME, IPV4_FRAME, IPV6_ND_FRAME, LLDP_FRAME, gooseTestFrame } from '../../testkit/frames/goose-test-frames.js';
import {
  DaemonUnderTest,
  FrameCapture,
  FrameInjector,
  hostHasInterface,
  execInNamespace,
  procNetIgmp,
  sendUdpFromHost,
  startDaemonPair,
  waitUntil,
  TSX,
  FRAME_TOOL,
  CLI,
} from '../../testkit/daemon/bridge-under-test.js';
import { useTestBed } from '../../testkit/daemon/netns-test-bed.js';
import { hasMembership } from '../igmp/proc-net-igmp.js';
import type { StatsSnapshot } from './bridge-counters.js';

const GROUP = '224.0.1.100';
const PORT = 61850;
const MAX_FRAME = 1500 - 20 - 8 - 16;

/** UDP datagrams to the group's port in IPv4 frames captured on an uplink; also flags fragments. */
function groupDatagrams(frames: Buffer[]): { payloads: Buffer[]; fragments: number } {
  const payloads: Buffer[] = [];
  let fragments = 0;
  for (const f of frames) {
    if (f.readUInt16BE(12) !== 0x0800) continue;
    const ihl = (f[14]! & 0x0f) * 4;
    const flagsFrag = f.readUInt16BE(20);
    if ((flagsFrag & 0x3fff) !== 0) fragments++;
    if (f[23] !== 17) continue;
    const udp = 14 + ihl;
    if (f.readUInt16BE(udp + 2) !== PORT) continue;
    payloads.push(f.subarray(udp + 8, 14 + f.readUInt16BE(16)));
  }
  return { payloads, fragments };
}

describe('goose-bridge run between two hosts through the TGW stand-in', function () {
  this.timeout(120_000);
  const bed = useTestBed('the bridge daemon netns tests');
  let daemonA: DaemonUnderTest;
  let daemonB: DaemonUnderTest;
  let injectA: FrameInjector;
  let captureB: FrameCapture;
  let captureA: FrameCapture;
  let uplinkA: FrameCapture;
  const configA = join(bed.dir, 'a.conf');

  before(async function () {
    writeFileSync(configA, '[DEFAULT]\nenable_igmp_keepalive = true\nappid_allow = all\n');
    // B keeps its membership by keepalive alone in one test: short intervals (the stand-in's GMI is 7 s).
    [daemonA, daemonB] = await startDaemonPair(bed.topo, bed.dir, GROUP,
      { extra: ['--config', configA] },
      { extra: ['--igmp-keepalive-interval', '1', '--igmp-monitor-interval', '2', '--metrics-port', '9464'] });
    [injectA, captureB, captureA, uplinkA] = await Promise.all([
      FrameInjector.start(bed.topo, bed.a.ns, 'goose0'),
      FrameCapture.start(bed.topo, bed.b.ns, 'goose0'),
      FrameCapture.start(bed.topo, bed.a.ns, 'goose0'),
      FrameCapture.start(bed.topo, bed.a.ns, bed.a.uplink, '0800', true),
    ]);
  });

  it('carries untagged, VLAN-tagged and maximum-size GOOSE frames byte-identical and in order', async () => {
    captureB.fresh();
    const frames: Buffer[] = [];
    for (let n = 0; n < 60; n++) {
      const kind = n % 3;
      frames.push(gooseTestFrame({ n, vlan: kind === 1, totalLength: kind === 2 ? MAX_FRAME : 60 + n, appId: 1 + (n % 5) }));
    }
    frames.push(gooseTestFrame({ n: 1000, vlan: true, totalLength: MAX_FRAME }));
    await injectA.send(frames);
    await waitUntil('all frames at host B', () => captureB.frames().length >= frames.length);
    await sleep(100);
    const got = captureB.fresh();
    expect(got.length).to.equal(frames.length);
    for (let i = 0; i < frames.length; i++) expect(got[i]!.toString('hex'), `frame ${i}`).to.equal(frames[i]!.toString('hex'));
  });

  it('never sends ARP, IPv6, LLDP or IPv4 frames written into goose0 to the uplink, and counts them', async () => {
    const before = await daemonA.statsWhen('stats A', () => true);
    uplinkA.fresh();
    captureB.fresh();
    const marker = gooseTestFrame({ n: 2000 });
    await injectA.send([ARP_FRAME, IPV6_ND_FRAME, LLDP_FRAME, IPV4_FRAME, ARP_FRAME, marker]);
    await waitUntil('marker at host B', () => captureB.frames().some((f) => f.frame.equals(marker)));
    await sleep(100);
    const { payloads } = groupDatagrams(uplinkA.fresh());
    expect(payloads.length, 'datagrams on the uplink').to.equal(1);
    expect(payloads[0]!.subarray(16).equals(marker)).to.equal(true);
    expect(captureB.fresh().map((f) => f.toString('hex'))).to.deep.equal([marker.toString('hex')]);
    const after = await daemonA.statsWhen('drops counted', (s) => s.to_wan.drops.lldp! > before.to_wan.drops.lldp!);
    const delta = (r: string) => after.to_wan.drops[r]! - before.to_wan.drops[r]!;
    expect({ arp: delta('arp'), ipv6: delta('ipv6'), lldp: delta('lldp'), ipv4: delta('ipv4') }).to.deep.equal({ arp: 2, ipv6: 1, lldp: 1, ipv4: 1 });
  });

  it('does not re-inject its own datagrams, not even when they are reflected back to it', async () => {
    // Nothing A sent so far came back into A's goose0 (multicast loopback is off).
    expect(captureA.frames().length, 'frames written into A goose0').to.equal(0);
    // Reflect one of A's own datagrams to the group from host B.
    uplinkA.fresh();
    const marker = gooseTestFrame({ n: 3000 });
    await injectA.send([marker]);
    await waitUntil('own datagram on the uplink', () => groupDatagrams(uplinkA.frames().map((f) => f.frame)).payloads.length > 0);
    const own = groupDatagrams(uplinkA.fresh()).payloads.at(-1)!;
    const before = await daemonA.statsWhen('stats A', () => true);
    await sendUdpFromHost(bed.topo, bed.b, GROUP, PORT, [own]);
    // Within the loop window the carried frame is still known as one A read from goose0 (`loop`);
    // later the GB1 sender id gives it away (`own-sender`). Either way it is dropped once.
    const ours = (s: StatsSnapshot): number => s.from_wan.drops['own-sender']! + s.from_wan.drops['loop']!;
    const after = await daemonA.statsWhen('own datagram counted', (s) => ours(s) > ours(before));
    expect(ours(after) - ours(before)).to.equal(1);
    await sleep(100);
    expect(captureA.frames().length, 'frames written into A goose0').to.equal(0);
  });

  it('drops duplicate and malformed datagrams, counts them by reason, and keeps forwarding', async () => {
    const foreign = new Gb1Encapsulation({ hi: 0x0badf00d, lo: 0x12345678 }, 2048);
    const enc = (frame: Buffer, seq: number): Buffer => {
      const out = Buffer.alloc(16 + frame.length);
      foreign.encapsulate(out, frame, 0, frame.length, seq);
      return out;
    };
    const x = gooseTestFrame({ n: 4000, vlan: true });
    const y = gooseTestFrame({ n: 4001 });
    const good = enc(x, 10);
    const badMagic = Buffer.from(good);
    badMagic[0] = 0x00;
    const badVersion = Buffer.from(good);
    badVersion[2] = 9;
    const short = good.subarray(0, 30);
    const arpInside = enc(ARP_FRAME, 11);
    const before = await daemonA.statsWhen('stats A', () => true);
    captureA.fresh();
    await sendUdpFromHost(bed.topo, bed.b, GROUP, PORT, [good, good, badMagic, badVersion, short, arpInside, enc(y, 12), enc(y, 12)]);
    await waitUntil('y at host A', () => captureA.frames().some((f) => f.frame.equals(y)));
    const after = await daemonA.statsWhen('drops counted', (s) => s.from_wan.datagrams_received >= before.from_wan.datagrams_received + 8);
    await sleep(100);
    expect(captureA.fresh().map((f) => f.toString('hex'))).to.deep.equal([x.toString('hex'), y.toString('hex')]);
    const d = (r: string) => after.from_wan.drops[r]! - before.from_wan.drops[r]!;
    expect({
      duplicate: d('duplicate'),
      badMagic: d('bad-magic'),
      badVersion: d('bad-version'),
      badLength: d('bad-length'),
      inner: d('inner-not-allowed'),
    }).to.deep.equal({ duplicate: 2, badMagic: 1, badVersion: 1, badLength: 1, inner: 1 });
    // Still forwarding A → B.
    const z = gooseTestFrame({ n: 4002 });
    captureB.fresh();
    await injectA.send([z]);
    await waitUntil('z at host B', () => captureB.frames().some((f) => f.frame.equals(z)));
  });

  it('drops and counts a frame too large for the path MTU, and never fragments', async () => {
    const before = await daemonA.statsWhen('stats A', () => true);
    uplinkA.fresh();
    captureB.fresh();
    const oversize = gooseTestFrame({ n: 5000, totalLength: MAX_FRAME + 1 });
    const jumbo = gooseTestFrame({ n: 5001, totalLength: 1514 });
    const fits = gooseTestFrame({ n: 5002, totalLength: MAX_FRAME });
    await injectA.send([oversize, jumbo, fits]);
    await waitUntil('the fitting frame at host B', () => captureB.frames().some((f) => f.frame.equals(fits)));
    const after = await daemonA.statsWhen('oversize counted', (s) => s.to_wan.drops.oversize! >= before.to_wan.drops.oversize! + 2);
    expect(after.to_wan.drops.oversize! - before.to_wan.drops.oversize!).to.equal(2);
    await sleep(100);
    const { payloads, fragments } = groupDatagrams(uplinkA.fresh());
    expect(fragments, 'IP fragments on the uplink').to.equal(0);
    expect(payloads.map((p) => p.length)).to.deep.equal([16 + MAX_FRAME]);
    expect(captureB.fresh().map((f) => f.length)).to.deep.equal([MAX_FRAME]);
  });

  it('reloads the configuration on SIGHUP without removing goose0', async () => {
    writeFileSync(configA, '[DEFAULT]\nappid_allow = 0x0002\n');
    const before = await daemonA.statsWhen('stats A', () => true);
    daemonA.proc.child.kill('SIGHUP');
    await waitUntil('reload logged', () => daemonA.proc.stderr.includes('"event":"reloaded"'));
    expect(daemonA.proc.stderr).to.include('"event":"reloaded","changed":["appid_allow"]');
    captureB.fresh();
    const one = gooseTestFrame({ n: 6000, appId: 1 });
    const two = gooseTestFrame({ n: 6001, appId: 2 });
    await injectA.send([one, two]);
    await waitUntil('APPID 2 at host B', () => captureB.frames().some((f) => f.frame.equals(two)));
    await sleep(100);
    expect(captureB.fresh().map((f) => f.toString('hex'))).to.deep.equal([two.toString('hex')]);
    const after = await daemonA.statsWhen('not-allowed counted', (s) => s.to_wan.drops['appid-not-allowed']! > before.to_wan.drops['appid-not-allowed']!);
    expect(after.to_wan.drops['appid-not-allowed']! - before.to_wan.drops['appid-not-allowed']!).to.equal(1);
    // A bad file on reload is rejected and the running configuration stays: one error counted,
    // one log line with the code and the key, no stack.
    const reloadErrors = (await daemonA.statsWhen('stats A', () => true)).errors.reload ?? 0;
    writeFileSync(configA, '[DEFAULT]\nappid_allow = banana\n');
    daemonA.proc.child.kill('SIGHUP');
    await waitUntil('rejection logged', () => daemonA.proc.stderr.includes('"event":"reload-rejected"'));
    expect(daemonA.proc.running).to.equal(true);
    const rejection = daemonA.proc.stderr.split('\n').filter((l) => l.includes('"event":"reload-rejected"'));
    expect(rejection).to.have.length(1);
    expect(JSON.parse(rejection[0]!)).to.include({ code: 'GB_ERR_CONFIG' }).and.not.have.property('err');
    expect(rejection[0]).to.include('appid_allow = \\"banana\\"').and.not.include('    at ');
    await daemonA.statsWhen('one reload error counted', (s) => (s.errors.reload ?? 0) > reloadErrors);
    await sleep(500); // a second count would show in the next stats writes
    expect(daemonA.stats().errors.reload! - reloadErrors).to.equal(1);
    writeFileSync(configA, '[DEFAULT]\nappid_allow = all\n');
    daemonA.proc.child.kill('SIGHUP');
    await waitUntil('second reload', () => daemonA.proc.stderr.split('"event":"reloaded"').length === 3);
  });

  it('reports through status, doctor and Prometheus metrics', async () => {
    const status = await bed.topo.exec(bed.b.ns, [process.execPath, CLI, 'status', '--stats-file', daemonB.statsFile, '--json']);
    const s = JSON.parse(status) as { running: boolean; from_wan: { frames_written: number }; encapsulation: string; wan_authenticated: boolean };
    expect(s.running).to.equal(true);
    expect(s).to.include({ encapsulation: 'gb1', wan_authenticated: false });
    expect(s.from_wan.frames_written).to.be.greaterThan(0);
    const doctor = execInNamespace(bed.b.ns, [process.execPath, CLI, 'doctor', '--mcast-if', bed.b.uplink, '--stats-file', daemonB.statsFile, '--json']);
    expect(doctor.stderr).to.include(`${bed.b.uplink} is a member of ${GROUP}`).and.include('goose0 is a TAP and up');
    expect(doctor.stderr).to.match(/^\[WARN\] WAN authentication: the WAN is unauthenticated \(GB1\)/m).and.match(/^\d+ problems?, [1-9]\d* warnings?$/m);
    const findings = (JSON.parse(doctor.stdout) as { findings: Array<{ level: string; detail: string }> }).findings;
    expect(findings.find((f) => f.detail.includes(`${bed.b.uplink} is a member of ${GROUP}`))?.level).to.equal('ok');
    const metrics = await bed.topo.exec(bed.b.ns, ['curl', '-sS', 'http://127.0.0.1:9464/metrics']);
    expect(metrics).to.match(/^goose_bridge_tap_frames_written_total \d+/m);
    expect(metrics).to.match(/^goose_bridge_wan_authenticated\{encapsulation="gb1"\} 0$/m);
    expect(metrics).to.match(/^goose_bridge_from_wan_dropped_datagrams_total\{reason="duplicate"\} \d+/m);
    expect(metrics).to.match(/^goose_bridge_igmp_keepalives_total\{strategy="report"\} [1-9]/m);
  });

  it('keeps the membership by keepalive alone when queries are blocked (report, no Leave): no frame lost', async function () {
    // Emulates a security group without the inbound IGMP rule at host B.
    const sg = securityGroupDropQueriesTable('gbt_sg');
    await bed.topo.applyNft(bed.b.ns, sg);
    try {
      const stream = bed.topo.spawn(bed.a.ns, [TSX, FRAME_TOOL, 'stream', 'goose0', gooseTestFrame({ n: 0, totalLength: 80, appId: 9 }).toString('hex'), '5'], 'stream goose0');
      const start = daemonB.stats().from_wan.frames_written;
      try {
        await waitUntil('stream flowing to B', async () => (await daemonB.statsWhen('stats B', () => true)).from_wan.frames_written > start + 10, 10_000, 100);
      } catch (err) {
        throw new Error(`${(err as Error).message}\n${stream.describe()}\nA: ${JSON.stringify(daemonA.stats().to_wan)}`);
      }
      const before = await daemonB.statsWhen('stats B', () => true);
      await sleep(10_000); // > the stand-in's group membership interval (7 s)
      await stream.stop(1000);
      await sleep(300);
      const after = await daemonB.statsWhen('stats B', (x) => Date.parse(x.time) > Date.now() - 300);
      const received = after.from_wan.frames_written - before.from_wan.frames_written;
      console.log(`      queries blocked 10 s: ${received} frames received at B, gaps ${after.from_wan.gap_frames - before.from_wan.gap_frames}, keepalives ${after.igmp.keepalives - before.igmp.keepalives}`);
      expect(received).to.be.greaterThan(500);
      expect(after.from_wan.gap_frames - before.from_wan.gap_frames).to.equal(0);
      expect(after.igmp.keepalives - before.igmp.keepalives).to.be.at.least(8);
      expect(after.keepalive_strategy).to.equal('report');
    } finally {
      await bed.topo.removeNft(bed.b.ns, sg);
    }
  });

  it('maps APPID ranges to their own group; a host joins only the groups it asks for (and falls back to rejoin without CAP_NET_RAW)', async () => {
    const mapped = '239.0.1.102';
    writeFileSync(configA, `[DEFAULT]\ngroup_map = appid:0x0010-0x001f=${mapped}\n`);
    daemonA.proc.child.kill('SIGHUP');
    await waitUntil('reload with map', () => daemonA.proc.stderr.split('"event":"reloaded"').length === 4);
    // A second bridge on host B, on goose1, subscribed to the mapped group only, without CAP_NET_RAW.
    // data_plane = auto: where B runs the kernel tier on the shared uplink, goose1 forwards in user
    // space (one kernel tier per interface), and receives the mapped group B's tier passes up.
    const statsC = join(bed.dir, 'c.json');
    const c = new DaemonUnderTest(
      bed.topo.spawn(bed.b.ns, [
        'setpriv', '--bounding-set', '-net_raw', '--inh-caps', '-net_raw', '--',
        process.execPath, CLI, 'run', '--interface', 'goose1', '--mcast-if', bed.b.uplink, '--stats-file', statsC, '--stats-interval', '0.2',
        '--log-format', 'json', '--group-map', `appid:0x0010-0x001f=${mapped}`, '--join-groups', mapped, '--igmp-keepalive-interval', '0.5', '--remove-tap-on-exit', 'true', '--data-plane', 'auto',
      ], 'goose-bridge goose1'),
      statsC,
    );
    try {
      await c.started();
      expect(c.proc.stderr).to.include('"event":"keepalive-fallback"');
      expect(c.proc.stderr).to.include(`"joined":["${mapped}"]`);
      await bed.topo.waitForMembers(mapped, [bed.b.tgwPort]);
      const captureC = await FrameCapture.start(bed.topo, bed.b.ns, 'goose1');
      captureB.fresh();
      const plain = gooseTestFrame({ n: 8000, appId: 0x0001 });
      const mappedFrame = gooseTestFrame({ n: 8001, appId: 0x0011 });
      await injectA.send([plain, mappedFrame]);
      await waitUntil('mapped frame on goose1', () => captureC.frames().some((f) => f.frame.equals(mappedFrame)));
      await waitUntil('plain frame on goose0', () => captureB.frames().some((f) => f.frame.equals(plain)));
      await sleep(200);
      expect(captureC.frames().map((f) => f.frame.toString('hex'))).to.deep.equal([mappedFrame.toString('hex')]);
      expect(captureB.fresh().map((f) => f.toString('hex'))).to.deep.equal([plain.toString('hex')]);
      const sc = await c.statsWhen('rejoin keepalives', (x) => x.igmp.keepalives >= 2);
      expect(sc.keepalive_strategy).to.equal('rejoin');
      await captureC.stop();
    } finally {
      await c.proc.stop(3000);
    }
    expect(await hostHasInterface(bed.topo, bed.b.ns, 'goose1')).to.equal(false);
    writeFileSync(configA, '[DEFAULT]\n');
    daemonA.proc.child.kill('SIGHUP');
    await waitUntil('reload without map', () => daemonA.proc.stderr.split('"event":"reloaded"').length === 5);
  });

  it('recreates goose0 when it is deleted under it, counts the recovery and forwards again', async () => {
    await injectA.stop();
    const before = await daemonA.statsWhen('stats A', () => true);
    await bed.topo.exec(bed.a.ns, ['ip', 'link', 'delete', 'goose0']);
    const after = await daemonA.statsWhen('TAP recovery counted', (s) => (s.recoveries.tap ?? 0) > (before.recoveries.tap ?? 0), 10_000);
    expect(after.errors['tap-lost']! - (before.errors['tap-lost'] ?? 0)).to.equal(1);
    expect(daemonA.proc.running).to.equal(true);
    injectA = await FrameInjector.start(bed.topo, bed.a.ns, 'goose0');
    const f = gooseTestFrame({ n: 7000 });
    captureB.fresh();
    await injectA.send([f]);
    await waitUntil('frame at host B after the TAP came back', () => captureB.frames().some((x) => x.frame.equals(f)));
  });

  it('keeps goose0 through SIGKILL and a restart: the attached application survives and its frames flow again (time measured)', async () => {
    await injectA.stop();
    // An application publishing on goose0 the whole time (10 frames/s).
    const stream = bed.topo.spawn(bed.a.ns, [TSX, FRAME_TOOL, 'stream', 'goose0', gooseTestFrame({ n: 0, totalLength: 100 }).toString('hex'), '10'], 'stream goose0');
    try {
      await waitUntil('stream frames at host B', () => captureB.frames().some((f) => f.frame.length === 100), 30_000);
      const killed = await daemonA.proc.stop(1000, 'SIGKILL');
      expect(killed.signal).to.equal('SIGKILL');
      expect(await hostHasInterface(bed.topo, bed.a.ns, 'goose0'), 'goose0 after SIGKILL').to.equal(true);
      await sleep(500);
      const seen = captureB.frames().length;
      const t0 = monotonicUs();
      daemonA = DaemonUnderTest.spawn(bed.topo, bed.a, join(bed.dir, 'a.json'), ['--config', configA]);
      await daemonA.started();
      const tStarted = monotonicUs();
      await waitUntil('stream frames at host B after the restart', () => captureB.frames().length > seen, 15_000);
      const first = captureB.frames()[seen]!;
      console.log(`      restart after SIGKILL: daemon running ${((tStarted - t0) / 1000).toFixed(0)} ms after spawn, first frame at host B ${((first.rxUs - t0) / 1000).toFixed(0)} ms after spawn, ${((first.rxUs - tStarted) / 1000).toFixed(0)} ms after "started"`);
      expect(stream.running, `the application on goose0: ${stream.describe()}`).to.equal(true);
      expect(daemonA.proc.stderr).to.include('"tapReattached":true');
      expect((first.rxUs - tStarted) / 1000, 'ms from "started" to the first frame at host B').to.be.below(1000);
    } finally {
      await stream.stop(1000);
    }
    injectA = await FrameInjector.start(bed.topo, bed.a.ns, 'goose0');
  });

  it('leaves goose0 (for the applications) but no group membership after SIGTERM, writes final stats; teardown removes goose0', async () => {
    const t0 = Date.now();
    const exit = await daemonB.proc.stop(5000, 'SIGTERM');
    const ms = Date.now() - t0;
    console.log(`      SIGTERM to exit: ${ms} ms`);
    expect(exit).to.deep.equal({ code: 0, signal: null });
    expect(await hostHasInterface(bed.topo, bed.b.ns, 'goose0')).to.equal(true);
    expect(hasMembership(await procNetIgmp(bed.topo, bed.b.ns), bed.b.uplink, GROUP)).to.equal(false);
    const final = daemonB.stats();
    expect(Date.parse(final.time)).to.be.at.least(t0);
    expect(final.from_wan.frames_written).to.be.greaterThan(0);
    await captureB.stop();
    const r = execInNamespace(bed.b.ns, [process.execPath, CLI, 'teardown', '-i', 'goose0']);
    expect(r.code, r.stderr).to.equal(0);
    await waitUntil('goose0 removed by teardown', async () => !(await hostHasInterface(bed.topo, bed.b.ns, 'goose0')));
  });

  it('notices when traffic stops (membership expired upstream) and re-registers, after which traffic resumes', async () => {
    // B's daemon is stopped (previous test). A fresh one without effective keepalive, queries
    // blocked: the stand-in expires B after its membership interval (7 s), the kernel still
    // lists the membership, so only the "no datagrams" check can see it.
    const sg = securityGroupDropQueriesTable('gbt_sg2');
    await bed.topo.applyNft(bed.b.ns, sg);
    const statsB2 = join(bed.dir, 'b2.json');
    const b2 = DaemonUnderTest.spawn(bed.topo, bed.b, statsB2, ['--igmp-keepalive-interval', '3600', '--igmp-monitor-interval', '1', '--igmp-reregister-threshold', '2']);
    const stream = bed.topo.spawn(bed.a.ns, [TSX, FRAME_TOOL, 'stream', 'goose0', gooseTestFrame({ n: 0, totalLength: 80, appId: 9 }).toString('hex'), '5'], 'stream goose0');
    try {
      await b2.started();
      const re = await b2.statsWhen('a re-registration', (x) => x.igmp.reregistrations >= 1, 25_000);
      expect(re.igmp.failed_checks['no-datagrams']).to.be.at.least(2);
      const at = re.from_wan.frames_written;
      const later = await b2.statsWhen('traffic after re-registration', (x) => x.from_wan.frames_written > at + 100, 5000);
      // The gap is only known once the first datagram after the re-registration has arrived.
      expect(later.from_wan.gap_frames, 'frames lost while the membership had expired').to.be.greaterThan(0);
      console.log(`      monitor: re-registered after ${re.igmp.failed_checks['no-datagrams']} silent check(s); ${later.from_wan.gap_frames} frames lost before; ${later.from_wan.frames_written - at} received after`);
      expect(b2.proc.stderr).to.include('"event":"igmp-reregister"');
    } finally {
      await stream.stop(1000);
      await b2.proc.stop(3000);
      await bed.topo.removeNft(bed.b.ns, sg);
    }
  });
});
