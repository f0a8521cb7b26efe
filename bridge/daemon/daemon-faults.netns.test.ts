// Faults an operator causes and floods an attacker causes, against the real daemon between two
// hosts: reloads that cannot be applied are rejected without a frame lost, a full receive buffer
// is counted, an uplink outage is logged once with its length.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep, type ManagedProcess } from '../../testkit/topology/index.js';
import { gooseTestFrame } from '../../testkit/frames/goose-test-frames.js';
import { DaemonUnderTest, FrameCapture, FrameInjector, FRAME_TOOL, TSX, USER_SPACE_IO, sendUdpFromHost, startDaemonPair, waitUntil } from '../../testkit/daemon/bridge-under-test.js';
import { useTestBed } from '../../testkit/daemon/netns-test-bed.js';
import { Gb1Encapsulation } from '../spec/gb1-encapsulation.js';

const GROUP = '224.0.1.100';
const PORT = 61850;
const STREAM_LENGTH = 90;

/** Counters (last 4 bytes) of the stream's frames captured so far, in arrival order. */
function streamCounters(c: FrameCapture): number[] {
  return c.frames().filter((f) => f.frame.length === STREAM_LENGTH).map((f) => f.frame.readUInt32BE(STREAM_LENGTH - 4));
}

function missing(counters: number[], from: number): number {
  const seen = new Set(counters.filter((n) => n >= from));
  const top = Math.max(...seen);
  let m = 0;
  for (let n = from; n <= top; n++) if (!seen.has(n)) m++;
  return m;
}

describe('daemon faults: rejected reloads, receive-buffer floods, uplink outages', function () {
  this.timeout(180_000);
  const bed = useTestBed('the daemon fault netns tests');
  let daemonA: DaemonUnderTest;
  let daemonB: DaemonUnderTest;
  let captureB: FrameCapture;
  let stream: ManagedProcess;
  const configA = join(bed.dir, 'a.conf');
  const goodConfig = (): string => `[DEFAULT]\ninterface = goose0\nmcast_if = ${bed.a.uplink}\n`;

  before(async function () {
    writeFileSync(configA, goodConfig());
    [daemonA, daemonB] = await startDaemonPair(bed.topo, bed.dir, GROUP,
      // Both in user space: the GRO test needs A's GSO runs, which the kernel tier (a datagram per
      // frame) does not send; the reload tests run in the kernel column in bridge-daemon.netns.
      { extra: ['--config', configA, '--remove-tap-on-exit', 'true', ...USER_SPACE_IO], fromFile: true },
      { extra: ['--remove-tap-on-exit', 'true', '--socket-buffer-size', '65536', ...USER_SPACE_IO] });
    captureB = await FrameCapture.start(bed.topo, bed.b.ns, 'goose0', '88b8');
    // An application on host A publishing 200 frames/s, numbered.
    stream = bed.topo.spawn(bed.a.ns, [TSX, FRAME_TOOL, 'stream', 'goose0', gooseTestFrame({ n: 0, totalLength: STREAM_LENGTH }).toString('hex'), '5'], 'stream goose0');
    await waitUntil('stream at host B', () => streamCounters(captureB).length > 20, 30_000);
  });

  for (const [what, line] of [
    ['an uplink that does not exist', 'mcast_if = eth9'],
    ['an interface name that belongs to the uplink (not a TAP)', 'interface = UPLINK'],
  ] as const) {
    it(`rejects a SIGHUP reload naming ${what}, keeps forwarding without a frame lost, and leaves no retry behind`, async () => {
      const from = Math.max(...streamCounters(captureB));
      const rejected = daemonA.proc.stderr.split('"event":"reload-rejected"').length;
      const reloadErrors = daemonA.stats().errors.reload ?? 0;
      writeFileSync(configA, goodConfig().replace(line.split(' = ')[0]!, '#') + `${line.replace('UPLINK', bed.a.uplink)}\n`);
      daemonA.proc.child.kill('SIGHUP');
      await waitUntil('reload rejected', () => daemonA.proc.stderr.split('"event":"reload-rejected"').length > rejected);
      writeFileSync(configA, goodConfig());
      await sleep(1500);
      const counters = streamCounters(captureB);
      expect(Math.max(...counters) - from, 'stream frames after the reload').to.be.greaterThan(150);
      expect(missing(counters, from), 'stream frames lost').to.equal(0);
      await sleep(1000);
      expect(daemonA.proc.stderr, 'a retry loop left running').not.to.include('"event":"recreate-failed"');
      expect(daemonA.stats().errors.reload! - reloadErrors, 'errors.reload per rejected reload').to.equal(1);
    });
  }

  it('counts datagrams the kernel dropped for a full receive buffer (a flood while the daemon is stalled)', async () => {
    const before = await daemonB.statsWhen('stats B', () => true);
    const junk = Buffer.alloc(16 + 200);
    new Gb1Encapsulation({ hi: 7, lo: 7 }, 2048).encapsulate(junk, gooseTestFrame({ n: 1, totalLength: 200 }), 0, 200, 1);
    daemonB.proc.child.kill('SIGSTOP');
    try {
      await sendUdpFromHost(bed.topo, bed.a, GROUP, PORT, [junk], 3000);
    } finally {
      daemonB.proc.child.kill('SIGCONT');
    }
    const after = await daemonB.statsWhen('receive-buffer drops counted', (s) => s.from_wan.kernel_rcvbuf_drops > before.from_wan.kernel_rcvbuf_drops, 10_000);
    const received = after.from_wan.datagrams_received - before.from_wan.datagrams_received;
    const dropped = after.from_wan.kernel_rcvbuf_drops - before.from_wan.kernel_rcvbuf_drops;
    console.log(`      3000-datagram flood into a stalled 64 KiB receive buffer: ${received} received, ${dropped} dropped by the kernel`);
    expect(dropped).to.be.greaterThan(0);
  });

  it('counts every datagram of the GRO runs the kernel dropped, not the runs (kernel_rcvbuf_drops follows gap_frames)', async () => {
    const inject = await FrameInjector.start(bed.topo, bed.a.ns, 'goose0');
    try {
      const before = await daemonB.statsWhen('stats B', () => true);
      daemonB.proc.child.kill('SIGSTOP');
      try {
        // Bursts the sending daemon carries as UDP GSO runs, which host B's veth keeps whole.
        for (let k = 0; k < 10; k++) await inject.send(Array.from({ length: 2000 }, (_, i) => gooseTestFrame({ n: k * 2000 + i, totalLength: 200 })));
      } finally {
        daemonB.proc.child.kill('SIGCONT');
      }
      // A burst B reads while running: its runs show that B's socket merges (what B read of the
      // stalled bursts may hold none); what it overflows is counted by the same rule.
      await inject.send(Array.from({ length: 2000 }, (_, i) => gooseTestFrame({ n: 20_000 + i, totalLength: 200 })));
      // The stream's next datagrams close the sequence gap, and the kernel's notice arrives with them.
      await sleep(3000);
      const after = await daemonB.statsWhen('receive-buffer drops counted', (s) => s.from_wan.kernel_rcvbuf_drops > before.from_wan.kernel_rcvbuf_drops, 10_000);
      const dropped = after.from_wan.kernel_rcvbuf_drops - before.from_wan.kernel_rcvbuf_drops;
      const gap = after.from_wan.gap_frames - before.from_wan.gap_frames;
      const runs = after.from_wan.coalesced_datagrams - before.from_wan.coalesced_datagrams;
      console.log(`      20,000 frames in GSO runs into a stalled 64 KiB receive buffer, then 2,000 into a running one: ${gap} lost (gap_frames), ${dropped} counted as kernel_rcvbuf_drops, ${runs} received inside runs`);
      expect(runs, 'datagrams arrived in GRO runs').to.be.greaterThan(0);
      expect(gap).to.be.greaterThan(1000);
      // Only the kernel loses datagrams here, and the reads it drops are all runs of host A's one sender.
      expect(dropped, 'kernel_rcvbuf_drops against gap_frames').to.equal(gap);
    } finally {
      await inject.stop();
    }
  });

  it('logs an uplink outage once when it starts and once when it ends, with its length', async () => {
    const downs = daemonA.proc.stderr.split('"event":"uplink-down"').length;
    await bed.topo.exec(bed.a.ns, ['ip', 'link', 'set', bed.a.uplink, 'down']);
    await sleep(2500);
    await bed.topo.exec(bed.a.ns, ['ip', 'link', 'set', bed.a.uplink, 'up']);
    await waitUntil('uplink-up logged', () => daemonA.proc.stderr.includes('"event":"uplink-up"'), 10_000);
    expect(daemonA.proc.stderr.split('"event":"uplink-down"').length - downs).to.equal(1);
    const up = daemonA.proc.stderr.split('\n').find((l) => l.includes('"event":"uplink-up"'))!;
    expect((JSON.parse(up) as { durationMs: number }).durationMs).to.be.within(1500, 6000);
  });
});
