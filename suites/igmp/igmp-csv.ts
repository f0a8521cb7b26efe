// Writes the IGMP suite's CSV files (through the one CSV writer) and prints its summary table.
// The file names and columns are the interface suite:all and report:compare read.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toCsv } from '../report/csv.js';
import {
  IGMP_COLUMNS,
  TIMELINE_COLUMNS,
  WINDOW_COLUMNS,
  type IgmpRow,
  type TimelineRow,
  type WindowRow,
} from './igmp-results.js';

export const IGMP_CSV = 'igmp.csv';
export const IGMP_TIMELINE_CSV = 'igmp-timeline.csv';
export const IGMP_WINDOWS_CSV = 'igmp-windows.csv';

export interface IgmpFiles {
  igmpCsv: string;
  timelineCsv: string;
  windowsCsv: string;
}

export function igmpCsvText(rows: readonly IgmpRow[]): string {
  return toCsv(IGMP_COLUMNS, rows);
}
export function timelineCsvText(rows: readonly TimelineRow[]): string {
  return toCsv(TIMELINE_COLUMNS, rows);
}
export function windowsCsvText(rows: readonly WindowRow[]): string {
  return toCsv(WINDOW_COLUMNS, rows);
}

export async function writeIgmpCsvs(
  outDir: string,
  rows: readonly IgmpRow[],
  timeline: readonly TimelineRow[],
  windows: readonly WindowRow[],
): Promise<IgmpFiles> {
  await mkdir(outDir, { recursive: true });
  const files = {
    igmpCsv: join(outDir, IGMP_CSV),
    timelineCsv: join(outDir, IGMP_TIMELINE_CSV),
    windowsCsv: join(outDir, IGMP_WINDOWS_CSV),
  };
  await writeFile(files.igmpCsv, igmpCsvText(rows));
  await writeFile(files.timelineCsv, timelineCsvText(timeline));
  await writeFile(files.windowsCsv, windowsCsvText(windows));
  return files;
}

/** The rows as a fixed-width table (returned, not printed: the CLI writes it to stderr). */
export function formatIgmpTable(rows: readonly IgmpRow[], keepalives?: ReadonlyArray<number | null>): string {
  const idx = new Map(rows.map((r, i) => [r, i]));
  const perKeepalive = (r: IgmpRow): string => {
    const n = keepalives?.[idx.get(r)!];
    return n === undefined || n === null || n === 0 || r.keepalive === 'none' ? '-' : (r.frames_lost / n).toFixed(2);
  };
  const cols: Array<[string, (r: IgmpRow) => string]> = [
    ['scenario', (r) => r.scenario],
    ['fast leave', (r) => r.fast_leave],
    ['keepalive', (r) => (r.keepalive === 'none' ? 'none' : `${r.keepalive}/${r.keepalive_interval_s}s`)],
    ['sent', (r) => String(r.frames_sent)],
    ['received', (r) => String(r.frames_received)],
    ['lost', (r) => String(r.frames_lost)],
    ['windows', (r) => String(r.loss_windows)],
    ['lost/keepalive', perKeepalive],
    ['loss after (TGW s)', (r) => (r.time_to_loss_s === '' ? '-' : r.time_to_loss_s.toFixed(1))],
    ['expected (TGW s)', (r) => (r.expected_time_to_loss_s === '' ? '-' : r.expected_time_to_loss_s.toFixed(1))],
    ['recover (s)', (r) => (r.time_to_recover_s === '' ? '-' : r.time_to_recover_s.toFixed(3))],
  ];
  const cells = [cols.map(([h]) => h), ...rows.map((r) => cols.map(([, f]) => f(r)))];
  const widths = cols.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => `│ ${c.map((v, i) => v.padEnd(widths[i]!)).join(' │ ')} │`;
  const rule = (l: string, m: string, r: string): string => `${l}${widths.map((w) => '─'.repeat(w + 2)).join(m)}${r}`;
  return [rule('┌', '┬', '┐'), line(cells[0]!), rule('├', '┼', '┤'), ...cells.slice(1).map(line), rule('└', '┴', '┘')].join('\n');
}
