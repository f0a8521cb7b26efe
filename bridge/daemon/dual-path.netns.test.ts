// Two WAN paths (PRP over IP): each host has an uplink on the stand-in and one on a second bridge;
// the sending bridge sends every datagram on both, the receiving one delivers the first copy. The
// first path is cut a second into a stream of 3000 frames at 1000 frames/s: the far goose0 still
// gets every frame exactly once, and the receiver reports the path silent.
import { expect } from 'chai';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipUnlessRoot } from '../../testkit/preconditions.js';
import { Topology, addSecondPath, secondUplink, setFirstPath, sleep, type Host } from '../../testkit/topology/index.js';
import { gooseTestFrame } from '../../testkit/frames/goose-test-frames.js';
import { DaemonUnderTest, FrameCapture, blastFrames, countByNumber, startDaemonPair, waitUntil } from '../../testkit/daemon/bridge-under-test.js';

const GROUP = '224.0.1.100';
const HMAC = { id: 7, signature: 'hmac-sha256-128', encryption: 'none', key: '11'.repeat(32) };

for (const mode of ['gb1', 'rgoose'] as const) describe(`dual WAN path (${mode}): every frame on both paths, the first copy delivered`, function () {
  this.timeout(240_000);
  let topo: Topology;
  let a: Host;
  let b: Host;
  let sender: DaemonUnderTest;
  let receiver: DaemonUnderTest;
  let captureB: FrameCapture;
  const dir = join(tmpdir(), `gb-dual-path-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);

  before(async function () {
    skipUnlessRoot(this, 'the dual-path netns test');
    topo = await Topology.create({ hosts: 2, scale: 60 });
    [a, b] = [topo.host(1), topo.host(2)];
    await addSecondPath(topo);
    mkdirSync(dir, { recursive: true });
    const keyFile = join(dir, 'keys.json');
    writeFileSync(keyFile, JSON.stringify({ active: HMAC.id, keys: [HMAC] }), { mode: 0o600 });
    chmodSync(keyFile, 0o600);
    const wan = mode === 'rgoose' ? ['--encapsulation', 'rgoose', '--rgoose-keys', keyFile] : [];
    [sender, receiver] = await startDaemonPair(
      topo, dir, GROUP,
      { extra: ['--mcast-if', secondUplink(a), '--remove-tap-on-exit', 'true', ...wan] },
      { extra: ['--mcast-if', secondUplink(b), '--remove-tap-on-exit', 'true', ...wan] },
    );
    captureB = await FrameCapture.start(topo, b.ns, 'goose0', '88b8');
  });

  after(async function () {
    await topo?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('3000 frames at 1000 frames/s, path 1 cut after 1 s: all arrive exactly once, both paths carried traffic before the cut', async () => {
    const total = 3000;
    const { done } = await blastFrames(topo, a.ns, 'goose0', gooseTestFrame({ n: 0, appId: 0x0055 }), total, 1000);
    await waitUntil('the stream at the far goose0', () => countByNumber(captureB.frames().map((f) => f.frame), 0x0055).size > 0, 40_000);
    await sleep(1000);
    const beforeCut = receiver.stats().redundancy!.paths.map((p) => p.datagrams_received);
    await setFirstPath(topo, a, false);
    await done;
    await waitUntil('all frames at the far goose0', () => countByNumber(captureB.frames().map((f) => f.frame), 0x0055).size >= total, 10_000).catch(() => undefined);
    await sleep(500);
    const got = countByNumber(captureB.frames().map((f) => f.frame), 0x0055);
    const missing = Array.from({ length: total }, (_, n) => n).filter((n) => !got.has(n));
    expect(missing.length, `frames missing (first: ${missing.slice(0, 5).join(', ')})`).to.equal(0);
    expect([...got.values()].filter((c) => c > 1).length, 'frames delivered more than once').to.equal(0);
    expect(beforeCut.every((n) => n > 0), `datagrams per path before the cut: ${beforeCut.join(', ')}`).to.equal(true);
    const s = await receiver.statsWhen('the cut path reported silent', (x) => x.redundancy!.paths[0]!.silent, 10_000);
    const [p0, p1] = s.redundancy!.paths;
    expect(p1!.datagrams_received, 'path 2 carried every frame').to.be.at.least(total);
    expect(p0!.missing_frames, 'path 1 missed the frames after the cut').to.be.greaterThan(total / 2);
    expect(p1!.missing_frames, 'path 2 missed none').to.equal(0);
    // The log line and the stats file leave the daemon by two channels, in either order.
    await waitUntil('path-silent logged', () => receiver.proc.stderr.includes('"event":"path-silent"'), 5_000);
    const sent = sender.stats().redundancy!.paths.map((p) => p.datagrams_sent);
    expect(sent[1], 'the sender sent every frame on path 2').to.be.at.least(total);
    // Restored: the path carries again and the silence ends.
    await setFirstPath(topo, a, true);
    const more = await blastFrames(topo, a.ns, 'goose0', gooseTestFrame({ n: 0, appId: 0x0056 }), 200, 1000);
    await more.done;
    const back = await receiver.statsWhen('path 1 restored', (x) => !x.redundancy!.paths[0]!.silent, 10_000);
    expect(back.redundancy!.paths[0]!.datagrams_received).to.be.greaterThan(p0!.datagrams_received);
    await waitUntil('path-restored logged', () => receiver.proc.stderr.includes('"event":"path-restored"'), 5_000);
  });
});
