// An uplink capture made the way an operator makes one: two real bridges in namespaces, 20
// GOOSE frames written into host A's goose0, tcpdump on A's uplink. tshark with the GB1 Lua
// dissector and `goose-bridge decode` must both find the 20 carried frames, as sent.
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { hasTshark, skipUnless, skipUnlessRoot } from '../../testkit/preconditions.js';
import { Topology } from '../../testkit/topology/index.js';
import { FrameCapture, FrameInjector, startDaemonPair, waitUntil, type DaemonUnderTest } from '../../testkit/daemon/bridge-under-test.js';
import { encodeFrame } from '../codec/index.js';
import { carriedGoose, decodeCapture, tsharkFields } from '../../testkit/daemon/uplink-readers.js';

const GROUP = '224.0.1.100';
const FRAMES = 20;

describe('uplink capture of a real bridge (tcpdump on the uplink) read by gb1.lua and decode', function () {
  this.timeout(120_000);
  let topo: Topology | undefined;
  const dir = join(tmpdir(), `gb-uplink-netns-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  const pcap = join(dir, 'uplink.pcap');
  const sent = Array.from({ length: FRAMES }, (_, i) => encodeFrame(carriedGoose(i)));

  before(async function () {
    skipUnlessRoot(this, 'the uplink capture test');
    skipUnless(this, hasTshark(), 'the uplink capture test: tshark is not installed');
    mkdirSync(dir, { recursive: true });
    // Uplinks without UDP GSO (as AWS ENA): tcpdump then sees each datagram, not a GSO run.
    topo = await Topology.create({ hosts: 2, scale: 60, uplinkGso: false });
    const [a, b] = [topo.host(1), topo.host(2)];
    const daemons: [DaemonUnderTest, DaemonUnderTest] = await startDaemonPair(topo, dir, GROUP, { extra: [] }, { extra: [] });
    expect(daemons.every((d) => d.proc.running)).to.equal(true);
    const tcpdump = topo.spawn(a.ns, ['tcpdump', '--immediate-mode', '-i', a.uplink, '-U', '-w', pcap, 'udp', 'port', '61850'], 'tcpdump uplink A');
    await waitUntil('tcpdump listening', () => tcpdump.stderr.includes('listening on'));
    const [inject, capture] = await Promise.all([FrameInjector.start(topo, a.ns, 'goose0'), FrameCapture.start(topo, b.ns, 'goose0')]);
    await inject.send(sent);
    await waitUntil('20 frames at host B', () => capture.frames().length >= FRAMES);
    // tcpdump drops what it has not read yet when stopped: wait until the file holds the 20
    await waitUntil('20 datagrams in the capture file', () => statSync(pcap).size >= 24 + FRAMES * (16 + 14 + 20 + 8 + 16 + sent[0]!.length));
    await tcpdump.stop(5000, 'SIGINT');
    expect(statSync(pcap).size, tcpdump.describe()).to.be.greaterThan(FRAMES * 100);
  });

  after(async () => {
    await topo?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tshark with gb1.lua shows the 20 carried GOOSE frames (goose.stNum present), one sender, consecutive GB1 sequence numbers', async () => {
    const rows = await tsharkFields(pcap, ['ip.dst', 'gb1.sender', 'gb1.seq', 'goose.appid', 'goose.stNum', 'goose.sqNum'], ['-Y', 'goose']);
    expect(rows).to.have.length(FRAMES);
    expect(new Set(rows.map((r) => r[1])).size).to.equal(1);
    const firstSeq = Number(rows[0]![2]);
    rows.forEach(([group, , seq, appid, stNum, sqNum], i) => {
      const want = carriedGoose(i);
      expect({ group, seq: Number(seq), appid: Number(appid), stNum: Number(stNum), sqNum: Number(sqNum) }, `frame ${i + 1}`).to.deep.equal({
        group: GROUP,
        seq: (firstSeq + i) >>> 0,
        appid: want.header.appId,
        stNum: want.pdu.stNum,
        sqNum: want.pdu.sqNum,
      });
    });
  });

  it('goose-bridge decode lists the same 20 with the outer addresses (src ip:port → group:port)', async () => {
    const r = decodeCapture(pcap, '--json');
    expect(r.status, r.stderr).to.equal(0);
    const carried = r.lines.map((l) => JSON.parse(l) as Record<string, any>).filter((o) => o.gb1 !== undefined);
    expect(carried).to.have.length(FRAMES);
    carried.forEach((o, i) => {
      const want = carriedGoose(i);
      expect(o.udp.dst, `frame ${i + 1}`).to.equal(GROUP);
      expect(o.udp.dstPort).to.equal(61850);
      expect([o.header.appId, o.pdu.stNum, o.pdu.sqNum], `frame ${i + 1}`).to.deep.equal([want.header.appId, want.pdu.stNum, want.pdu.sqNum]);
    });
    const lines = decodeCapture(pcap).lines.filter((l) => l.includes(' GB1 seq '));
    expect(lines).to.have.length(FRAMES);
    for (const l of lines) expect(l).to.match(/ \d+\.\d+\.\d+\.\d+:\d+ → 224\.0\.1\.100:61850 GB1 seq \d+ .* GOOSE 0x101[01] IED1PROT\/LLN0\$GO\$gcbTrip st \d+ sq \d+ /);
  });
});
