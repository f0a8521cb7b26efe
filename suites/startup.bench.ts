// bench:startup — how long a restart of the bridge interrupts an application's stream: host A's
// application publishes on goose0 (1000 frames/s, the TAP kept by the previous daemon), the
// daemon is started from the CLI bundle, and the first frame at host B's goose0 is timed from
// the spawn. Repeated; prints each run and the median. Root only.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaemonUnderTest, FrameCapture, FRAME_TOOL, TSX, waitUntil } from '../testkit/daemon/bridge-under-test.js';
import { gooseTestFrame } from '../testkit/frames/goose-test-frames.js';
import { Topology, monotonicUs, sleep } from '../testkit/topology/index.js';

const RUNS = Number(process.env.RUNS ?? '7');

if (process.getuid?.() !== 0) {
  process.stderr.write('bench:startup: skipped: needs root (namespaces, TAP)\n');
  process.exit(0);
}
const bundle = existsSync(new URL('../dist/goose-bridge.mjs', import.meta.url));
const topo = await Topology.create({ hosts: 2, scale: 60 });
try {
  const a = topo.host(1);
  const b = topo.host(2);
  await topo.waitUntilForwarding();
  const dir = tmpdir();
  const daemonB = DaemonUnderTest.spawn(topo, b, join(dir, `gb-startup-b-${process.pid}.json`));
  let daemonA = DaemonUnderTest.spawn(topo, a, join(dir, `gb-startup-a-${process.pid}.json`));
  await Promise.all([daemonA.started(60_000), daemonB.started(60_000)]);
  const capture = await FrameCapture.start(topo, b.ns, 'goose0', '88b8');
  const stream = topo.spawn(a.ns, [TSX, FRAME_TOOL, 'stream', 'goose0', gooseTestFrame({ n: 0, totalLength: 100 }).toString('hex'), '1'], 'stream goose0');
  await waitUntil('stream at host B', () => capture.frames().length > 10, 60_000);
  const runs: Array<{ startedMs: number; firstFrameMs: number }> = [];
  for (let i = 0; i < RUNS; i++) {
    await daemonA.proc.stop(2000, 'SIGTERM');
    await sleep(300);
    const seen = capture.frames().length;
    const t0 = monotonicUs();
    daemonA = DaemonUnderTest.spawn(topo, a, join(dir, `gb-startup-a-${process.pid}.json`));
    await daemonA.started(60_000);
    const tStarted = monotonicUs();
    await waitUntil('first frame after the restart', () => capture.frames().length > seen, 60_000);
    const first = capture.frames()[seen]!;
    runs.push({ startedMs: (tStarted - t0) / 1000, firstFrameMs: (first.rxUs - t0) / 1000 });
    process.stderr.write(`run ${i + 1}: "started" logged ${runs.at(-1)!.startedMs.toFixed(0)} ms after spawn, first frame at host B ${runs.at(-1)!.firstFrameMs.toFixed(0)} ms after spawn\n`);
  }
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const out = {
    cli: bundle ? 'bundle (dist/goose-bridge.mjs)' : 'sources through tsx (no bundle: run npm run bundle)',
    runs: runs.length,
    started_median_ms: Math.round(median(runs.map((r) => r.startedMs))),
    first_frame_median_ms: Math.round(median(runs.map((r) => r.firstFrameMs))),
    first_frame_max_ms: Math.round(Math.max(...runs.map((r) => r.firstFrameMs))),
    application_survived: stream.running,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  await stream.stop(1000);
} finally {
  await topo.destroy();
}
