// Frame order across the two tiers: a user-tier sender (host A) emits bursts as UDP GSO runs, the
// veths and the stand-in bridge carry them whole, and the kernel-tier receiver (host B) passes a
// run up to its user-space engine while it could deliver the single datagrams behind it at once.
// Per sender, nothing may overtake what was passed up (GOOSE subscribers check stNum/sqNum), and
// the kernel tier's receive sockets do not merge datagrams (no UDP GRO: the kernel tier would
// see whole bursts as runs and hand them up).
import { expect } from 'chai';
import { gooseTestFrame } from '../../testkit/frames/goose-test-frames.js';
import { DaemonUnderTest, FrameCapture, FrameInjector, USER_SPACE_IO, startDaemonPair, waitUntil } from '../../testkit/daemon/bridge-under-test.js';
import { useTestBed } from '../../testkit/daemon/netns-test-bed.js';
import { skipUnless } from '../../testkit/preconditions.js';
import { sleep } from '../../testkit/topology/index.js';
import { kernelTierSupport } from './kernel-tier.js';

const GROUP = '224.0.1.100';
const APPIDS = [0x0101, 0x0102, 0x0103];

/**
 * `bursts` bursts in which runs of equal-size frames (a GSO run each) alternate with frames of
 * their own size (a datagram of its own, right behind the run); the APPIDs rotate, and each
 * frame's number counts per APPID.
 */
function burstsOfRuns(bursts: number): Buffer[] {
  const next = new Map(APPIDS.map((a) => [a, 0]));
  const frames: Buffer[] = [];
  for (let b = 0; b < bursts; b++) {
    for (let piece = 0; piece < 4; piece++) {
      const run = 3 + ((b + piece) % 5);
      for (let i = 0; i <= run; i++) {
        const appId = APPIDS[frames.length % APPIDS.length]!;
        const n = next.get(appId)!;
        next.set(appId, n + 1);
        // The run's frames share a size; the one after it differs, so it leaves as its own datagram.
        frames.push(gooseTestFrame({ n, appId, totalLength: i < run ? 200 : 150 + piece }));
      }
    }
  }
  return frames;
}

/** Per APPID, the frame numbers in arrival order. */
function numbersByAppid(frames: Buffer[]): Map<number, number[]> {
  const out = new Map<number, number[]>(APPIDS.map((a) => [a, []]));
  for (const f of frames) out.get(f.readUInt16BE(14))?.push(f.readUInt32BE(f.length - 4));
  return out;
}

describe('frame order between the kernel tier and the user tier it passes runs up to', function () {
  this.timeout(180_000);
  const bed = useTestBed('the tier-order netns test', {
    needs: [
      (ctx, what) => {
        const s = kernelTierSupport();
        skipUnless(ctx, s.ok, `${what}: ${s.ok ? '' : s.reason}`);
      },
    ],
  });
  let sender: DaemonUnderTest;
  let receiver: DaemonUnderTest;
  let injectA: FrameInjector;
  let captureB: FrameCapture;

  before(async function () {
    [sender, receiver] = await startDaemonPair(
      bed.topo,
      bed.dir,
      GROUP,
      { extra: ['--remove-tap-on-exit', 'true', ...USER_SPACE_IO] },
      { extra: ['--remove-tap-on-exit', 'true', '--data-plane', 'kernel'] },
    );
    [injectA, captureB] = await Promise.all([FrameInjector.start(bed.topo, bed.a.ns, 'goose0'), FrameCapture.start(bed.topo, bed.b.ns, 'goose0', '88b8')]);
  });

  it('delivers every frame of a sender’s bursts in order, per APPID, whichever tier delivered it', async () => {
    const before = await receiver.statsWhen('stats B', () => true);
    const beforeA = await sender.statsWhen('stats A', () => true);
    captureB.fresh();
    const frames = burstsOfRuns(40);
    // A few bursts at a time: each reaches A's tx thread as one batch (runs and the singles behind them).
    for (let i = 0; i < frames.length; i += 60) await injectA.send(frames.slice(i, i + 60));
    await waitUntil('frames at host B', () => captureB.frames().length >= frames.length, 30_000);
    await sleep(300);
    const got = captureB.fresh();
    const a = await sender.statsWhen('A counted the bursts', (s) => s.to_wan.datagrams_sent >= beforeA.to_wan.datagrams_sent + frames.length);
    expect(a.to_wan.segmented_datagrams - beforeA.to_wan.segmented_datagrams, 'datagrams A sent inside GSO runs').to.be.greaterThan(0);
    const want = numbersByAppid(frames);
    const seen = numbersByAppid(got);
    for (const appId of APPIDS) expect(seen.get(appId), `frame numbers of APPID 0x${appId.toString(16).padStart(4, '0')} in arrival order`).to.deep.equal(want.get(appId));
    const b = await receiver.statsWhen('B wrote the bursts', (s) => s.from_wan.frames_written >= before.from_wan.frames_written + frames.length);
    expect(b.data_plane?.tier, 'B’s tier').to.equal('kernel');
    expect(b.data_plane!.kernel_frames_written - before.data_plane!.kernel_frames_written, 'frames the kernel tier delivered').to.be.greaterThan(0);
    expect(b.from_wan.coalesced_datagrams - before.from_wan.coalesced_datagrams, 'datagrams B’s sockets read merged (UDP GRO)').to.equal(0);
  });
});
