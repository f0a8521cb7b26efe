// UDP segmentation offload on the WAN: a run of equal-size datagrams to one group leaves host A
// as one GSO send and reaches daemon B as one GRO read, while the wire (and any plain socket)
// still carries one datagram per frame; a stack that refuses a run costs nothing but the offload.
import { expect } from 'chai';
import { outgoingLengthLimitTable, sleep, type ManagedProcess } from '../../testkit/topology/index.js';
import { gooseBurst as burst, framesHex as hex } from '../../testkit/frames/goose-test-frames.js';
import { DaemonUnderTest, FrameCapture, FrameInjector, TSX, USER_SPACE_IO, startDaemonPair, waitUntil } from '../../testkit/daemon/bridge-under-test.js';
import { useTestBed } from '../../testkit/daemon/netns-test-bed.js';
import { GB1_HEADER_BYTES } from '../wan/gb1-format.js';
import type { StatsSnapshot } from './bridge-counters.js';

const GROUP = '224.0.1.100';
const PORT = 61850;
const PROBE = new URL('../../testkit/topology/mcast-probe.ts', import.meta.url).pathname;

describe('WAN segmentation offload (UDP GSO out, GRO in) between two hosts', function () {
  this.timeout(120_000);
  const bed = useTestBed('the WAN segmentation netns test');
  let daemonA: DaemonUnderTest;
  let daemonB: DaemonUnderTest;
  let injectA: FrameInjector;
  let captureB: FrameCapture;

  /** Sends `frames` from A's goose0 and returns both daemons' stats once B wrote them all. */
  const cross = async (frames: Buffer[]): Promise<{ before: [StatsSnapshot, StatsSnapshot]; after: [StatsSnapshot, StatsSnapshot] }> => {
    const before: [StatsSnapshot, StatsSnapshot] = [await daemonA.statsWhen('stats A', () => true), await daemonB.statsWhen('stats B', () => true)];
    captureB.fresh();
    const seen = captureB.frames().length;
    await injectA.send(frames);
    await waitUntil('frames at host B', () => captureB.frames().length >= seen + frames.length);
    const afterB = await daemonB.statsWhen('B wrote the burst', (s) => s.from_wan.frames_written >= before[1].from_wan.frames_written + frames.length);
    const afterA = await daemonA.statsWhen('A counted the burst', (s) => s.to_wan.datagrams_sent >= before[0].to_wan.datagrams_sent + frames.length);
    await sleep(200);
    return { before, after: [afterA, afterB] };
  };

  before(async function () {
    [daemonA, daemonB] = await startDaemonPair(bed.topo, bed.dir, GROUP, { extra: ['--remove-tap-on-exit', 'true', ...USER_SPACE_IO] }, { extra: ['--remove-tap-on-exit', 'true', ...USER_SPACE_IO] });
    [injectA, captureB] = await Promise.all([FrameInjector.start(bed.topo, bed.a.ns, 'goose0'), FrameCapture.start(bed.topo, bed.b.ns, 'goose0', '88b8')]);
  });

  it('sends a burst in GSO runs and reads it in GRO runs; the frames arrive byte-identical and in order', async () => {
    const frames = burst(1000, 600);
    const { before, after } = await cross(frames);
    expect(hex(captureB.fresh()), 'frames on B’s goose0').to.deep.equal(hex(frames));
    const [a0, b0] = before;
    const [a1, b1] = after;
    const sent = a1.to_wan.datagrams_sent - a0.to_wan.datagrams_sent;
    expect(sent, 'datagrams sent').to.equal(frames.length);
    expect(a1.to_wan.segmented_datagrams - a0.to_wan.segmented_datagrams, 'datagrams sent inside GSO runs').to.be.greaterThan(0);
    expect(a1.to_wan.send_calls - a0.to_wan.send_calls, 'send calls').to.be.lessThan(sent);
    expect(b1.from_wan.datagrams_received - b0.from_wan.datagrams_received, 'datagrams B received').to.equal(frames.length);
    expect(b1.from_wan.coalesced_datagrams - b0.from_wan.coalesced_datagrams, 'datagrams B read inside GRO runs').to.be.greaterThan(0);
    expect(b1.from_wan.dropped - b0.from_wan.dropped, 'drops at B').to.equal(0);
  });

  it('puts one datagram per frame on the wire: a plain socket on host B reads each alone, GB1 header + frame', async () => {
    const probe: ManagedProcess = bed.topo.spawn(bed.b.ns, [TSX, PROBE, 'recv', GROUP, String(PORT), bed.b.address, '4000', 'hex'], 'plain receiver');
    await waitUntil('plain receiver ready', () => probe.stderr.includes('ready'));
    const frames = burst(5000, 400);
    const { before, after } = await cross(frames);
    expect(after[0].to_wan.segmented_datagrams - before[0].to_wan.segmented_datagrams, 'datagrams sent inside GSO runs').to.be.greaterThan(0);
    await probe.exited;
    const got = (JSON.parse(probe.stdout) as { datagrams: string[] }).datagrams.map((d) => Buffer.from(d, 'hex'));
    expect(got.map((d) => d.length), 'datagram lengths').to.deep.equal(frames.map((f) => GB1_HEADER_BYTES + f.length));
    expect(hex(got.map((d) => d.subarray(GB1_HEADER_BYTES))), 'frames carried').to.deep.equal(hex(frames));
    const seqs = got.map((d) => d.readUInt32BE(12));
    expect(seqs.slice(1).map((s, i) => s - seqs[i]!), 'sequence steps').to.deep.equal(seqs.slice(1).map(() => 1));
  });

  it('sends datagrams one by one once the stack refuses a GSO run (a host firewall limiting packet length), losing nothing', async () => {
    // One datagram (16 + 200 bytes + IP and UDP headers: 244) passes, any run of two or more does not.
    const limit = outgoingLengthLimitTable('gb_gso_limit', GROUP, PORT, 300);
    await bed.topo.applyNft(bed.a.ns, limit);
    try {
      const frames = burst(9000, 600);
      const { before, after } = await cross(frames);
      expect(hex(captureB.fresh()), 'frames on B’s goose0').to.deep.equal(hex(frames));
      expect(after[0].to_wan.datagrams_sent - before[0].to_wan.datagrams_sent, 'datagrams sent').to.equal(frames.length);
      expect(after[0].to_wan.segmented_datagrams, 'datagrams sent inside GSO runs').to.equal(before[0].to_wan.segmented_datagrams);
      expect(after[0].to_wan.dropped - before[0].to_wan.dropped, 'drops at A').to.equal(0);
      expect(await bed.topo.nftCounterPackets(bed.a.ns, limit), 'runs the firewall refused').to.equal(1);
      expect(daemonA.proc.stderr.split('"event":"gso-refused"').length - 1, 'gso-refused logged').to.equal(1);
    } finally {
      await bed.topo.removeNft(bed.a.ns, limit);
    }
  });
});
