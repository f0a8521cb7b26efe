// The one CSV writer: every CSV goose-bridge writes (the subscriber's --csv, every suite's
// report files) goes through here. Fixed column order, csv-stringify quoting (a gocbRef may hold
// a comma), booleans as true/false, and an empty cell for a figure that does not exist (e.g. CPU
// of the in-kernel VXLAN path).
import { stringify } from 'csv-stringify/sync';

export type Cell = string | number | boolean | null | undefined;
export type Row = Record<string, Cell>;

export function toCsv<T extends object>(columns: readonly string[], rows: readonly T[]): string {
  for (const r of rows) {
    const extra = Object.keys(r).filter((k) => !columns.includes(k));
    if (extra.length > 0) throw new Error(`CSV row has columns not in the header: ${extra.join(', ')}`);
  }
  return stringify(
    rows.map((r) => columns.map((c) => {
      const v = (r as Record<string, unknown>)[c];
      return v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? '' : v;
    })),
    { header: true, columns: columns.map((c, i) => ({ key: String(i), header: c })), cast: { boolean: (b) => (b ? 'true' : 'false') } },
  );
}
