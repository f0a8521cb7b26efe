// The monitor's live screen as text lines: a summary, one row per stream (problems first:
// stopped, never seen, past TAL now, with anomalies, ok), then the latest findings in a pane of
// their own (a quarter of the height) and, below, the latest state changes (an eighth), so
// state changes never push findings off the screen. Fits the given width (80 columns and up:
// the gocbRef column takes what is left) and height; rows beyond it scroll. Pure.
import type { StreamKey } from '../goose/stream-tracker.js';
import { EVENT_KINDS } from './event-kinds.js';
import type { GooseMonitor, StreamWatch } from './goose-monitor.js';
import { shortMemberName } from './dataset-values.js';
import { hexAppId } from './monitor-event.js';

export interface ViewContext {
  /** Now on the receive clock. */
  nowUs: number;
  wallOffsetUs: number;
  width: number;
  height: number;
  /** First stream row shown (scrolling). */
  offset: number;
  /** Latest findings (anomaly, tal-expired, stopped, …) as human lines, newest last. */
  findings: string[];
  /** Latest info events (state changes, resumed), newest last. */
  info: string[];
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

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Streams in display order: problems first, then most anomalies, then by APPID. */
export function viewRows(m: GooseMonitor, nowUs: number): Row[] {
  const rows: Row[] = [];
  for (const w of m.watches.values()) rows.push({ rank: rank(w, nowUs), key: w.tracker.key, watch: w });
  for (const k of m.receiver.neverSeen()) rows.push({ rank: 1, key: k, watch: undefined });
  return rows.sort(
    (a, b) => a.rank - b.rank || (b.watch?.anomalies ?? 0) - (a.watch?.anomalies ?? 0) || a.key.appId - b.key.appId || cmp(a.key.gocbRef, b.key.gocbRef) || cmp(a.key.src, b.key.src),
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

function formatRow(r: Row, ctx: ViewContext, refWidth: number, chgWidth: number): string {
  const w = r.watch;
  const cells = [
    RANK_LABEL[r.rank].padEnd(4),
    hexAppId(r.key.appId),
    fit(r.key.gocbRef, refWidth),
    fit(w ? `${w.tracker.stNum}/${w.tracker.sqHigh}` : '-', 11),
    (w && w.lastValidUs >= 0 ? seconds(w.lastValidUs + w.talMs * 1000 - ctx.nowUs) : '-').padStart(7),
    (w ? (w.fps >= 100 ? w.fps.toFixed(0) : w.fps.toFixed(1)) : '-').padStart(5),
    w && w.lastChangeUs >= 0 ? clock(w.lastChangeUs + ctx.wallOffsetUs) : '-'.padEnd(10),
    fit(changedText(w), chgWidth),
    String(w?.anomalies ?? 0).padStart(4),
    w?.lastEventKind ? EVENT_KINDS[w.lastEventKind].short : '',
  ];
  return cells.join(' ').trimEnd();
}

interface RunSummary {
  streams: string;
  findings: string;
}

/**
 * The run in two parts: streams by their state now (LATE: past TAL now) and the findings so far
 * by the verdict's groups — the words of --fail-on. One pass, no sort.
 */
function runSummary(m: GooseMonitor, nowUs: number): RunSummary {
  const byRank = [0, 0, 0, 0, 0];
  let fps = 0;
  for (const w of m.watches.values()) {
    byRank[rank(w, nowUs)]!++;
    fps += w.fps;
  }
  byRank[1] = m.receiver.neverSeen().length;
  const groups: Record<string, number> = { anomaly: 0, 'tal-expired': 0, stopped: 0 };
  for (const [k, n] of m.counts) {
    const g = EVENT_KINDS[k].group;
    if (g in groups) groups[g]! += n;
  }
  return {
    streams: `${m.watches.size + byRank[1]!} streams: ok ${byRank[4]} anom ${byRank[3]} late ${byRank[2]} stop ${byRank[0]} never ${byRank[1]} | ${fps.toFixed(0)} msg/s`,
    findings: `findings: anomaly ${groups.anomaly}, tal-expired ${groups['tal-expired']}, stopped ${groups.stopped}`,
  };
}

/** The members of the last state change with their new values, by short name: `Pos.stVal=true,[3]=7`. */
function changedText(w: StreamWatch | undefined): string {
  const last = w?.lastChanges.at(-1);
  if (!last || last.changed.length === 0) return '-';
  return last.changed.map((c) => `${shortMemberName(c.member)}=${c.after ?? '-'}`).join(',');
}

/** One line for the whole run (plain output prints it every 10 s). */
export function summaryLine(m: GooseMonitor, nowUs: number): string {
  const s = runSummary(m, nowUs);
  return `${s.streams} | ${s.findings}`;
}

/** Lines of a pane: a title and the newest `room − 1` lines, nothing when empty or no room. */
function pane(title: string, lines: readonly string[], room: number): string[] {
  if (lines.length === 0 || room < 2) return [];
  return [title, ...lines.slice(-(room - 1))];
}

/** The whole screen: at most `height` lines, none wider than `width`; offset as clamped. */
export function formatView(m: GooseMonitor, ctx: ViewContext): { lines: string[]; offset: number } {
  const width = Math.max(80, ctx.width);
  // the other columns and their separators take 66 of 80
  // a wider terminal widens the gocbRef and CHANGED columns (half each)
  const refWidth = 12 + Math.ceil((width - 80) / 2);
  const chgWidth = 7 + Math.floor((width - 80) / 2);
  const rows = viewRows(m, ctx.nowUs);
  const height = Math.max(8, ctx.height);
  // findings keep a quarter of the screen, state changes an eighth, the table the rest
  const findings = pane('latest findings:', ctx.findings, Math.max(3, Math.floor(height / 4)));
  const info = pane('latest state changes:', ctx.info, Math.floor(height / 8));
  const head = ctx.status ? 4 : 3;
  const room = Math.max(1, height - head - (findings.length ? findings.length + 1 : 0) - (info.length ? info.length + 1 : 0));
  const offset = Math.max(0, Math.min(ctx.offset, rows.length - room));
  const shown = rows.slice(offset, offset + room);
  const scroll = rows.length > room ? ` | rows ${offset + 1}-${offset + shown.length} of ${rows.length} ↑↓` : '';
  const sum = runSummary(m, ctx.nowUs);
  const lines = [
    sum.streams,
    `${clock(ctx.nowUs + ctx.wallOffsetUs).slice(0, 8)} ${sum.findings}${scroll}`,
    ...(ctx.status ? [ctx.status] : []),
    ['ST  ', 'APPID ', fit('GOCBREF', refWidth), 'STNUM/SQNUM', 'TALLEFT'.padStart(7), 'MSG/S', 'LASTCHANGE', fit('CHANGED', chgWidth), 'ANOM', 'LAST'].join(' '),
    ...shown.map((r) => formatRow(r, ctx, refWidth, chgWidth)),
  ];
  if (findings.length) lines.push('', ...findings);
  if (info.length) lines.push('', ...info);
  return { lines: lines.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l)), offset };
}
