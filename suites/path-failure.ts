// suite:loss, the WAN path-failure scenario: the bridges run with two WAN paths (the stand-in and a
// second bridge, topology/second-path.ts); GOOSE publishers run for the duration while the sender's
// first path is cut at one third and restored at two thirds. What PRP over IP must show: nothing
// lost, nothing delivered twice, the cut path's missing frames and both paths' skew counted.
import { readFileSync } from 'node:fs';
import type { Row } from './report/csv.js';
import { BridgePath } from './paths/bridge-path.js';
import { addSecondPath, setFirstPath, sleep, type Topology } from '../testkit/topology/index.js';
import { runFlow, type GooseSenderResult } from './traffic/flow.js';
import type { StatsSnapshot } from '../bridge/daemon/bridge-counters.js';

export const PATH_FAILURE_COLUMNS = [
  'scenario', 'path', 'duration_s', 'cut_at_s', 'restored_at_s', 'sent', 'received', 'lost', 'delivered_twice',
  'path1_datagrams_received', 'path2_datagrams_received', 'path1_missing_frames', 'path2_missing_frames',
  'path1_redundant_copies', 'path2_redundant_copies', 'path1_skew_ewma_us', 'path2_skew_ewma_us', 'path1_skew_max_us', 'path2_skew_max_us',
] as const;

export interface PathFailureOptions {
  durationS: number;
  publishers: number;
  eventIntervalMs: number;
  sizeBytes: number;
  log: (line: string) => void;
}

export async function runPathFailure(topo: Topology, o: PathFailureOptions): Promise<Row> {
  await addSecondPath(topo);
  const path = new BridgePath({ topology: topo, secondPath: true });
  const [cutS, restoreS] = [o.durationS / 3, (2 * o.durationS) / 3];
  let stopped = false;
  let schedule: Promise<void> = Promise.resolve();
  const written = (): number => {
    try {
      return (JSON.parse(readFileSync(path.statsFile(2), 'utf8')) as StatsSnapshot).from_wan.frames_written;
    } catch {
      return 0;
    }
  };
  // Timed from the first frames the receiving bridge writes: the sender tool takes seconds to start on a busy host.
  const cutAndRestore = async (): Promise<void> => {
    const before = written();
    while (!stopped && written() === before) await sleep(50);
    const startMs = Date.now() - 500; // the stats file is written every 0.5 s
    await sleep(Math.max(0, startMs + cutS * 1000 - Date.now()));
    if (!stopped) await setFirstPath(topo, topo.host(1), false);
    await sleep(Math.max(0, startMs + restoreS * 1000 - Date.now()));
    await setFirstPath(topo, topo.host(1), true);
  };
  try {
    await path.start();
    const r = await runFlow<GooseSenderResult>({
      topology: topo,
      ifname: path.ifname,
      from: 1,
      to: [2],
      size: o.sizeBytes,
      sender: { mode: 'send-goose', duration: o.durationS, publishers: o.publishers, eventIntervalMs: o.eventIntervalMs, t1Ms: 2, t0Ms: 1000, windowMs: 1100, seed: 7 },
      beforeSend: async () => {
        schedule = cutAndRestore();
      },
      settleMs: 600,
    });
    await schedule;
    await sleep(1200); // the stats file written after the last frame
    const paths = (JSON.parse(readFileSync(path.statsFile(2), 'utf8')) as StatsSnapshot).redundancy?.paths ?? [];
    const rx = r.receivers.get(2)!;
    const at = (i: number, k: 'datagrams_received' | 'missing_frames' | 'redundant_copies' | 'skew_ewma_us' | 'skew_max_us'): number | null => paths[i]?.[k] ?? null;
    const row: Row = {
      scenario: 'path-cut-restore', path: 'bridge-2-paths', duration_s: o.durationS, cut_at_s: Math.round(cutS * 10) / 10, restored_at_s: Math.round(restoreS * 10) / 10,
      sent: r.sender.sent, received: rx.distinct, lost: r.sender.sent - rx.distinct, delivered_twice: rx.duplicates,
    };
    for (const k of ['datagrams_received', 'missing_frames', 'redundant_copies', 'skew_ewma_us', 'skew_max_us'] as const) {
      row[`path1_${k}`] = at(0, k);
      row[`path2_${k}`] = at(1, k);
    }
    o.log(`path failure: sent ${row.sent}, received ${row.received}, twice ${row.delivered_twice}, path 1 missed ${row.path1_missing_frames}, path 2 missed ${row.path2_missing_frames}`);
    return row;
  } finally {
    stopped = true;
    await schedule.catch(() => undefined);
    await setFirstPath(topo, topo.host(1), true);
    await path.stop();
    path.dispose();
  }
}
