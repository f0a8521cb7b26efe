// Turns a folder of suite CSVs into summary.md (tables + goals) and a self-contained report.html
// (Vega-Lite charts rendered to SVG here). Reads whatever CSVs are present, so it works on any
// subset of suites and can be re-run on an old folder.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsv, type Row } from './csv.js';
import { renderMarkdownTable } from './table.js';
import { renderSvg, latencyNinesSpec, throughputSpec, deliverySpec, type Datum } from './charts.js';
import { renderHtmlReport, type ReportSection } from './html-report.js';
import { evaluateGoals, goalsMarkdown } from './goals.js';

function load(dir: string, file: string): Row[] {
  const p = join(dir, file);
  return existsSync(p) ? readCsv(p) : [];
}

function columnsOf(rows: readonly Row[]): string[] {
  return rows[0] ? Object.keys(rows[0]) : [];
}

/** Columns of latency.csv / loss.csv worth a table (the rest stay in the CSV). */
export const LATENCY_TABLE = ['path', 'rate_fps', 'frame_bytes', 'sent', 'received', 'lost', 'latency_p2_5_us', 'latency_p50_us', 'latency_p97_5_us', 'latency_p99_us', 'latency_p99_9_us', 'latency_max_us', 'latency_mean_us', 'latency_stdev_us', 'tt_class_p99', 'tt_class_p99_9'];
export const LOSS_TABLE = ['path', 'loss_set_percent', 'sent', 'lost', 'injected_percent', 'measured_loss_percent', 'expected_low_percent', 'expected_high_percent', 'within_bounds', 'wan_gap_frames', 'states', 'delivered_4ms_fraction', 'predicted_4ms_fraction', 'delivered_10ms_fraction', 'predicted_10ms_fraction', 'delivered_100ms_fraction', 'predicted_100ms_fraction', 'delivered_1s_fraction', 'predicted_1s_fraction'];

export interface ExtraSection {
  title: string;
  markdown: string;
  section: ReportSection;
}

export async function writeReportFolder(dir: string, meta: Record<string, string>, extra: ExtraSection[] = []): Promise<{ summary: string; files: string[] }> {
  const latency = load(dir, 'latency.csv');
  const curve = load(dir, 'latency-percentiles.csv');
  const throughput = load(dir, 'throughput.csv');
  const loss = load(dir, 'loss.csv');
  const resources = [...load(dir, 'resources-latency.csv'), ...load(dir, 'resources-throughput.csv')];
  const goals = evaluateGoals(latency, throughput, resources);

  let md = `# goose-bridge suite report\n\n${Object.entries(meta).map(([k, v]) => `- ${k}: ${v}`).join('\n')}\n\n## Goals\n\n${goalsMarkdown(goals)}\n`;
  const sections: ReportSection[] = [
    { title: 'Goals', charts: [], tables: [{ caption: 'Performance goals (a missed goal is reported with its figure)', columns: ['goal', 'figure', 'met'], rows: goals.map((g) => ({ goal: g.goal, figure: g.figure, met: g.met === null ? '–' : g.met ? 'yes' : 'NO' })) }] },
  ];
  if (latency.length) {
    md += `## Latency\n\n${renderMarkdownTable(LATENCY_TABLE, latency)}\n`;
    sections.push({
      title: 'Latency',
      charts: curve.length ? [await renderSvg(latencyNinesSpec(curve as Datum[]))] : [],
      tables: [{ caption: 'latency.csv', columns: columnsOf(latency), rows: latency }],
    });
  }
  if (throughput.length) {
    md += `## Throughput\n\n${renderMarkdownTable(columnsOf(throughput), throughput)}\n`;
    sections.push({
      title: 'Throughput',
      charts: [await renderSvg(throughputSpec(throughput as Datum[]))],
      tables: [{ caption: 'throughput.csv', columns: columnsOf(throughput), rows: throughput }],
    });
  }
  if (resources.length) {
    md += `## CPU and memory of the bridge processes\n\n${renderMarkdownTable(columnsOf(resources), resources)}\n`;
    sections.push({ title: 'CPU and memory', charts: [], tables: [{ caption: 'resources-*.csv', columns: columnsOf(resources), rows: resources }] });
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
    sections.push({ title: 'Loss and GOOSE delivery', charts: [await renderSvg(deliverySpec(points))], tables: [{ caption: 'loss.csv', columns: columnsOf(loss), rows: loss }] });
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
