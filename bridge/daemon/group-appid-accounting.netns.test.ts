// What the membership monitor and `status` report per group and per APPID, whichever tier forwards
// (the test matrix's, auto by default: the kernel tier where it loads). Two daemons behind the TGW
// stand-in, two groups (APPIDs 0x0020–0x002f on their own group); publishers on host A's goose0,
// a capture on host B's goose0 as the subscriber. The counts compared come from the publishers'
// own send counts and from that capture, not from the bridge's counters.
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gooseTestFrame } from '../../testkit/frames/goose-test-frames.js';
import { blastFrames, CLI, execInNamespace, FrameCapture, startDaemonPair, type DaemonUnderTest } from '../../testkit/daemon/bridge-under-test.js';
import { useTestBed } from '../../testkit/daemon/netns-test-bed.js';
import type { StatsSnapshot } from './bridge-counters.js';

const DEFAULT_GROUP = '224.0.1.100';
const MAPPED_GROUP = '239.0.1.102';
const [STEADY, STOPPING] = [0x0001, 0x0021];
const MONITOR_INTERVAL_S = 2;

/** Groups the monitor found silent ("no-datagrams"), from the daemon's JSON log. */
function silentChecks(stderr: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of stderr.split('\n')) {
    if (!line.includes('"igmp-check-failed"')) continue;
    const e = JSON.parse(line) as { group: string; reason: string };
    if (e.reason === 'no-datagrams') out[e.group] = (out[e.group] ?? 0) + 1;
  }
  return out;
}

const key = (appid: number): string => `0x${appid.toString(16).padStart(4, '0')}`;

describe('per-group and per-APPID accounting between two hosts, whichever tier forwards', function () {
  this.timeout(180_000);
  const bed = useTestBed('the per-group and per-APPID accounting netns test');
  let daemonA: DaemonUnderTest;
  let daemonB: DaemonUnderTest;

  before(async function () {
    const conf = join(bed.dir, 'map.conf');
    writeFileSync(conf, `[DEFAULT]\ngroup_map = appid:0x0020-0x002f=${MAPPED_GROUP}\n`);
    [daemonA, daemonB] = await startDaemonPair(bed.topo, bed.dir, DEFAULT_GROUP,
      { extra: ['--config', conf] },
      { extra: ['--config', conf, '--igmp-monitor-interval', String(MONITOR_INTERVAL_S), '--igmp-keepalive-interval', '1', '--igmp-reregister-threshold', '1000'] });
    await bed.topo.waitForMembers(MAPPED_GROUP, [bed.a.tgwPort, bed.b.tgwPort]);
  });

  after(async () => {
    await Promise.all([daemonA?.proc.stop(3000), daemonB?.proc.stop(3000)]);
  });

  it('sees the group whose publisher stopped fall silent while the other flows, and counts per APPID what the publishers sent', async () => {
    const capture = await FrameCapture.start(bed.topo, bed.b.ns, 'goose0', '88b8');
    try {
      // Both streams start together; the mapped group's stops after 1 s, the default group's
      // flows on for 12 s: several monitor checks with one group silent and the other not.
      const [steady, stopping] = await Promise.all([
        blastFrames(bed.topo, bed.a.ns, 'goose0', gooseTestFrame({ n: 0, appId: STEADY, totalLength: 80 }), 600, 50),
        blastFrames(bed.topo, bed.a.ns, 'goose0', gooseTestFrame({ n: 0, appId: STOPPING, totalLength: 90 }), 50, 50),
      ]);
      const sentStopping = await stopping.done;
      const sentSteady = await steady.done;
      const silent = silentChecks(daemonB.proc.stderr);
      expect(silent[MAPPED_GROUP] ?? 0, `silent checks of ${MAPPED_GROUP} once its publisher stopped`).to.be.at.least(2);
      expect(silent[DEFAULT_GROUP] ?? 0, `silent checks of ${DEFAULT_GROUP} while its publisher sent`).to.equal(0);

      const a = await daemonA.statsWhen('A counted both publishers', (s) => (s.per_appid?.[key(STEADY)]?.to_wan_frames ?? 0) >= sentSteady && (s.per_appid?.[key(STOPPING)]?.to_wan_frames ?? 0) >= sentStopping, 10_000);
      await daemonB.statsWhenQuiet();
      const status = execInNamespace(bed.b.ns, [process.execPath, CLI, 'status', '--json', '--stats-file', daemonB.statsFile]);
      expect(status.code, status.stderr).to.equal(0);
      const b = JSON.parse(status.stdout) as StatsSnapshot;
      const got = capture.frames().map((f) => f.frame);
      const received = (appid: number): number => got.filter((f) => f.readUInt16BE(14) === appid).length;
      console.log(`      tiers: A ${a.data_plane?.tier}, B ${b.data_plane?.tier}; sent ${sentSteady} + ${sentStopping}, received ${received(STEADY)} + ${received(STOPPING)}; silent checks ${JSON.stringify(silent)}`);

      expect([a.per_appid![key(STEADY)]!.to_wan_frames, a.per_appid![key(STOPPING)]!.to_wan_frames], 'A: frames to the WAN per APPID').to.deep.equal([sentSteady, sentStopping]);
      expect([b.per_appid![key(STEADY)]!.from_wan_frames, b.per_appid![key(STOPPING)]!.from_wan_frames], 'B: frames from the WAN per APPID').to.deep.equal([received(STEADY), received(STOPPING)]);
      expect(received(STEADY) + received(STOPPING), 'frames at the subscriber').to.be.greaterThan(0);
      expect(b.from_wan.senders, 'B tracks bridge A in each of the two groups').to.equal(2);
      if (b.data_plane?.tier === 'kernel') expect(b.data_plane.kernel_frames_written, 'B’s kernel tier wrote frames itself').to.be.greaterThan(0);
    } finally {
      await capture.stop();
    }
  });
});
