// The suites' CSVs go through here (the IGMP suite's and the subscriber's write their own): fixed column order, csv-stringify quoting, empty cell for
// a figure that does not exist (e.g. CPU of the in-kernel VXLAN path).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';

export type Cell = string | number | boolean | null | undefined;
export type Row = Record<string, Cell>;

export function toCsv(columns: readonly string[], rows: readonly Row[]): string {
  for (const r of rows) {
    const extra = Object.keys(r).filter((k) => !columns.includes(k));
    if (extra.length > 0) throw new Error(`CSV row has columns not in the header: ${extra.join(', ')}`);
  }
  return stringify(
    rows.map((r) => columns.map((c) => {
      const v = r[c];
      return v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? '' : v;
    })),
    { header: true, columns: columns.map((c) => ({ key: String(columns.indexOf(c)), header: c })), cast: { boolean: (b) => (b ? 'true' : 'false') } },
  );
}

export function writeCsv(dir: string, file: string, columns: readonly string[], rows: readonly Row[]): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, file);
  writeFileSync(path, toCsv(columns, rows));
  return path;
}

/** Minimal reader for our own CSVs (compare, report): header + rows of strings; handles quotes. */
export function parseCsv(text: string): Array<Record<string, string>> {
  const records: string[][] = [];
  let field = '';
  let rec: string[] = [];
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (q) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else q = false;
      } else field += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') {
      rec.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      rec.push(field);
      records.push(rec);
      rec = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || rec.length > 0) {
    rec.push(field);
    records.push(rec);
  }
  const [header, ...body] = records;
  if (!header) return [];
  return body.filter((r) => r.length > 1 || r[0] !== '').map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

export function readCsv(path: string): Array<Record<string, string>> {
  return parseCsv(readFileSync(path, 'utf8'));
}

/** reports/<UTC timestamp>/ (colons replaced so the name is valid everywhere). */
export function defaultOutDir(now = new Date(), root = 'reports'): string {
  return join(root, now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-'));
}
