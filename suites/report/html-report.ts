// report.html: one self-contained file (inline SVG charts, inline CSS, no scripts, no network).
import type { Row } from './csv.js';
import { formatCell } from './table.js';

export interface ReportSection {
  title: string;
  /** Pre-rendered SVG charts. */
  charts: string[];
  tables: Array<{ caption: string; columns: readonly string[]; rows: readonly Row[] }>;
  notes?: string[];
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Columns whose cells are verdicts, coloured by value (ok/yes green, regressed/missing/no red). */
const VERDICT_COLUMNS = new Set(['status', 'met', 'verdict']);

function cellHtml(column: string, v: Row[string]): string {
  const text = escapeHtml(formatCell(v));
  if (!VERDICT_COLUMNS.has(column)) return `<td>${text}</td>`;
  return `<td class="v v-${String(v ?? '').toLowerCase().replace(/[^a-z]/g, '')}">${text}</td>`;
}

function tableHtml(caption: string, columns: readonly string[], rows: readonly Row[]): string {
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = rows.map((r) => `<tr>${columns.map((c) => cellHtml(c, r[c])).join('')}</tr>`).join('\n');
  return `<table><caption>${escapeHtml(caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export function renderHtmlReport(title: string, meta: Record<string, string>, sections: readonly ReportSection[]): string {
  const metaHtml = Object.entries(meta).map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('');
  const secs = sections
    .map(
      (s) => `<section><h2>${escapeHtml(s.title)}</h2>
${(s.notes ?? []).map((n) => `<p>${escapeHtml(n)}</p>`).join('\n')}
${s.charts.map((c) => `<figure>${c}</figure>`).join('\n')}
${s.tables.map((t) => tableHtml(t.caption, t.columns, t.rows)).join('\n')}
</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:12px}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:right}
th{background:#f3f3f3}caption{text-align:left;font-weight:bold;padding:4px 0}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dt{font-weight:bold}
figure{margin:1em 0}section{margin-top:2em;overflow-x:auto}
td.v{font-weight:bold;text-align:center}.v-ok,.v-yes{background:#d4f4d4}.v-regressed,.v-missing,.v-no,.v-failed{background:#f8caca}
.v-skipped,.v-undetermined,.v-couldnotjudge,.v-unjudged{background:#eee}.v-inconsistent{background:#f8caca}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<dl>${metaHtml}</dl>
${secs}
</body></html>
`;
}
