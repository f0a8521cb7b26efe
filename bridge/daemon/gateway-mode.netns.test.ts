// Gateway mode: host A's daemon attaches to an existing LAN interface (a veth whose other end
// stands for the IEDs), host B runs the usual TAP bridge; frames cross both ways byte-identical
// and nothing the gateway wrote onto its LAN comes back (no echo, no loop).
import { expect } from 'chai';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipUnlessRoot } from '../../testkit/preconditions.js';
import { Topology, sleep, type Host } from '../../testkit/topology/index.js';
import { gooseTestFrame } from '../../testkit/frames/goose-test-frames.js';
import { DaemonUnderTest, FrameCapture, FrameInjector, startDaemonPair, waitUntil } from '../../testkit/daemon/bridge-under-test.js';

const GROUP = '224.0.1.100';

describe('gateway mode (--attach) between a LAN segment and a TAP bridge', function () {
  this.timeout(120_000);
  let topo: Topology;
  let a: Host;
  let b: Host;
  let gateway: DaemonUnderTest;
  let tapBridge: DaemonUnderTest;
  let ieds: FrameInjector;
  let iedsSee: FrameCapture;
  let injectB: FrameInjector;
  let captureB: FrameCapture;
  const statsDir = join(tmpdir(), `gb-gateway-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);

  before(async function () {
    skipUnlessRoot(this, 'the gateway-mode netns test');
    topo = await Topology.create({ hosts: 2, scale: 60 });
    a = topo.host(1);
    b = topo.host(2);
    await topo.exec(a.ns, ['ip', 'link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'ied0']);
    for (const l of ['lan0', 'ied0']) await topo.exec(a.ns, ['ip', 'link', 'set', l, 'up']);
    mkdirSync(statsDir, { recursive: true });
    [gateway, tapBridge] = await startDaemonPair(topo, statsDir, GROUP, { extra: ['--attach', 'lan0'] }, { extra: ['--remove-tap-on-exit', 'true'] });
    [ieds, iedsSee, injectB, captureB] = await Promise.all([
      FrameInjector.start(topo, a.ns, 'ied0'),
      FrameCapture.start(topo, a.ns, 'ied0', '88b8'),
      FrameInjector.start(topo, b.ns, 'goose0'),
      FrameCapture.start(topo, b.ns, 'goose0', '88b8'),
    ]);
  });

  after(async function () {
    await topo?.destroy();
    rmSync(statsDir, { recursive: true, force: true });
  });

  it('forwards the LAN segment’s GOOSE to the far TAP byte-identical, VLAN tags included', async () => {
    captureB.fresh();
    const frames = Array.from({ length: 30 }, (_, n) => gooseTestFrame({ n: 100 + n, vlan: n % 2 === 1, appId: 1 + (n % 3) }));
    await ieds.send(frames);
    await waitUntil('frames at host B', () => captureB.frames().length >= frames.length);
    await sleep(200);
    expect(captureB.fresh().map((f) => f.toString('hex'))).to.deep.equal(frames.map((f) => f.toString('hex')));
    const s = await gateway.statsWhen('per-APPID counts', (x) => (x.per_appid?.['0x0003']?.to_wan_frames ?? 0) >= 10);
    expect([1, 2, 3].map((a) => s.per_appid![`0x000${a}`]!.to_wan_frames), 'frames sent per APPID').to.deep.equal([10, 10, 10]);
  });

  it('writes the far side’s GOOSE onto the LAN segment once, byte-identical, and never sends it back', async () => {
    iedsSee.fresh();
    captureB.fresh();
    const sentBefore = (await gateway.statsWhen('stats A', () => true)).to_wan.datagrams_sent;
    const frames = Array.from({ length: 30 }, (_, n) => gooseTestFrame({ n: 500 + n, vlan: n % 3 === 0 }));
    await injectB.send(frames);
    await waitUntil('frames on the LAN segment', () => iedsSee.frames().length >= frames.length);
    await sleep(500);
    expect(iedsSee.fresh().map((f) => f.toString('hex'))).to.deep.equal(frames.map((f) => f.toString('hex')));
    expect(captureB.fresh(), 'frames that came back to host B').to.have.length(0);
    const s = await gateway.statsWhen('stats A written after', (x) => x.from_wan.frames_written >= frames.length);
    expect(s.to_wan.datagrams_sent - sentBefore, 'datagrams the gateway sent meanwhile').to.equal(0);
  });

  it('drops a frame it wrote when the LAN reflects it (a hairpin, a second gateway), counted as echo', async () => {
    // Every frame arriving at the IED end is mirrored straight back onto the segment.
    await topo.exec(a.ns, ['tc', 'qdisc', 'add', 'dev', 'ied0', 'ingress']);
    await topo.exec(a.ns, ['tc', 'filter', 'add', 'dev', 'ied0', 'parent', 'ffff:', 'protocol', 'all', 'u32', 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'mirror', 'dev', 'ied0']);
    try {
      const frames = Array.from({ length: 10 }, (_, n) => gooseTestFrame({ n: 900 + n, vlan: n % 2 === 0 }));
      const before = await gateway.statsWhen('stats A', () => true);
      captureB.fresh();
      await injectB.send(frames);
      const s = await gateway
        .statsWhen('echo drops counted', (x) => (x.to_wan.drops.echo ?? 0) >= (before.to_wan.drops.echo ?? 0) + frames.length)
        .catch((err: Error) => {
          throw new Error(`${err.message}\nbefore: ${JSON.stringify(before.to_wan)} ${JSON.stringify(before.from_wan)}\nnow: ${JSON.stringify(gateway.stats().to_wan)} ${JSON.stringify(gateway.stats().from_wan)}`);
        });
      await sleep(300);
      const after = gateway.stats();
      expect(after.to_wan.drops.echo! - (before.to_wan.drops.echo ?? 0), 'echo drops').to.equal(frames.length);
      expect(after.to_wan.datagrams_sent - before.to_wan.datagrams_sent, 'datagrams sent').to.equal(0);
      expect(s.from_wan.frames_written - before.from_wan.frames_written).to.equal(frames.length);
      expect(captureB.fresh(), 'reflected frames forwarded to host B').to.have.length(0);
    } finally {
      await topo.exec(a.ns, ['tc', 'qdisc', 'del', 'dev', 'ied0', 'ingress']);
    }
  });
});
