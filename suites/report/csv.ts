// The suites' report files: written with the one CSV writer (sim/core/csv.ts), read back by compare
// and the report renderer.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCsv, type Row } from '../../sim/core/csv.js';

export { toCsv, type Cell, type Row } from '../../sim/core/csv.js';

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
