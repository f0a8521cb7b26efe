// Rough end-to-end figure for the hot paths: host A's application blasts numbered GOOSE frames
// into goose0 at a fixed rate; both daemons forward; host B's daemon writes them into its goose0.
// Reports frames/s through the bridge and where frames were lost. Run as root:
//   tsx bridge/daemon/daemon-throughput.bench.ts [rate] [count]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topology, sleep } from '../../suites/topology/index.js';
import { DaemonUnderTest, FRAME_TOOL, TSX } from './test-support/bridge-under-test.js';
import { gooseTestFrame } from './test-support/goose-test-frames.js';

const rate = Number(process.argv[2] ?? '50000');
const count = Number(process.argv[3] ?? '500000');
const dir = mkdtempSync(join(tmpdir(), 'gb-bench-'));
const topo = await Topology.create({ hosts: 2, scale: 60 });
try {
  const [a, b] = [topo.host(1), topo.host(2)];
  await topo.waitUntilForwarding();
  const da = DaemonUnderTest.spawn(topo, a, join(dir, 'a.json'));
  const db = DaemonUnderTest.spawn(topo, b, join(dir, 'b.json'));
  await Promise.all([da.started(), db.started()]);
  await topo.waitForMembers('224.0.1.100', [b.tgwPort]);
  const frame = gooseTestFrame({ n: 0, totalLength: 200 });
  const out = await topo.exec(a.ns, [TSX, FRAME_TOOL, 'blast', 'goose0', frame.toString('hex'), String(count), String(rate)], { timeoutMs: 600_000 });
  const [, sent, us] = out.trim().split('\n').at(-1)!.split(' ');
  await sleep(1500);
  const sa = da.stats();
  const sb = db.stats();
  const secs = Number(us) / 1e6;
  console.log(JSON.stringify({
    target_rate: rate,
    frames_offered: count,
    frames_accepted_by_goose0: Number(sent),
    offered_duration_s: +secs.toFixed(3),
    offered_rate: Math.round(Number(sent) / secs),
    a_tap_frames_read: sa.to_wan.frames_read,
    a_datagrams_sent: sa.to_wan.datagrams_sent,
    a_drops: Object.fromEntries(Object.entries(sa.to_wan.drops).filter(([, v]) => v > 0)),
    b_datagrams_received: sb.from_wan.datagrams_received,
    b_frames_written: sb.from_wan.frames_written,
    b_gap_frames: sb.from_wan.gap_frames,
    b_drops: Object.fromEntries(Object.entries(sb.from_wan.drops).filter(([, v]) => v > 0)),
    delivered_pct: +((100 * sb.from_wan.frames_written) / count).toFixed(2),
  }, null, 1));
} finally {
  await topo.destroy();
  rmSync(dir, { recursive: true, force: true });
}
