// Another 90-5 implementation's R-GOOSE into a receiving bridge: the shared capture's datagrams,
// sent as that implementation sent them (group 230.0.10.11, UDP 102, SPDU numbers from 0), reach
// goose0 all, as the frames tshark reads from the independently decrypted SPDUs. The bridge names
// no port: rgoose mode listens on 102 by default. The capture's GOOSE APPID 0x4001 lies in the SV
// range of IEC 61850-8-1's Ethernet mapping: a bridge with default settings still delivers it, since
// check_appid_range does not apply to frames rebuilt from authenticated SPDUs.
import { expect } from 'chai';
import { join } from 'node:path';
import { skipUnless, skipUnlessTshark } from '../../testkit/preconditions.js';
import { sleep } from '../../testkit/topology/index.js';
import { DaemonUnderTest, FrameCapture, sendUdpFromHost, waitUntil } from '../../testkit/daemon/bridge-under-test.js';
import { useTestBed } from '../../testkit/daemon/netns-test-bed.js';
import {
  haveOtherImplementationCapture,
  OTHER_IMPLEMENTATION,
  OTHER_IMPLEMENTATION_CAPTURE,
  readOtherImplementation,
  writeOtherImplementationKeys,
} from '../../testkit/oracles/rgoose-other-implementation.js';

const { appid, group, port, datagrams: COUNT } = OTHER_IMPLEMENTATION;

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
  const bed = useTestBed('the rgoose interop netns test', {
    needs: [skipUnlessTshark, (ctx) => skipUnless(ctx, haveOtherImplementationCapture(), `shared capture ${OTHER_IMPLEMENTATION_CAPTURE} absent`)],
  });
  let daemon: DaemonUnderTest;
  let capture: FrameCapture;

  before(async function () {
    const keys = writeOtherImplementationKeys(bed.dir);
    await bed.topo.waitUntilForwarding();
    daemon = DaemonUnderTest.spawn(bed.topo, bed.b, join(bed.dir, 'b.json'), ['--encapsulation', 'rgoose', '--rgoose-keys', keys, '--group', group, '--remove-tap-on-exit', 'true']);
    await daemon.started();
    await bed.topo.waitForMembers(group, [bed.b.tgwPort]);
    capture = await FrameCapture.start(bed.topo, bed.b.ns, 'goose0', '88b8');
  });

  it(`writes ${COUNT} of ${COUNT} to goose0, each the frame of tshark's reading of the decrypted SPDU; nothing dropped`, async () => {
    const { datagrams, apdus } = await readOtherImplementation(bed.dir);
    expect(datagrams).to.have.length(COUNT);
    const expected = apdus.map(expectedFrameFromEtherType);

    await sendUdpFromHost(bed.topo, bed.a, group, port, datagrams);
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
