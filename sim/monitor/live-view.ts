// The monitor's live screen as text lines: a summary, one row per stream (problems first:
// stopped, never seen, past TAL now, with anomalies, ok), and the latest events. Fits the given
// width (80 columns and up: the gocbRef column takes what is left); rows beyond the height
// scroll. Pure: the renderer decides where the lines go.
import type { StreamKey } from '../stream-tracker.js';
import { EVENT_KINDS } from './event-kinds.js';
import type { GooseMonitor, StreamWatch } from './goose-monitor.js';
import { hexAppId } from './monitor-event.js';

export interface ViewContext {
  /** Now on the receive clock. */
  nowUs: number;
  wallOffsetUs: number;
  width: number;
  height: number;
  /** First stream row shown (scrolling). */
  offset: number;
  /** Latest human event lines, newest last. */
  recent: string[];
  /** Extra status (capture ring, log file), shown on the second line. */
  status?: string;
}

type Rank = 0 | 1 | 2 | 3 | 4;
const RANK_LABEL = ['STOP', 'NEVR', 'LATE', 'ANOM', 'ok'] as const;

interface Row {
  rank: Rank;
  key: StreamKey;
  watch: StreamWatch | undefined;
}

function rank(w: StreamWatch, nowUs: number): Rank {
  if (w.stopped) return 0;
  if (w.lastValidUs >= 0 && nowUs > w.lastValidUs + w.talMs * 1000) return 2;
  return w.anomalies > 0 ? 3 : 4;
}

/** Streams in display order: problems first, then most anomalies, then by APPID. */
export function viewRows(m: GooseMonitor, nowUs: number): Row[] {
  const rows: Row[] = [...m.watches.values()].map((w) => ({ rank: rank(w, nowUs), key: w.tracker.key, watch: w }));
  for (const k of m.receiver.neverSeen()) rows.push({ rank: 1, key: k, watch: undefined });
  return rows.sort(
    (a, b) => a.rank - b.rank || (b.watch?.anomalies ?? 0) - (a.watch?.anomalies ?? 0) || a.key.appId - b.key.appId || a.key.gocbRef.localeCompare(b.key.gocbRef) || a.key.src.localeCompare(b.key.src),
  );
}

/** Keeps both ends of a long text: `IED1LD0/…$gcb01`. */
export function fit(s: string, w: number): string {
  if (s.length <= w) return s.padEnd(w);
  const tail = Math.floor((w - 1) / 2);
  return `${s.slice(0, w - 1 - tail)}…${s.slice(s.length - tail)}`;
}

function clock(wallUs: number): string {
  return new Date(wallUs / 1000).toISOString().slice(11, 21); // HH:MM:SS.s
}

function seconds(us: number): string {
  const s = us / 1e6;
  return `${s >= 0 ? '+' : '-'}${Math.abs(s) >= 100 ? Math.min(Math.abs(s), 9999).toFixed(0) : Math.abs(s).toFixed(2)}s`;
}

function formatRow(r: Row, ctx: ViewContext, refWidth: number): string {
  const w = r.watch;
  const cells = [
    RANK_LABEL[r.rank].padEnd(4),
    hexAppId(r.key.appId),
    fit(r.key.gocbRef, refWidth),
    fit(w ? `${w.tracker.stNum}/${w.tracker.sqHigh}` : '-', 11),
    (w && w.lastValidUs >= 0 ? seconds(w.lastValidUs + w.talMs * 1000 - ctx.nowUs) : '-').padStart(7),
    (w ? (w.fps >= 100 ? w.fps.toFixed(0) : w.fps.toFixed(1)) : '-').padStart(5),
    w && w.lastChangeUs >= 0 ? clock(w.lastChangeUs + ctx.wallOffsetUs) : '-'.padEnd(10),
    fit(w?.lastChanged.length ? w.lastChanged.join(',') : '-', 5),
    String(w?.anomalies ?? 0).padStart(4),
    w?.lastEventKind ? EVENT_KINDS[w.lastEventKind].short : '',
  ];
  return cells.join(' ').trimEnd();
}

/** One line for the whole run (the live screen's first line; plain output prints it now and then). */
export function summaryLine(m: GooseMonitor, nowUs: number, rows = viewRows(m, nowUs)): string {
  const byRank = [0, 0, 0, 0, 0];
  for (const r of rows) byRank[r.rank]!++;
  let fps = 0;
  for (const w of m.watches.values()) fps += w.fps;
  let events = 0;
  for (const [k, n] of m.counts) if (EVENT_KINDS[k].group !== 'info') events += n;
  return `streams ${rows.length}: ok ${byRank[4]} anom ${byRank[3]} late ${byRank[2]} stop ${byRank[0]} never ${byRank[1]} | ${fps.toFixed(0)} msg/s | events ${events} malf ${m.counts.get('malformed') ?? 0}`;
}

/** The whole screen: at most `height` lines, none wider than `width`; offset as clamped. */
export function formatView(m: GooseMonitor, ctx: ViewContext): { lines: string[]; offset: number } {
  const width = Math.max(80, ctx.width);
  // the other columns and their separators take 66 of 80
  const refWidth = 14 + (width - 80);
  const rows = viewRows(m, ctx.nowUs);
  const recent = ctx.recent.slice(-Math.min(5, Math.max(0, ctx.height - 12)));
  const room = Math.max(1, ctx.height - 4 - (recent.length ? recent.length + 1 : 0));
  const offset = Math.max(0, Math.min(ctx.offset, rows.length - room));
  const shown = rows.slice(offset, offset + room);
  const scroll = rows.length > room ? `rows ${offset + 1}-${offset + shown.length} of ${rows.length} (↑↓ PgUp PgDn Home End)` : '';
  const lines = [
    summaryLine(m, ctx.nowUs, rows),
    [clock(ctx.nowUs + ctx.wallOffsetUs).slice(0, 8), ctx.status ?? '', scroll].filter((s) => s !== '').join(' | '),
    ['ST  ', 'APPID ', fit('GOCBREF', refWidth), 'STNUM/SQNUM', 'TALLEFT'.padStart(7), 'MSG/S', 'LASTCHANGE', 'CHG  ', 'ANOM', 'LAST'].join(' '),
    ...shown.map((r) => formatRow(r, ctx, refWidth)),
  ];
  if (recent.length) lines.push('', ...recent);
  return { lines: lines.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l)), offset };
}
