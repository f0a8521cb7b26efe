// Turns a folder of suite CSVs into summary.md (tables + goals) and a self-contained report.html
// (Vega-Lite charts rendered to SVG here). Reads whatever CSVs are present, so it works on any
// subset of suites and can be re-run on an old folder.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsv, type Row } from './csv.js';
import { renderMarkdownTable } from './table.js';
import { renderSvg, latencyNinesSpec, throughputSpec, deliverySpec, sliceTimelineSpec, latencyCdfSpec, throughputTrialsSpec, lossIntervalSpec, type Datum } from './charts.js';
import { readMeta, writeMeta } from './run-meta.js';
import { renderHtmlReport, type ReportSection } from './html-report.js';
import { evaluateGoals, goalsMarkdown, gsoCaveat, metLabel } from './goals.js';
import { isRatioPath } from '../compare/derived.js';

function load(dir: string, file: string): Row[] {
  const p = join(dir, file);
  return existsSync(p) ? readCsv(p) : [];
}

function columnsOf(rows: readonly Row[]): string[] {
  return rows[0] ? Object.keys(rows[0]) : [];
}

/** Columns of latency.csv / loss.csv worth a table (the rest stay in the CSV). */
export const LATENCY_TABLE = ['path', 'rate_fps', 'frame_bytes', 'slices', 'sent', 'refused', 'received', 'lost', 'latency_p50_us', 'latency_p99_us', 'latency_p99_9_us', 'latency_max_us', 'latency_sched_p50_us', 'latency_sched_p99_us', 'latency_sched_p99_9_us', 'gen_lag_p99_us', 'gen_lag_max_us', 'tt_class_p99', 'tt_class_p99_9'];
export const LOSS_TABLE = ['path', 'loss_set_percent', 'sent', 'lost', 'injected_percent', 'measured_loss_percent', 'measured_ci95_low_percent', 'measured_ci95_high_percent', 'within_bounds', 'wan_gap_frames', 'states', 'delivered_4ms_fraction', 'predicted_4ms_fraction', 'delivered_10ms_fraction', 'predicted_10ms_fraction', 'delivered_100ms_fraction', 'predicted_100ms_fraction', 'delivered_1s_fraction', 'predicted_1s_fraction'];

/** Whether any measured row (ratio rows have no trial_s) ran trials shorter than 10 s. */
export function shortTrials(throughput: readonly Row[]): boolean {
  return throughput.some((r) => !isRatioPath(r.path) && r.trial_s !== '' && r.trial_s !== undefined && r.trial_s !== null && Number(r.trial_s) < 10);
}

export interface ExtraSection {
  title: string;
  markdown: string;
  section: ReportSection;
}

/** report:compare's verdicts, written beside the CSVs (compare.json) so the report shows them. */
export const COMPARE_FILE = 'compare.json';

function verdictSection(dir: string): { md: string; section: ReportSection } | null {
  const p = join(dir, COMPARE_FILE);
  if (!existsSync(p)) return null;
  const doc = JSON.parse(readFileSync(p, 'utf8')) as { baseline: string; tolerances: string; warnings?: string[]; findings: Row[] };
  const cols = ['rule', 'key', 'baseline', 'current', 'limit', 'p_value', 'false_alarm', 'status', 'detail'];
  const caption = `report:compare against ${doc.baseline} with ${doc.tolerances}`;
  const findings = doc.findings.map((f) => ({ ...f, status: f.status === 'unjudged' ? 'could not judge' : f.status }));
  const warnings = (doc.warnings ?? []).map((w) => `Warning: ${w}`);
  return {
    md: `## Regression gate\n\n${caption}\n\n${warnings.map((w) => `${w}\n\n`).join('')}${renderMarkdownTable(cols, findings)}\n`,
    section: { title: 'Regression gate', charts: [], notes: warnings, tables: [{ caption, columns: cols, rows: findings }] },
  };
}

export async function writeReportFolder(
  dir: string,
  runMeta: Record<string, string>,
  extra: ExtraSection[] = [],
  failed: ReadonlyArray<{ suite: string; error: string }> = [],
): Promise<{ summary: string; files: string[] }> {
  // The header of an earlier render (command, commit) survives a re-render of the folder.
  const meta = { ...readMeta(dir), ...runMeta };
  writeMeta(dir, meta);
  const latency = load(dir, 'latency.csv');
  const slices = load(dir, 'latency-slices.csv');
  const trials = load(dir, 'throughput-trials.csv');
  const curve = load(dir, 'latency-percentiles.csv');
  const throughput = load(dir, 'throughput.csv');
  const loss = load(dir, 'loss.csv');
  const resources = [...load(dir, 'resources-latency.csv'), ...load(dir, 'resources-throughput.csv')];
  const goals = evaluateGoals(latency, throughput, resources, load(dir, 'sv.csv'));

  let md = `# goose-bridge suite report\n\n${Object.entries(meta).map(([k, v]) => `- ${k}: ${v}`).join('\n')}\n\n`;
  const sections: ReportSection[] = [];
  if (failed.length) {
    md += `## Suites that FAILED\n\n${renderMarkdownTable(['suite', 'error'], failed.map((f) => ({ ...f })))}\n`;
    sections.push({ title: 'Suites that failed', charts: [], tables: [{ caption: 'these suites did not complete; their figures are missing', columns: ['suite', 'verdict', 'error'], rows: failed.map((f) => ({ ...f, verdict: 'FAILED' })) }] });
  }
  const verdicts = verdictSection(dir);
  if (verdicts) {
    md += verdicts.md;
    sections.push(verdicts.section);
  }
  const caveats = [
    ...(throughput.length ? [gsoCaveat(meta.uplink_gso)] : []),
    ...(meta.load_avg_start ? [`Load average (1/5/15 min) ${meta.load_avg_start} at the start, ${meta.load_avg_end ?? '?'} at the end, on ${meta.cpus ?? '?'} CPU(s): above the CPU count, the machine was shared and the figures are noisier.`] : []),
  ];
  md += `## Goals\n\n${goalsMarkdown(goals)}\n${caveats.map((c) => `${c}\n\n`).join('')}`;
  sections.push(
    { title: 'Goals', charts: [], notes: caveats, tables: [{ caption: 'Performance goals (a missed goal is reported with its figure; a figure that is only a bound: could not judge)', columns: ['goal', 'figure', 'met'], rows: goals.map((g) => ({ goal: g.goal, figure: g.figure, met: metLabel(g) })) }] },
  );
  if (latency.length) {
    md += `## Latency\n\n${renderMarkdownTable(LATENCY_TABLE, latency)}\n`;
    sections.push({
      title: 'Latency',
      charts: [
        ...(slices.length ? [await renderSvg(sliceTimelineSpec(slices as Datum[]))] : []),
        ...(curve.length ? [await renderSvg(latencyCdfSpec(curve as Datum[])), await renderSvg(latencyNinesSpec(curve.filter((c) => (c.kind ?? 'actual') === 'actual') as Datum[]))] : []),
      ],
      tables: [
        { caption: 'latency.csv', columns: columnsOf(latency), rows: latency },
        ...(slices.length ? [{ caption: 'latency-slices.csv (bridge/vxlan rows: per-round ratios, what report:compare tests)', columns: columnsOf(slices), rows: slices }] : []),
      ],
    });
  }
  if (throughput.length) {
    md += `## Throughput\n\n${renderMarkdownTable(columnsOf(throughput), throughput)}\n`;
    sections.push({
      title: 'Throughput',
      charts: [await renderSvg(throughputSpec(throughput as Datum[])), ...(trials.length ? [await renderSvg(throughputTrialsSpec(trials as Datum[]))] : [])],
      notes: shortTrials(throughput) ? ['Trials shorter than 10 s (smoke): buffers absorb a short overload, so these rates are overstated; suite:throughput runs ≥ 10 s trials.'] : [],
      tables: [
        { caption: 'throughput.csv (bound: ≥ when the search ceiling passed, so the figure is a lower bound)', columns: columnsOf(throughput), rows: throughput },
        ...(trials.length ? [{ caption: 'throughput-trials.csv', columns: columnsOf(trials), rows: trials }] : []),
      ],
    });
  }
  if (resources.length) {
    md += `## CPU and memory: forwarding processes and the whole machine\n\n${renderMarkdownTable(columnsOf(resources), resources)}\n`;
    sections.push({ title: 'CPU and memory', charts: [], tables: [{ caption: 'resources-*.csv (h1, h2: one process; machine: all CPUs over the path\'s own windows, cpu_ns_per_frame with its background_ns_per_frame; idle: the quiet windows)', columns: columnsOf(resources), rows: resources }] });
  }
  if (loss.length) {
    md += `## Loss\n\n${renderMarkdownTable(LOSS_TABLE, loss)}\n`;
    const points: Datum[] = [];
    for (const r of loss) {
      for (const d of ['4ms', '10ms', '100ms', '1s']) {
        points.push({ path: String(r.path), loss_percent: Number(r.loss_set_percent), deadline: d, kind: 'measured', fraction: Number(r[`delivered_${d}_fraction`]) });
        points.push({ path: String(r.path), loss_percent: Number(r.loss_set_percent), deadline: d, kind: 'predicted', fraction: Number(r[`predicted_${d}_fraction`]) });
      }
    }
    sections.push({ title: 'Loss and GOOSE delivery', charts: [await renderSvg(lossIntervalSpec(loss as Datum[])), await renderSvg(deliverySpec(points))], tables: [{ caption: 'loss.csv', columns: columnsOf(loss), rows: loss }] });
  }
  const pathFailure = load(dir, 'loss-path-failure.csv');
  if (pathFailure.length) {
    md += `## WAN path failure (two paths, one cut and restored)\n\n${renderMarkdownTable(columnsOf(pathFailure), pathFailure)}\n`;
    sections.push({ title: 'WAN path failure', charts: [], tables: [{ caption: 'loss-path-failure.csv (PRP over IP: lost and delivered_twice should be 0; the cut path misses what was sent while it was cut)', columns: columnsOf(pathFailure), rows: pathFailure }] });
  }
  const sv = load(dir, 'sv.csv');
  if (sv.length) {
    md += `## Sampled Values (9-2LE)\n\n${renderMarkdownTable(columnsOf(sv), sv)}\n`;
    sections.push({ title: 'Sampled Values (9-2LE)', charts: [], tables: [{ caption: 'sv.csv (latency: receive − sampling instant; jitter: |Δrx − Δsample|)', columns: columnsOf(sv), rows: sv }] });
  }
  // Re-rendering an old folder: the IGMP suite's table from its CSV (its chart comes with a run).
  const igmp = load(dir, 'igmp.csv');
  if (igmp.length && !extra.some((e) => /igmp/i.test(e.title))) {
    md += `## IGMP membership\n\n${renderMarkdownTable(columnsOf(igmp), igmp)}\n`;
    sections.push({ title: 'IGMP membership', charts: [], tables: [{ caption: 'igmp.csv', columns: columnsOf(igmp), rows: igmp }] });
  }
  for (const e of extra) {
    md += `## ${e.title}\n\n${e.markdown}\n`;
    sections.push(e.section);
  }
  const files = [join(dir, 'summary.md'), join(dir, 'report.html')];
  writeFileSync(files[0]!, md);
  writeFileSync(files[1]!, renderHtmlReport('goose-bridge suite report', meta, sections));
  return { summary: md, files };
}
