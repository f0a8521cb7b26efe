// `suite:all`: every suite with short defaults (≤ 5 min; --smoke ≤ 3 min for CI) on one shared
// topology, CSVs in one folder, then summary.md and report.html. A suite that fails does not stop
// the others; it is named in the report and in the result, and the CLI exits non-zero.
import { Topology } from '../testkit/topology/index.js';
import { runLatencySuite } from './latency-suite.js';
import { QUIET_WINDOW_S, runThroughputSuite } from './throughput-suite.js';
import { runLossSuite } from './loss-suite.js';
import { runSvSuite } from './sv-suite.js';
import { writeReportFolder, type ExtraSection } from './report/report-folder.js';
import { createProgress } from './report/progress.js';
import { loadAverage } from './report/run-meta.js';
import { ALL_SUITES, SUITE_MTU, type SuiteCommon, type SuiteName } from './suite-context.js';
import { igmpAllPlan, runIgmpForAll } from './igmp/all-hook.js';
import { estimateSuiteSeconds } from './igmp/index.js';


export interface AllOptions extends Omit<SuiteCommon, 'topology'> {
  smoke: boolean;
  /** Which suites to run (default: all four). */
  suites?: readonly SuiteName[];
  /** Test hook: this suite throws at its start, as a crashed suite would. */
  injectFailure?: SuiteName;
  meta?: Record<string, string>;
}

export interface SuiteFailure {
  suite: SuiteName;
  error: string;
}

/** Short defaults: the figures are indicative; the dedicated commands take longer, better ones. */
export function allPlan(smoke: boolean) {
  return smoke
    ? {
        // 16 slices per path (7 is the fewest with which the slice test can reject at α = 0.01;
        // 16 give it the power to see a 2× regression through this machine's slice-to-slice spread).
        latency: { durationS: 4, rateFps: 1000, publishers: 1, sizeBytes: 200, warmupS: 1, rounds: 16 },
        // Short trials (CI smoke): they overstate rates; suite:throughput uses ≥ 10 s. Starting at
        // 300k (below the native generator's ~350k ceiling) leaves VXLAN's figure uncapped; six
        // trials reach down to ~15k frames/s, so a starved machine still yields a loss-free figure.
        throughput: { sizes: [200], trialS: 1.5, minFps: 5_000, maxFps: 300_000, resolution: 0.1, maxTrials: 6 },
        loss: { lossPercents: [5, 20], durationS: 6, publishers: 20, eventIntervalMs: 1500 },
        sv: { streams: 4, durationS: 3, rounds: 1, rtPriority: 0 },
      }
    : {
        latency: { durationS: 6, rateFps: 1000, publishers: 1, sizeBytes: 200, warmupS: 2, rounds: 20 },
        throughput: { sizes: [200, 1500], trialS: 2, minFps: 5_000, maxFps: 300_000, resolution: 0.05, maxTrials: 4 },
        loss: { lossPercents: [1, 5, 20], durationS: 8, publishers: 20, eventIntervalMs: 1500 },
        sv: { streams: 24, durationS: 10, rounds: 2, rtPriority: 0 },
      };
}

/** Seconds the plan's traffic takes (set-up excluded): the progress bar's ETA from the start. */
export function plannedSeconds(smoke: boolean, paths: number, suites: readonly SuiteName[] = ALL_SUITES): number {
  const p = allPlan(smoke);
  const per: Record<SuiteName, number> = {
    // Each path's slices and one quiet window (no traffic) per round as long as a slice.
    latency: paths * (p.latency.durationS + p.latency.warmupS + 10) + p.latency.durationS,
    throughput: p.throughput.sizes.length * p.throughput.maxTrials * (paths * (p.throughput.trialS + 8) + QUIET_WINDOW_S),
    // Each loss rate per path, and the path-failure scenario (two WAN paths) once.
    loss: (paths * p.loss.lossPercents.length + 1) * (p.loss.durationS + 6),
    sv: paths * p.sv.rounds * (p.sv.durationS + 8),
    igmp: estimateSuiteSeconds(igmpAllPlan(smoke)),
  };
  return Math.round(suites.reduce((a, s) => a + per[s], 0));
}

export async function runAllSuites(o: AllOptions): Promise<{ summary: string; files: string[]; failed: SuiteFailure[] }> {
  const plan = allPlan(o.smoke);
  const suites = o.suites ?? ALL_SUITES;
  const failed: SuiteFailure[] = [];
  const extra: ExtraSection[] = [];
  const run = async (name: SuiteName, fn: () => Promise<void>): Promise<void> => {
    if (!suites.includes(name)) return;
    try {
      if (o.injectFailure === name) throw new Error(`injected failure (--inject-failure ${name})`);
      await fn();
    } catch (err) {
      const error = (err as Error).message;
      failed.push({ suite: name, error });
      o.log(`${name} suite FAILED: ${error}`);
    }
  };
  const steps = o.paths.length * (plan.latency.rounds + plan.throughput.sizes.length * plan.throughput.maxTrials + plan.loss.lossPercents.length + plan.sv.rounds) + 1;
  const progress = createProgress('all', 1 + steps, process.stderr, plannedSeconds(o.smoke, o.paths.length, suites));
  const dataPlane = suites.some((s) => s !== 'igmp');
  const topo = dataPlane ? await Topology.create({ hosts: 2, scale: o.scale, mtu: SUITE_MTU, uplinkGso: o.uplinkGso, log: o.log }) : null;
  try {
    const c = { ...o, topology: topo ?? undefined };
    await run('latency', async () => void process.stderr.write((await runLatencySuite({ ...c, ...plan.latency, progress })).table));
    await run('throughput', async () => void process.stderr.write((await runThroughputSuite({ ...c, ...plan.throughput, progress })).table));
    await run('loss', async () => void process.stderr.write((await runLossSuite({ ...c, ...plan.loss, progress })).table));
    await run('sv', async () => void process.stderr.write((await runSvSuite({ ...c, ...plan.sv, progress })).table));
  } finally {
    await topo?.destroy();
  }
  await run('igmp', async () => {
    extra.push(await runIgmpForAll({ out: o.out, scale: o.scale, smoke: o.smoke, log: o.log }));
  });
  progress.done();
  const r = await writeReportFolder(o.out, { ...o.meta, finished: new Date().toISOString(), load_avg_end: loadAverage(), uplink_gso: o.uplinkGso === false ? 'off' : 'on', mode: o.smoke ? 'smoke (suite:all --smoke)' : 'suite:all', paths: o.paths.join(', '), suites: suites.join(', ') }, extra, failed);
  return { ...r, failed };
}
