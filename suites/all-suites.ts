// `suite:all`: every suite with short defaults (≤ 5 min; --smoke ≤ 3 min for CI) on one shared
// topology, CSVs in one folder, then summary.md and report.html.
import { cpus, hostname } from 'node:os';
import { Topology } from './topology/index.js';
import { runLatencySuite } from './latency-suite.js';
import { runThroughputSuite } from './throughput-suite.js';
import { runLossSuite } from './loss-suite.js';
import { runSvSuite } from './sv-suite.js';
import { writeReportFolder, type ExtraSection } from './report/report-folder.js';
import { createProgress } from './report/progress.js';
import { SUITE_MTU, type SuiteCommon } from './suite-context.js';
import { runIgmpForAll } from './igmp/all-hook.js';

export interface AllOptions extends Omit<SuiteCommon, 'topology'> {
  smoke: boolean;
}

/** Short defaults: the figures are indicative; the dedicated commands take longer, better ones. */
export function allPlan(smoke: boolean) {
  return smoke
    ? {
        latency: { durationS: 3, rateFps: 1000, publishers: 1, sizeBytes: 200, warmupS: 1, rounds: 3 },
        throughput: { sizes: [200], trialS: 1.5, minFps: 5_000, maxFps: 150_000, resolution: 0.1, maxTrials: 4 },
        loss: { lossPercents: [5, 20], durationS: 6, publishers: 20, eventIntervalMs: 1500 },
        sv: { streams: 4, durationS: 3, rounds: 1, rtPriority: 20 },
      }
    : {
        latency: { durationS: 6, rateFps: 1000, publishers: 1, sizeBytes: 200, warmupS: 2, rounds: 3 },
        throughput: { sizes: [200, 1500], trialS: 2, minFps: 5_000, maxFps: 150_000, resolution: 0.05, maxTrials: 4 },
        loss: { lossPercents: [1, 5, 20], durationS: 8, publishers: 20, eventIntervalMs: 1500 },
        sv: { streams: 24, durationS: 10, rounds: 2, rtPriority: 20 },
      };
}

export async function runAllSuites(o: AllOptions): Promise<{ summary: string; files: string[] }> {
  const plan = allPlan(o.smoke);
  const started = new Date();
  const topo = await Topology.create({ hosts: 2, scale: o.scale, mtu: SUITE_MTU, log: o.log });
  const extra: ExtraSection[] = [];
  try {
    const c = { ...o, topology: topo };
    const total =
      1 + o.paths.length * (plan.latency.rounds + plan.throughput.sizes.length * plan.throughput.maxTrials + plan.loss.lossPercents.length + plan.sv.rounds);
    const progress = createProgress('all', total);
    const lat = await runLatencySuite({ ...c, ...plan.latency, progress });
    process.stderr.write(lat.table);
    const thr = await runThroughputSuite({ ...c, ...plan.throughput, progress });
    process.stderr.write(thr.table);
    const loss = await runLossSuite({ ...c, ...plan.loss, progress });
    process.stderr.write(loss.table);
    const sv = await runSvSuite({ ...c, ...plan.sv, progress });
    process.stderr.write(sv.table);
    progress.done();
  } finally {
    await topo.destroy();
  }
  const igmp = await runIgmpForAll({ out: o.out, scale: o.scale, smoke: o.smoke, log: o.log });
  if (igmp) extra.push(igmp);
  return writeReportFolder(
    o.out,
    {
      started: started.toISOString(),
      finished: new Date().toISOString(),
      mode: o.smoke ? 'smoke (suite:all --smoke)' : 'suite:all',
      machine: `${hostname()}, ${cpus().length} CPU(s) ${cpus()[0]?.model ?? ''}`,
      node: process.version,
      paths: o.paths.join(', '),
    },
    extra,
  );
}
