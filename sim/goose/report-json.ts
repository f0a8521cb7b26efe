// The subscriber's report as JSON, written as it is built: one line per stream, in chunks of
// rows, so 100,000 streams never become one 100 MB string (whose conversion alone took seconds).
// A deadline (a signal's exit budget) may stop the rows early: the rest are counted in
// totals.streams_not_written and the document stays valid JSON. Pure apart from `write`.
import type { LazyReport } from './stream-statistics.js';

/** Rows serialised per write (and between deadline checks: on a starved CPU a row can take 1 ms). */
export const ROWS_PER_CHUNK = 64;

export interface JsonReportOptions {
  /** More top-level keys after "totals" (the SCL check). */
  extra?: Record<string, unknown>;
  /** Asked between chunks: true stops the rows there (the exit deadline after a signal passed). */
  stopRows?: () => boolean;
}

function indented(v: unknown): string {
  return JSON.stringify(v, null, 2).replace(/\n/g, '\n  ');
}

/** Writes the report; returns how many stream rows were written. */
export function writeJsonReport(write: (chunk: string) => void, report: LazyReport, opts: JsonReportOptions = {}): number {
  const n = report.rows.length;
  write('{\n  "streams": [');
  let i = 0;
  while (i < n && !opts.stopRows?.()) {
    const first = i === 0;
    const end = Math.min(n, i + ROWS_PER_CHUNK);
    // joined, not concatenated: a flat string converts to bytes at once, a rope is flattened first
    const rows: string[] = [];
    for (; i < end; i++) rows.push(JSON.stringify(report.rows.at(i)));
    write(`${first ? '' : ','}\n    ${rows.join(',\n    ')}`);
  }
  const totals = { ...report.totals, streams_not_written: n - i };
  const more = Object.entries(opts.extra ?? {}).map(([k, v]) => `,\n  ${JSON.stringify(k)}: ${indented(v)}`).join('');
  write(`${i > 0 ? '\n  ' : ''}],\n  "totals": ${indented(totals)}${more}\n}\n`);
  return i;
}
