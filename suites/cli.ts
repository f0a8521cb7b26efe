// `npm run suite:<name> -- …` → `tsx suites/cli.ts <name> …`. Parses arguments, calls the suite
// library, writes tables to stderr and the output folder to stdout (with --json: one JSON object).
// Every suite also writes summary.md and report.html into its folder. Exit codes (one table:
// EXIT below): 0 done, 1 regression (compare) or a suite failed (all), 2 could not run.
import { realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { defaultOutDir } from './report/csv.js';
import { createProgress, type Progress } from './report/progress.js';
import { ALL_SUITES, parsePaths, PATH_NAMES } from './suite-context.js';
import { isRoot } from '../testkit/preconditions.js';
import { register as registerIgmp } from './igmp/cli.js';
import { register as registerDemo } from './demo/cli.js';
import { applyCliConventions } from '../bridge/cli/cli-conventions.js';
import { loadAverage } from './report/run-meta.js';

const num = (name: string, min: number, max: number, integer = false) => (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new InvalidArgumentError(`${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got "${v}"`);
  }
  return n;
};
const numList = (name: string, min: number, max: number, integer = false) => (v: string): number[] =>
  v.split(',').map((s) => num(name, min, max, integer)(s.trim()));

/** The exit codes CI reads. */
export const EXIT = { ok: 0, regression: 1, couldNotRun: 2 } as const;

const STARTED = new Date();
const START_LOAD = loadAverage();

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function common(cmd: Command): Command {
  return cmd
    .option('--out <dir>', 'output folder (default: reports/<UTC timestamp>/)')
    .option('--paths <list>', `paths to measure, comma-separated (${PATH_NAMES.join(', ')})`, 'bridge,vxlan')
    .addOption(new Option('--scale <n>', 'topology time scale for IGMP timers (1..120)').default(60).argParser(num('--scale', 1, 120)))
    .addOption(new Option('--uplink-gso <on|off>', 'off: the hosts\' uplinks cannot carry UDP GSO runs (as a NIC without segmentation offload, e.g. AWS ENA), so the bridge\'s runs leave as separate datagrams').choices(['on', 'off']).default('on'))
    .option('--json', 'print the result as one JSON object on stdout (tables stay on stderr)', false);
}

interface CommonOpts {
  out?: string;
  paths: string;
  scale: number;
  uplinkGso: 'on' | 'off';
  json: boolean;
}

/** Runs a suite under a progress line on stderr, then writes its table there. */
async function withProgress<R extends { table: string }>(title: string, steps: number, plannedS: number | undefined, run: (progress: Progress) => Promise<R>): Promise<R> {
  const progress = createProgress(title, steps, process.stderr, plannedS);
  const r = await run(progress);
  progress.done();
  process.stderr.write(r.table);
  return r;
}

/** After a suite: summary.md and report.html in its folder, then the folder (or JSON) on stdout. */
async function finish(out: string, json: boolean, result: Record<string, unknown>): Promise<void> {
  const { writeReportFolder } = await import('./report/report-folder.js');
  const { runMeta } = await import('./report/run-meta.js');
  const r = await writeReportFolder(out, runMeta(STARTED, START_LOAD, process.argv, out));
  const files = [...((result.files as string[] | undefined) ?? []), ...r.files];
  process.stdout.write(json ? `${JSON.stringify({ out, ...result, files })}\n` : `${out}\n`);
}

/** A condition the user can fix (not root, bad combination): message only, no stack. */
class SuiteUsageError extends Error {}

function resolveCommon(o: CommonOpts): { out: string; paths: ReturnType<typeof parsePaths>; scale: number; uplinkGso: boolean; log: typeof log } {
  if (!isRoot()) throw new SuiteUsageError('the suites build network namespaces and need root (CAP_NET_ADMIN)');
  let paths: ReturnType<typeof parsePaths>;
  try {
    paths = parsePaths(o.paths);
  } catch (err) {
    throw new SuiteUsageError((err as Error).message);
  }
  return { out: o.out ?? defaultOutDir(), paths, scale: o.scale, uplinkGso: o.uplinkGso === 'on', log };
}

export const program = new Command('suites')
  .description('goose-bridge benchmark and validation suites (network namespaces + Linux bridge as TGW stand-in; kernel VXLAN as baseline)')
  .exitOverride();

common(
  program
    .command('latency')
    .description('one-way latency publisher → subscriber through two bridges and through kernel VXLAN: actual and scheduled send → receive, generator lag, per-slice percentiles')
    .addOption(new Option('--duration <s>', 'seconds per path').default(10).argParser(num('--duration', 1, 3600)))
    .addOption(new Option('--rate <fps>', 'frames per second (fixed rate)').default(1000).argParser(num('--rate', 1, 1_000_000)))
    .addOption(new Option('--publishers <n>', 'publishers (streams) sharing the rate').default(1).argParser(num('--publishers', 1, 512, true)))
    .addOption(new Option('--size <bytes>', 'Ethernet frame size').default(200).argParser(num('--size', 150, 8000, true)))
    .addOption(new Option('--warmup <s>', 'unrecorded traffic per path before the measurement').default(2).argParser(num('--warmup', 0, 600)))
    .addOption(new Option('--rounds <n>', 'paths measured in this many interleaved slices each (≥ 10: report:compare tests the per-slice ratios)').default(20).argParser(num('--rounds', 10, 1000, true))),
).action(async (o: CommonOpts & { duration: number; rate: number; publishers: number; size: number; warmup: number; rounds: number }) => {
  const c = resolveCommon(o);
  const { runLatencySuite, slicesFor, MIN_SLICE_S } = await import('./latency-suite.js');
  // Fewer slices than rounds would leave report:compare's slice rules "missing" later: refuse now.
  if (slicesFor(o.duration, o.rounds) < o.rounds) {
    throw new SuiteUsageError(`--duration ${o.duration} holds only ${slicesFor(o.duration, o.rounds)} slice(s) of ≥ ${MIN_SLICE_S} s per path, fewer than --rounds ${o.rounds}: use --duration ≥ ${o.rounds * MIN_SLICE_S} or fewer --rounds`);
  }
  const r = await withProgress('latency', 1 + c.paths.length * o.rounds, c.paths.length * (o.duration + o.warmup + 10) + o.duration, (progress) =>
    runLatencySuite({ ...c, durationS: o.duration, rateFps: o.rate, publishers: o.publishers, sizeBytes: o.size, warmupS: o.warmup, rounds: o.rounds, progress }),
  );
  await finish(c.out, o.json, { rows: r.rows, slices: r.slices, files: r.files });
});

common(
  program
    .command('throughput')
    .description('highest zero-loss rate per frame size and path (RFC 2544 binary search), with each bridge process’s CPU % and peak RSS')
    .addOption(new Option('--sizes <list>', 'frame sizes, bytes').default([200, 1500]).argParser(numList('--sizes', 150, 8000, true)))
    .addOption(new Option('--trial <s>', 'seconds per trial (≥ 10: shorter trials overstate rates)').default(10).argParser(num('--trial', 10, 600)))
    .addOption(new Option('--max-rate <fps>', 'ceiling of the search').default(400_000).argParser(num('--max-rate', 100, 10_000_000)))
    .addOption(new Option('--min-rate <fps>', 'floor of the search').default(1_000).argParser(num('--min-rate', 1, 10_000_000)))
    .addOption(new Option('--resolution <fraction>', 'stop when the pass/fail interval is narrower than this').default(0.05).argParser(num('--resolution', 0.001, 0.5)))
    .addOption(new Option('--max-trials <n>', 'trials per size and path').default(8).argParser(num('--max-trials', 1, 50, true))),
).action(async (o: CommonOpts & { sizes: number[]; trial: number; maxRate: number; minRate: number; resolution: number; maxTrials: number }) => {
  const c = resolveCommon(o);
  const { runThroughputSuite, QUIET_WINDOW_S } = await import('./throughput-suite.js');
  const trials = c.paths.length * o.sizes.length * o.maxTrials;
  const r = await withProgress('throughput', trials, trials * (o.trial + 8) + o.sizes.length * o.maxTrials * QUIET_WINDOW_S, (progress) =>
    runThroughputSuite({ ...c, sizes: o.sizes, trialS: o.trial, maxFps: o.maxRate, minFps: o.minRate, resolution: o.resolution, maxTrials: o.maxTrials, progress }),
  );
  await finish(c.out, o.json, { rows: r.rows, trials: r.trials, files: r.files });
});

common(
  program
    .command('loss')
    .description('random loss injected on the stand-in (nftables numgen): injected vs measured, WAN-gap counters, state changes delivered within 4 ms/10 ms/100 ms/1 s vs the prediction from the injected loss and the measured per-frame delays')
    .addOption(new Option('--loss <list>', 'loss rates, percent').default([1, 5, 20]).argParser(numList('--loss', 0, 100)))
    .addOption(new Option('--duration <s>', 'seconds per loss rate and path').default(20).argParser(num('--duration', 3, 3600)))
    .addOption(new Option('--publishers <n>', 'GOOSE publishers').default(20).argParser(num('--publishers', 1, 512, true)))
    .addOption(new Option('--event-interval <ms>', 'mean time between state changes of one publisher').default(1500).argParser(num('--event-interval', 1100, 60_000))),
).action(async (o: CommonOpts & { loss: number[]; duration: number; publishers: number; eventInterval: number }) => {
  const c = resolveCommon(o);
  const { runLossSuite } = await import('./loss-suite.js');
  const runs = c.paths.length * o.loss.length;
  const r = await withProgress('loss', runs, runs * (o.duration + 6), (progress) =>
    runLossSuite({ ...c, lossPercents: o.loss, durationS: o.duration, publishers: o.publishers, eventIntervalMs: o.eventInterval, progress }),
  );
  await finish(c.out, o.json, { rows: r.rows, files: r.files });
});

common(
  program
    .command('sv')
    .description('IEC 61850-9-2LE Sampled Values: N merging units at 4000 samples/s through the bridge pair (--enable-sv) and kernel VXLAN: loss, latency and jitter per path → sv.csv')
    .addOption(new Option('--streams <n>', 'merging units (streams) at 4000 samples/s each').default(24).argParser(num('--streams', 1, 512, true)))
    .addOption(new Option('--duration <s>', 'seconds of SV per path').default(60).argParser(num('--duration', 2, 3600)))
    .addOption(new Option('--rounds <n>', 'paths measured in this many alternating slices each').default(2).argParser(num('--rounds', 1, 100, true)))
    .addOption(new Option('--rt-priority <n>', 'SV publisher and subscriber under SCHED_FIFO at this priority (0, the default: normal priority like the paths, so the instruments cannot starve the path they measure)').default(0).argParser(num('--rt-priority', 0, 99, true))),
).action(async (o: CommonOpts & { streams: number; duration: number; rounds: number; rtPriority: number }) => {
  const c = resolveCommon(o);
  const { runSvSuite, svPathNames } = await import('./sv-suite.js');
  await withProgress('sv', 1 + svPathNames(c.paths).measured.length * o.rounds, undefined, (progress) => runSvSuite({ ...c, streams: o.streams, durationS: o.duration, rounds: o.rounds, rtPriority: o.rtPriority, progress }));
  process.stdout.write(`${c.out}\n`);
});

common(
  program
    .command('all')
    .description('latency, throughput, loss and igmp with short defaults (≤ 5 min): CSVs, summary.md and a self-contained report.html in one folder')
    .option('--smoke', 'shorter still (CI: ≤ 3 min; throughput trials of 1.5 s overstate rates)', false)
    .option('--suites <list>', `suites to run, comma-separated (${ALL_SUITES.join(', ')})`, ALL_SUITES.join(','))
    // Test hook: makes the named suite fail at its start, to prove a failed suite fails the run.
    .addOption(new Option('--inject-failure <suite>').choices(ALL_SUITES).hideHelp()),
).action(async (o: CommonOpts & { smoke: boolean; suites: string; injectFailure?: (typeof ALL_SUITES)[number] }) => {
  const c = resolveCommon(o);
  const suites = o.suites.split(',').map((s) => s.trim());
  for (const s of suites) if (!(ALL_SUITES as readonly string[]).includes(s)) throw new SuiteUsageError(`--suites: "${s}" is not one of ${ALL_SUITES.join(', ')}`);
  const { runAllSuites } = await import('./all-suites.js');
  const { runMeta } = await import('./report/run-meta.js');
  const r = await runAllSuites({ ...c, smoke: o.smoke, suites: suites as never, injectFailure: o.injectFailure, meta: runMeta(STARTED, START_LOAD, process.argv, c.out) });
  process.stderr.write(r.summary);
  if (r.failed.length > 0) {
    process.stderr.write(`suite(s) failed: ${r.failed.map((f) => `${f.suite} (${f.error})`).join('; ')}\n`);
    process.exitCode = EXIT.regression;
  }
  process.stdout.write(o.json ? `${JSON.stringify({ out: c.out, failed: r.failed, files: r.files })}\n` : `${c.out}\n`);
});

program
  .command('compare')
  .description('compare a report folder against a baseline: per-slice latency ratios (Wilcoxon), loss and delivery (exact binomial), counts and rates (thresholds); each rule states its false-alarm rate; exit 1 on regression, 2 if it could not run')
  .argument('<baseline-dir>', 'folder with the baseline CSVs (e.g. fixtures/baselines/smoke)')
  .argument('<current-dir>', 'folder with the current CSVs')
  .option('--tolerances <file>', 'tolerance file (JSON; its "description" and each rule’s "why" document it)', 'fixtures/baselines/tolerances.json')
  .option('--junit <file>', 'also write JUnit XML, one test case per rule and key (default: <current-dir>/compare-junit.xml)')
  .option('--json', 'print the findings as one JSON object on stdout', false)
  .action(async (baseline: string, current: string, o: { tolerances: string; junit?: string; json: boolean }) => {
    const { compareReports, loadTolerances } = await import('./compare/compare.js');
    const { junitXml } = await import('./compare/junit.js');
    const { COMPARE_FILE, writeReportFolder } = await import('./report/report-folder.js');
    let r: ReturnType<typeof compareReports>;
    try {
      r = compareReports(baseline, current, loadTolerances(o.tolerances));
    } catch (err) {
      throw new SuiteUsageError((err as Error).message);
    }
    for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
    process.stderr.write(r.table);
    writeFileSync(o.junit ?? join(current, 'compare-junit.xml'), junitXml(r.findings));
    writeFileSync(join(current, COMPARE_FILE), `${JSON.stringify({ baseline, tolerances: o.tolerances, regressions: r.regressions, warnings: r.warnings, findings: r.findings }, null, 2)}\n`);
    // The folder's report.html gains the coloured verdicts (its header comes from meta.json).
    await writeReportFolder(current, {});
    if (o.json) process.stdout.write(`${JSON.stringify({ regressions: r.regressions, warnings: r.warnings, findings: r.findings })}\n`);
    if (r.regressions > 0) {
      process.stderr.write(`${r.regressions} rule(s) failed (regressed, figure missing, or derived rows contradicting the raw rows)\n`);
      process.exitCode = EXIT.regression;
    }
  });

program
  .command('report')
  .description('(re)write summary.md and report.html of a folder of suite CSVs')
  .argument('<dir>', 'report folder')
  .action(async (dir: string) => {
    const { writeReportFolder } = await import('./report/report-folder.js');
    const r = await writeReportFolder(dir, { rendered: new Date().toISOString() });
    process.stderr.write(r.summary);
    process.stdout.write(`${r.files.join('\n')}\n`);
  });

// The IGMP suite and the demo register their own commands and options.
registerIgmp(program);
registerDemo(program);
applyCliConventions(program);

// Imported (by the docs generator), this module only defines the commands.
const isEntry = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === realpathSync(process.argv[1]);

try {
  if (isEntry) await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 1 ? EXIT.couldNotRun : err.exitCode;
  } else if (err instanceof SuiteUsageError) {
    process.stderr.write(`suites: ${err.message}\n`);
    process.exitCode = EXIT.couldNotRun;
  } else {
    // A suite or the comparison crashed: it could not run, which is not a measured regression.
    process.stderr.write(`suites: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = EXIT.couldNotRun;
  }
}
