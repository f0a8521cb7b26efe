// TAP reads and writes through io_uring: a burst costs a system call per batch, not per frame, and
// arrives byte-identical and in order; with tap_io_uring off (as on a kernel without io_uring) the
// same frames go through read(2)/write(2), one call each. Daemon A runs without the ring, B with
// it, and a burst crosses both ways.
import { expect } from 'chai';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipUnlessRoot } from '../../testkit/preconditions.js';
import { Topology, type Host } from '../../suites/topology/index.js';
import { gooseBurst as burst, framesHex as hex } from '../../suites/daemon/goose-test-frames.js';
import { DaemonUnderTest, FrameCapture, FrameInjector, USER_SPACE_IO, startDaemonPair, waitUntil } from '../../suites/daemon/bridge-under-test.js';
import type { StatsSnapshot } from './bridge-counters.js';

const GROUP = '224.0.1.100';

describe('TAP reads and writes in io_uring batches, and without them', function () {
  this.timeout(120_000);
  let topo: Topology;
  let a: Host;
  let b: Host;
  let daemonA: DaemonUnderTest;
  let daemonB: DaemonUnderTest;
  const inject = new Map<string, FrameInjector>();
  const capture = new Map<string, FrameCapture>();
  const dir = join(tmpdir(), `gb-tap-batch-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);

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
    skipUnlessRoot(this, 'the TAP batching netns test');
    topo = await Topology.create({ hosts: 2, scale: 60 });
    a = topo.host(1);
    b = topo.host(2);
    mkdirSync(dir, { recursive: true });
    const gone = ['--remove-tap-on-exit', 'true', ...USER_SPACE_IO];
    [daemonA, daemonB] = await startDaemonPair(topo, dir, GROUP, { extra: [...gone, '--tap-io-uring', 'false'] }, { extra: gone });
    for (const h of [a, b]) {
      inject.set(h.ns, await FrameInjector.start(topo, h.ns, 'goose0'));
      capture.set(h.ns, await FrameCapture.start(topo, h.ns, 'goose0', '88b8'));
    }
  });

  after(async function () {
    await topo?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a burst without io_uring one call per frame, and writes it with io_uring in batches', async () => {
    const frames = burst(1000, 600);
    const { reads, writes } = await cross(daemonA, daemonB, a.ns, b.ns, frames);
    expect(reads, 'read calls at A (each frame, plus one that finds the queue empty per batch)').to.be.at.least(frames.length);
    expect(writes, 'write calls at B').to.be.greaterThan(0).and.lessThan(frames.length);
  });

  it('reads a burst with io_uring in batches, and writes it without io_uring one call per frame', async () => {
    const frames = burst(3000, 600);
    const { reads, writes } = await cross(daemonB, daemonA, b.ns, a.ns, frames);
    expect(reads, 'read calls at B').to.be.greaterThan(0).and.lessThan(frames.length);
    expect(writes, 'write calls at A').to.equal(frames.length);
    expect(daemonB.proc.stderr, 'B had its ring').to.not.contain('io-uring-unavailable');
  });
});
