// Another 90-5 implementation's R-GOOSE into a receiving bridge: the shared capture's datagrams,
// sent as that implementation sent them (group 230.0.10.11, UDP 102, SPDU numbers from 0), reach
// goose0 all, as the frames tshark reads from the independently decrypted SPDUs. The bridge names
// no port: rgoose mode listens on 102 by default. The capture's GOOSE APPID 0x4001 lies in the SV
// range of IEC 61850-8-1's Ethernet mapping: a bridge with default settings still delivers it, since
// check_appid_range does not apply to frames rebuilt from authenticated SPDUs.
import { expect } from 'chai';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipUnless, skipUnlessRoot, skipUnlessTshark } from '../../testkit/preconditions.js';
import { Topology, sleep, type Host } from '../../testkit/topology/index.js';
import { DaemonUnderTest, FrameCapture, sendUdpFromHost, waitUntil } from '../../testkit/daemon/bridge-under-test.js';
import {
  decryptIndependently,
  haveOtherImplementationCapture,
  OTHER_IMPLEMENTATION,
  OTHER_IMPLEMENTATION_CAPTURE,
  otherImplementationDatagrams,
  tsharkApdu,
  tsharkPackets,
} from '../../testkit/oracles/rgoose-other-implementation.js';

const { key, appid, group, port, datagrams: COUNT } = OTHER_IMPLEMENTATION;

/** The GOOSE frame the bridge writes for an APDU of APPID `appid` (default destination 01:0c:cd:01 + APPID, no tag), from the EtherType on. */
function expectedFrameFromEtherType(apdu: Buffer): string {
  const h = Buffer.alloc(10);
  h.writeUInt16BE(0x88b8, 0);
  h.writeUInt16BE(appid, 2);
  h.writeUInt16BE(8 + apdu.length, 4);
  return Buffer.concat([h, apdu]).toString('hex');
}

describe('rgoose mode: another implementation\'s R-GOOSE (shared capture) into a receiving bridge', function () {
  this.timeout(180_000);
  let topo: Topology;
  let a: Host;
  let b: Host;
  let daemon: DaemonUnderTest;
  let capture: FrameCapture;
  const dir = join(tmpdir(), `gb-rgoose-interop-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);

  before(async function () {
    skipUnlessRoot(this, 'the rgoose interop netns test');
    skipUnlessTshark(this, 'the rgoose interop netns test');
    skipUnless(this, haveOtherImplementationCapture(), `shared capture ${OTHER_IMPLEMENTATION_CAPTURE} absent`);
    mkdirSync(dir, { recursive: true });
    const keys = join(dir, 'keys.json');
    writeFileSync(keys, JSON.stringify({ active: key.id, keys: [{ ...key, key: key.key.toString('hex') }] }), { mode: 0o600 });
    topo = await Topology.create({ hosts: 2, scale: 60 });
    a = topo.host(1);
    b = topo.host(2);
    await topo.waitUntilForwarding();
    daemon = DaemonUnderTest.spawn(topo, b, join(dir, 'b.json'), ['--encapsulation', 'rgoose', '--rgoose-keys', keys, '--group', group, '--remove-tap-on-exit', 'true']);
    await daemon.started();
    await topo.waitForMembers(group, [b.tgwPort]);
    capture = await FrameCapture.start(topo, b.ns, 'goose0', '88b8');
  });

  after(async function () {
    await topo?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`writes ${COUNT} of ${COUNT} to goose0, each the frame of tshark's reading of the decrypted SPDU; nothing dropped`, async () => {
    const datagrams = await otherImplementationDatagrams();
    expect(datagrams).to.have.length(COUNT);
    const clear = datagrams.map((d) => decryptIndependently(d, key.key));
    const packets = await tsharkPackets(dir, 'decrypted', clear);
    const expected = packets.map((p, i) => expectedFrameFromEtherType(tsharkApdu(p, clear[i]!) ?? expect.fail(`datagram ${i + 1}: tshark found no goosePdu`)));

    await sendUdpFromHost(topo, a, group, port, datagrams);
    await waitUntil('frames on goose0', () => capture.frames().length >= COUNT, 15_000).catch((e: Error) => {
      throw new Error(`${e.message}; stats: ${JSON.stringify(daemon.stats().from_wan)}; log: ${daemon.proc.stderr.slice(-2000)}`);
    });
    await sleep(300);
    const got = capture.fresh();
    expect(got.map((f) => f.subarray(12).toString('hex'))).to.deep.equal(expected);
    expect(got.every((f) => f.subarray(0, 6).toString('hex') === '010ccd014001'), 'destination MAC from the APPID').to.equal(true);
    const s = await daemon.statsWhen('stats after the capture', (x) => x.from_wan.frames_written >= COUNT);
    expect(s.from_wan.datagrams_received).to.equal(COUNT);
    expect(s.from_wan.frames_written).to.equal(COUNT);
    expect(Object.entries(s.from_wan.drops).filter(([, n]) => n > 0)).to.deep.equal([]);
  });
});
