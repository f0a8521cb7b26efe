// `npm run bench:gate-power -- [--runs 10] [--unchanged 20] [--suites …] [--out DIR]` (root): the
// CI gate's measured power. Runs the CI smoke (suite:all --smoke) again and again, unchanged and
// with the data plane slowed by a known amount through the gate-calibration test knob
// (native/src/engine/calibration.h: +25 % p50, +50 % p99, −20 % throughput, sized from the
// baseline's bridge figures), the perturbations interleaved run by run; compares each run with the
// baseline under CI's tolerances, as .ci/run does; writes gate-power.csv (one row per run, written
// as it goes) and gate-power.md (runs, hits, false alarms, the effect the knob really had) for
// docs/suites.md. Needs a quiet machine for figures worth publishing: the table says what the
// load average was. `--replay DIR` judges the runs an earlier measurement kept in DIR again under
// other tolerances (the gate is a function of the two folders and the rules), so tolerances can
// be chosen from one set of runs: it writes gate-power-replay.md there.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compareReports, loadTolerances, FAILING, type ToleranceFile } from '../../suites/compare/compare.js';
import { readCsv, toCsv, type Row } from '../../suites/report/csv.js';
import { loadAverage, readMeta } from '../../suites/report/run-meta.js';
import { renderMarkdownTable } from '../../suites/report/table.js';
import { knobEnv, PERTURBATIONS, powerTable, runOrder, suiteOfFile, suitesFor, type BridgeFigures, type Perturbation, type PowerRun } from './gate-power-plan.js';

const REPO = new URL('../../', import.meta.url).pathname;
const COLUMNS = ['perturbation', 'run', 'knob', 'suite_failed', 'gate_failed', 'failed_rules', 'bridge_p50_us', 'bridge_p99_us', 'bridge_rate_fps', 'load_avg'] as const;

const num = (v: unknown): number | null => (v === undefined || v === null || v === '' || !Number.isFinite(Number(v)) ? null : Number(v));

function bridgeFigures(dir: string): { p50Us: number | null; p99Us: number | null; rateFps: number | null } {
  const rows = (file: string): Row[] => (existsSync(join(dir, file)) ? readCsv(join(dir, file)) : []);
  const lat = rows('latency.csv').find((r) => r.path === 'bridge');
  const tp = rows('throughput.csv').find((r) => r.path === 'bridge');
  return { p50Us: num(lat?.latency_p50_us), p99Us: num(lat?.latency_p99_us), rateFps: num(tp?.rate_fps) };
}

/** CI's rules for the suites this measurement runs (a rule on a suite not run would only say "missing"). */
function rulesFor(t: ToleranceFile, suites: readonly string[]): ToleranceFile {
  return { ...t, rules: t.rules.filter((r) => suites.includes(suiteOfFile(r.file))) };
}

function runSmoke(out: string, suites: readonly string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'suites/cli.ts', 'all', '--smoke', '--suites', suites.join(','), '--out', out], {
      cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('exit', (code) => resolve(code ?? 2));
  });
}

const runDir = (out: string, p: Perturbation, run: number): string => join(out, `${p.replace(/[^a-z0-9]+/gi, '_')}-${run}`);

/** The rules the gate failed on a run's folder (and the suites' own failure). */
function judge(baseline: string, dir: string, rules: ToleranceFile, exit: number): string[] {
  const gate = compareReports(baseline, dir, rules);
  const failed = gate.findings.filter((f) => FAILING.includes(f.status)).map((f) => (f.kind === 'derived' ? `${f.rule}[${f.key}]` : f.rule).replace(/ /g, '_'));
  if (exit !== 0) failed.push(`suite:all-exit-${exit}`);
  return [...new Set(failed)];
}

function table(title: string, lines: string[], done: readonly PowerRun[]): string {
  const columns = ['perturbation', 'runs', 'suite_failures', 'hits', 'hits_by_intended_rule', 'false_alarms', 'measured_effect', 'rules_that_failed'];
  return [title, '', ...lines, '', renderMarkdownTable(columns, powerTable(done))].join('\n');
}

/** --replay: every run kept in `out` judged again under `tolerances`. */
function replay(out: string, baseline: string, tolerances: string, suites: readonly string[]): void {
  const rules = loadTolerances(tolerances);
  const done = readCsv(join(out, 'gate-power.csv')).map((r): PowerRun => {
    const perturbation = r.perturbation as Perturbation;
    const run = Number(r.run);
    const exit = r.suite_failed === 'true' ? 1 : 0;
    const failed = judge(baseline, runDir(out, perturbation, run), rulesFor(rules, suitesFor(perturbation, suites)), exit);
    return { ...(r as unknown as PowerRun), perturbation, run, suite_failed: exit !== 0, gate_failed: failed.length > 0, failed_rules: failed.join(' '), bridge_p50_us: num(r.bridge_p50_us), bridge_p99_us: num(r.bridge_p99_us), bridge_rate_fps: num(r.bridge_rate_fps) };
  });
  const md = table(`# Gate power replayed: ${tolerances} against ${baseline}`, [`- the ${done.length} runs kept in ${out}, judged again`], done);
  writeFileSync(join(out, 'gate-power-replay.md'), `${md}\n`);
  process.stdout.write(`${md}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '10' },
      unchanged: { type: 'string', default: '20' },
      suites: { type: 'string', default: 'latency,throughput,loss,sv,igmp' },
      baseline: { type: 'string', default: 'fixtures/baselines/smoke' },
      tolerances: { type: 'string', default: 'fixtures/baselines/tolerances-ci.json' },
      perturbations: { type: 'string', default: PERTURBATIONS.join(',') },
      out: { type: 'string', default: join('reports', `gate-power-${new Date().toISOString().replace(/[:.]/g, '-')}`) },
      replay: { type: 'string' },
    },
  });
  const suites = values.suites.split(',').map((s) => s.trim());
  if (values.replay !== undefined) return replay(values.replay, values.baseline, values.tolerances, suites);
  const runs = Number(values.runs);
  const unchanged = Number(values.unchanged);
  if (!Number.isInteger(runs) || runs < 0 || !Number.isInteger(unchanged) || unchanged < 0) throw new Error(`--runs and --unchanged must be integers ≥ 0, got ${values.runs}, ${values.unchanged}`);
  const chosen = values.perturbations.split(',').map((s) => s.trim());
  for (const p of chosen) if (!(PERTURBATIONS as readonly string[]).includes(p)) throw new Error(`--perturbations: "${p}" is not one of ${PERTURBATIONS.join(', ')}`);
  const allRules = loadTolerances(values.tolerances);
  const b = bridgeFigures(values.baseline);
  if (b.p50Us === null || b.p99Us === null || b.rateFps === null) throw new Error(`${values.baseline}: needs the bridge's latency_p50_us, latency_p99_us (latency.csv) and rate_fps (throughput.csv) to size the knob`);
  const figures: BridgeFigures = { p50Us: b.p50Us, p99Us: b.p99Us, rateFps: b.rateFps };
  const counts = Object.fromEntries(chosen.map((p) => [p, p === 'none' ? unchanged : runs])) as Partial<Record<Perturbation, number>>;
  mkdirSync(values.out, { recursive: true });
  const csv = join(values.out, 'gate-power.csv');
  writeFileSync(csv, toCsv(COLUMNS, []));
  const startLoad = loadAverage();
  const done: PowerRun[] = [];
  const order = runOrder(counts);
  for (const [i, { perturbation, run }] of order.entries()) {
    const env = knobEnv(perturbation, figures);
    const knob = Object.entries(env).filter(([k]) => k !== 'GB_TEST_KNOBS').map(([k, v]) => `${k.replace('GB_CALIBRATION_', '')}=${v}`).join(' ') || 'off';
    const dir = runDir(values.out, perturbation, run);
    const runSuites = suitesFor(perturbation, suites);
    process.stderr.write(`gate-power ${i + 1}/${order.length}: ${perturbation} run ${run} (${knob}; ${runSuites.join(',')}), load ${loadAverage()}\n`);
    const exit = await runSmoke(dir, runSuites, env);
    const failed = judge(values.baseline, dir, rulesFor(allRules, runSuites), exit);
    const f = bridgeFigures(dir);
    const row: PowerRun = {
      perturbation, run, knob, suite_failed: exit !== 0, gate_failed: failed.length > 0, failed_rules: failed.join(' '),
      bridge_p50_us: f.p50Us, bridge_p99_us: f.p99Us, bridge_rate_fps: f.rateFps, load_avg: readMeta(dir).load_avg_end ?? loadAverage(),
    };
    done.push(row);
    appendFileSync(csv, toCsv(COLUMNS, [{ ...row }]).split('\n').slice(1).join('\n'));
  }
  const meta = readMeta(runDir(values.out, order[0]?.perturbation ?? 'none', 1));
  const md = table(`# Gate power: ${values.tolerances} against ${values.baseline}`, [
    `- suites: ${suites.join(', ')} (suite:all --smoke), ${runs} run(s) per perturbation, ${unchanged} unchanged, interleaved`,
    `- knob sized from the baseline's bridge: p50 ${figures.p50Us} µs, p99 ${figures.p99Us} µs, loss-free rate ${figures.rateFps} frames/s`,
    `- machine: ${meta.cpus ?? '?'} CPU(s) ${meta.cpu_model ?? '?'}, kernel ${meta.kernel ?? '?'}; commit ${meta.commit ?? '?'}`,
    `- load average (1/5/15) at the start ${startLoad}, at the end ${loadAverage()}`,
  ], done);
  writeFileSync(join(values.out, 'gate-power.md'), `${md}\n`);
  process.stdout.write(`${md}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`gate-power: ${err.message}\n`);
  process.exitCode = 2;
});
