// TAP reads and writes through io_uring: a burst costs a system call per batch, not per frame, and
// arrives byte-identical and in order; with tap_io_uring off (as on a kernel without io_uring) the
// same frames go through read(2)/write(2), one call each. Daemon A runs without the ring, B with
// it, and a burst crosses both ways.
import { expect } from 'chai';
import { gooseBurst as burst, framesHex as hex } from '../../testkit/frames/goose-test-frames.js';
import { DaemonUnderTest, FrameCapture, FrameInjector, USER_SPACE_IO, startDaemonPair, waitUntil } from '../../testkit/daemon/bridge-under-test.js';
import { useTestBed } from '../../testkit/daemon/netns-test-bed.js';
import type { StatsSnapshot } from './bridge-counters.js';

const GROUP = '224.0.1.100';

describe('TAP reads and writes in io_uring batches, and without them', function () {
  this.timeout(120_000);
  const bed = useTestBed('the TAP batching netns test');
  let daemonA: DaemonUnderTest;
  let daemonB: DaemonUnderTest;
  const inject = new Map<string, FrameInjector>();
  const capture = new Map<string, FrameCapture>();

  /** Sends `frames` into `from`'s goose0; the stats of sender and receiver before and after. */
  async function cross(from: DaemonUnderTest, to: DaemonUnderTest, fromNs: string, toNs: string, frames: Buffer[]) {
    const before: [StatsSnapshot, StatsSnapshot] = [await from.statsWhen('stats', () => true), await to.statsWhen('stats', () => true)];
    capture.get(toNs)!.fresh();
    await inject.get(fromNs)!.send(frames);
    await waitUntil('frames at the far side', () => capture.get(toNs)!.frames().length >= frames.length);
    const sent = await from.statsWhen('sender counted the burst', (s) => s.to_wan.datagrams_sent >= before[0].to_wan.datagrams_sent + frames.length);
    const written = await to.statsWhen('receiver wrote the burst', (s) => s.from_wan.frames_written >= before[1].from_wan.frames_written + frames.length);
    expect(hex(capture.get(toNs)!.fresh()), 'frames on the far goose0').to.deep.equal(hex(frames));
    return { reads: sent.to_wan.read_calls - before[0].to_wan.read_calls, writes: written.from_wan.write_calls - before[1].from_wan.write_calls };
  }

  before(async function () {
    const gone = ['--remove-tap-on-exit', 'true', ...USER_SPACE_IO];
    [daemonA, daemonB] = await startDaemonPair(bed.topo, bed.dir, GROUP, { extra: [...gone, '--tap-io-uring', 'false'] }, { extra: gone });
    for (const h of [bed.a, bed.b]) {
      inject.set(h.ns, await FrameInjector.start(bed.topo, h.ns, 'goose0'));
      capture.set(h.ns, await FrameCapture.start(bed.topo, h.ns, 'goose0', '88b8'));
    }
  });

  it('reads a burst without io_uring one call per frame, and writes it with io_uring in batches', async () => {
    const frames = burst(1000, 600);
    const { reads, writes } = await cross(daemonA, daemonB, bed.a.ns, bed.b.ns, frames);
    expect(reads, 'read calls at A (each frame, plus one that finds the queue empty per batch)').to.be.at.least(frames.length);
    expect(writes, 'write calls at B').to.be.greaterThan(0).and.lessThan(frames.length);
  });

  it('reads a burst with io_uring in batches, and writes it without io_uring one call per frame', async () => {
    const frames = burst(3000, 600);
    const { reads, writes } = await cross(daemonB, daemonA, bed.b.ns, bed.a.ns, frames);
    expect(reads, 'read calls at B').to.be.greaterThan(0).and.lessThan(frames.length);
    expect(writes, 'write calls at A').to.equal(frames.length);
    expect(daemonB.proc.stderr, 'B had its ring').to.not.contain('io-uring-unavailable');
  });
});
