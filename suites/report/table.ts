// autocannon-style text tables: printers return strings, the CLI writes them to stderr.
import type { Cell, Row } from './csv.js';

export function formatCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000);
  return String(v);
}

/** Box-drawn table of the given columns (header labels may differ from keys). */
export function renderTable(columns: ReadonlyArray<string | { key: string; label: string }>, rows: readonly Row[]): string {
  const cols = columns.map((c) => (typeof c === 'string' ? { key: c, label: c } : c));
  const cells = rows.map((r) => cols.map((c) => formatCell(r[c.key])));
  const widths = cols.map((c, i) => Math.max(c.label.length, ...cells.map((row) => row[i]!.length)));
  const line = (l: string, m: string, r: string): string => l + widths.map((w) => '─'.repeat(w + 2)).join(m) + r;
  const fmt = (vals: string[]): string => `│${vals.map((v, i) => ` ${v.padStart(widths[i]!)} `).join('│')}│`;
  return [
    line('┌', '┬', '┐'),
    fmt(cols.map((c) => c.label)),
    line('├', '┼', '┤'),
    ...cells.map(fmt),
    line('└', '┴', '┘'),
  ].join('\n') + '\n';
}

/** The same data as a Markdown table (summary.md). */
export function renderMarkdownTable(columns: readonly string[], rows: readonly Row[]): string {
  const head = `| ${columns.join(' | ')} |\n|${columns.map(() => '---').join('|')}|\n`;
  return head + rows.map((r) => `| ${columns.map((c) => formatCell(r[c]).replace(/\|/g, '\\|')).join(' | ')} |`).join('\n') + '\n';
}
