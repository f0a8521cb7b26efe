// The subscriber's statistics: per-stream rows and totals (snake_case keys, units in the names,
// percentiles in autocannon's shape p50 / p97_5 / p99_9), and printers that return strings —
// the CLI decides where they go (table to stderr, JSON to stdout, CSV to a file). The verdict
// words are the monitor's event groups (monitor/event-kinds.ts): anomaly, tal-expired, stopped,
// never-seen, unexpected — the same in the table, the JSON, the event log and --fail-on.
import { toCsv } from '../core/csv.js';
import { emptyLatencySummary, histogramSummary, type LatencySummary } from '../core/latency-samples.js';
import { namedValues, type StateChange } from '../monitor/dataset-values.js';
import { EVENT_KINDS, type EventKind } from '../monitor/event-kinds.js';
import type { Data } from '../../bridge/codec/types.js';
import type { StreamReceiver } from './stream-receiver.js';
import type { StreamKey, StreamTracker } from './stream-tracker.js';

export type { LatencySummary } from '../core/latency-samples.js';

/** never-seen | stopped (silent at the end, others arriving) | anomalies | tal-expired (late frames only) | ok */
export type StreamStatus = 'ok' | 'tal-expired' | 'anomalies' | 'stopped' | 'never-seen';

/** What the monitor found, per stream and for the run (a GooseMonitor). */
export interface RunFindings {
  readonly receiver: StreamReceiver;
  readonly watches: ReadonlyMap<
    StreamTracker,
    {
      readonly stopped: boolean;
      readonly anomalies: number;
      readonly counts: Partial<Record<EventKind, number>>;
      readonly names: readonly string[] | undefined;
      readonly lastData: readonly Data[] | undefined;
      readonly lastChanges: readonly StateChange[];
    }
  >;
  /** Events by kind, stream-less ones (malformed) included. */
  readonly counts: ReadonlyMap<EventKind, number>;
}

/** Counts a stream's row and the totals both carry. */
interface FindingCounts {
  frames_lost: number;
  duplicate_messages: number;
  out_of_order_messages: number;
  tal_expired: number;
  stopped: number;
  st_num_backwards: number;
  conf_rev_changes: number;
  dataset_changes: number;
  entry_count_mismatches: number;
  nds_com_messages: number;
  simulation_messages: number;
}

export interface StreamRow extends LatencySummary, FindingCounts {
  appid: string;
  src_mac: string;
  gocb_ref: string;
  go_id: string;
  dat_set: string;
  status: StreamStatus;
  /** false when --expect was given and the stream is not in it */
  expected: boolean;
  messages: number;
  valid_messages: number;
  state_changes: number;
  st_num_wraps: number;
  sq_num_wraps: number;
  dataset_differs_from_first: boolean;
  /** Findings of the anomaly group (one sqNum gap of 3 frames is 1). */
  anomalies: number;
  last_st_num: number;
  last_sq_num: number;
  last_tal_ms: number;
  conf_rev: number;
  first_rx_us: number;
  last_rx_us: number;
  /** JSON only: the last valid message's dataset, member name (SCL FCDA, or `[i]`) → value. */
  values?: Record<string, string>;
  /** JSON only: the last state changes (newest last), with the members that changed. */
  last_changes?: StateChange[];
}

export interface Totals extends LatencySummary, FindingCounts {
  streams: number;
  streams_ok: number;
  streams_with_anomalies: number;
  streams_tal_expired: number;
  streams_stopped: number;
  streams_never_seen: number;
  streams_unexpected: number;
  frames: number;
  goose_messages: number;
  sv_frames: number;
  gse_frames: number;
  other_frames: number;
  decode_errors: number;
  /** Decode errors by the codec's reason code. */
  decode_errors_by_reason: Record<string, number>;
  /** Frames the kernel dropped before the subscriber read them (receive buffer full; interface only). */
  kernel_drops: number;
  /** Frames received but not judged: the subscriber's backlog was full, or the run was stopped with frames queued. */
  frames_not_judged: number;
  /** Event-latency samples dropped because `t` was after the receive time (clocks not shared). */
  negative_latency_samples: number;
  /** Findings of the anomaly group, malformed frames included. */
  anomalies: number;
  duration_us: number;
}

export interface SubscriberReport {
  streams: StreamRow[];
  totals: Totals;
}

function hexAppId(appId: number): string {
  return `0x${appId.toString(16).padStart(4, '0')}`;
}

type Watch = RunFindings['watches'] extends ReadonlyMap<StreamTracker, infer W> ? W : never;

function statusOf(w: Watch | undefined): StreamStatus {
  if (w?.stopped) return 'stopped';
  if ((w?.anomalies ?? 0) > 0) return 'anomalies';
  return (w?.counts['tal-expired'] ?? 0) > 0 ? 'tal-expired' : 'ok';
}

function trackerRow(f: RunFindings, t: StreamTracker): StreamRow {
  const c = t.counters;
  const rx = f.receiver;
  const w = f.watches.get(t);
  return {
    appid: hexAppId(t.key.appId),
    src_mac: t.key.src,
    gocb_ref: t.key.gocbRef,
    go_id: t.goID ?? '',
    dat_set: t.datSet,
    status: statusOf(w),
    expected: rx.isExpected(t),
    messages: c.messages,
    valid_messages: c.valid,
    state_changes: c.stateChanges,
    frames_lost: c.lost,
    duplicate_messages: c.duplicates,
    out_of_order_messages: c.outOfOrder,
    tal_expired: w?.counts['tal-expired'] ?? 0,
    stopped: w?.counts.stopped ?? 0,
    st_num_backwards: c.stNumBackwards,
    st_num_wraps: c.stNumWraps,
    sq_num_wraps: c.sqNumWraps,
    conf_rev_changes: c.confRevChanges,
    dataset_changes: c.datasetChanges,
    dataset_differs_from_first: t.datasetDiffersFromFirst,
    entry_count_mismatches: c.entryCountMismatches,
    nds_com_messages: c.ndsComMessages,
    simulation_messages: c.simulationMessages,
    anomalies: w?.anomalies ?? 0,
    last_st_num: t.stNum,
    last_sq_num: t.sqHigh,
    last_tal_ms: t.lastTalMs,
    conf_rev: t.confRev,
    first_rx_us: t.firstRxUs,
    last_rx_us: t.lastRxUs,
    ...(rx.latency.get(t)?.summary() ?? emptyLatencySummary()),
    values: w?.lastData ? namedValues(w.names, w.lastData) : {},
    last_changes: [...(w?.lastChanges ?? [])],
  };
}

function neverSeenRow(k: StreamKey): StreamRow {
  return {
    appid: hexAppId(k.appId),
    src_mac: k.src,
    gocb_ref: k.gocbRef,
    go_id: '',
    dat_set: '',
    status: 'never-seen',
    expected: true,
    messages: 0,
    valid_messages: 0,
    state_changes: 0,
    frames_lost: 0,
    duplicate_messages: 0,
    out_of_order_messages: 0,
    tal_expired: 0,
    stopped: 0,
    st_num_backwards: 0,
    st_num_wraps: 0,
    sq_num_wraps: 0,
    conf_rev_changes: 0,
    dataset_changes: 0,
    dataset_differs_from_first: false,
    entry_count_mismatches: 0,
    nds_com_messages: 0,
    simulation_messages: 0,
    anomalies: 0, // absent: counted as never-seen
    last_st_num: 0,
    last_sq_num: 0,
    last_tal_ms: 0,
    conf_rev: 0,
    first_rx_us: -1,
    last_rx_us: -1,
    ...emptyLatencySummary(),
  };
}

const STATUS_ORDER: Record<StreamStatus, number> = { 'never-seen': 0, stopped: 1, anomalies: 2, 'tal-expired': 3, ok: 4 };

function byStream(a: StreamKey, b: StreamKey): number {
  return a.appId - b.appId || (a.src < b.src ? -1 : a.src > b.src ? 1 : 0) || (a.gocbRef < b.gocbRef ? -1 : a.gocbRef > b.gocbRef ? 1 : 0);
}

/**
 * Builds the report: streams sorted problems first, then by APPID, source, gocbRef. Linear in
 * the streams apart from the sort (no per-stream histogram walk): 100,000 streams take well
 * under a second.
 */
export function buildReport(f: RunFindings, capture: { kernelDrops?: number; backlogDrops?: number } = {}): SubscriberReport {
  const rx = f.receiver;
  const entries: { key: StreamKey; row: StreamRow }[] = [];
  for (const t of rx.streams.values()) entries.push({ key: t.key, row: trackerRow(f, t) });
  for (const k of rx.neverSeen()) entries.push({ key: k, row: neverSeenRow(k) });
  entries.sort((a, b) => STATUS_ORDER[a.row.status] - STATUS_ORDER[b.row.status] || byStream(a.key, b.key));
  const rows = entries.map((e) => e.row);
  const sums = new Map<keyof StreamRow, number>();
  const byStatus: Record<StreamStatus, number> = { 'never-seen': 0, stopped: 0, anomalies: 0, 'tal-expired': 0, ok: 0 };
  let unexpected = 0;
  const summed = ['messages', 'frames_lost', 'duplicate_messages', 'out_of_order_messages', 'tal_expired', 'stopped', 'st_num_backwards', 'conf_rev_changes', 'dataset_changes', 'entry_count_mismatches', 'nds_com_messages', 'simulation_messages'] as const;
  for (const r of rows) {
    byStatus[r.status]++;
    if (!r.expected) unexpected++;
    for (const k of summed) sums.set(k, (sums.get(k) ?? 0) + r[k]);
  }
  const sum = (k: (typeof summed)[number]): number => sums.get(k) ?? 0;
  const decodeErrors: Record<string, number> = {};
  let decodeErrorCount = 0;
  for (const [code, n] of [...rx.decodeErrors].sort()) {
    decodeErrors[code] = n;
    decodeErrorCount += n;
  }
  let anomalies = 0;
  for (const [k, n] of f.counts) if (EVENT_KINDS[k].group === 'anomaly') anomalies += n;
  const totals: Totals = {
    streams: rows.length,
    streams_ok: byStatus.ok,
    streams_with_anomalies: byStatus.anomalies,
    streams_tal_expired: byStatus['tal-expired'],
    streams_stopped: byStatus.stopped,
    streams_never_seen: byStatus['never-seen'],
    streams_unexpected: unexpected,
    frames: rx.frames,
    goose_messages: sum('messages'),
    sv_frames: rx.svFrames,
    gse_frames: rx.gseFrames,
    other_frames: rx.notOurs,
    decode_errors: decodeErrorCount,
    decode_errors_by_reason: decodeErrors,
    frames_lost: sum('frames_lost'),
    duplicate_messages: sum('duplicate_messages'),
    out_of_order_messages: sum('out_of_order_messages'),
    tal_expired: sum('tal_expired'),
    stopped: sum('stopped'),
    st_num_backwards: sum('st_num_backwards'),
    conf_rev_changes: sum('conf_rev_changes'),
    dataset_changes: sum('dataset_changes'),
    entry_count_mismatches: sum('entry_count_mismatches'),
    nds_com_messages: sum('nds_com_messages'),
    simulation_messages: sum('simulation_messages'),
    kernel_drops: capture.kernelDrops ?? 0,
    frames_not_judged: capture.backlogDrops ?? 0,
    negative_latency_samples: rx.negativeLatency,
    anomalies,
    duration_us: rx.firstRxUs < 0 ? 0 : rx.lastRxUs - rx.firstRxUs,
    ...histogramSummary(rx.totalLatency),
  };
  return { streams: rows, totals };
}

/** CSV columns (one row per stream) in order; docs/results-schema.md documents each with its unit. */
export const CSV_COLUMNS: (keyof StreamRow)[] = [
  'appid',
  'src_mac',
  'gocb_ref',
  'go_id',
  'dat_set',
  'status',
  'expected',
  'messages',
  'valid_messages',
  'state_changes',
  'frames_lost',
  'duplicate_messages',
  'out_of_order_messages',
  'tal_expired',
  'stopped',
  'st_num_backwards',
  'st_num_wraps',
  'sq_num_wraps',
  'conf_rev_changes',
  'dataset_changes',
  'dataset_differs_from_first',
  'entry_count_mismatches',
  'nds_com_messages',
  'simulation_messages',
  'anomalies',
  'last_st_num',
  'last_sq_num',
  'last_tal_ms',
  'conf_rev',
  'first_rx_us',
  'last_rx_us',
  'event_latency_count',
  'event_latency_min_us',
  'event_latency_mean_us',
  'event_latency_p50_us',
  'event_latency_p90_us',
  'event_latency_p97_5_us',
  'event_latency_p99_us',
  'event_latency_p99_9_us',
  'event_latency_max_us',
];

export function formatCsv(report: SubscriberReport): string {
  // values and changes are nested: JSON only
  return toCsv(CSV_COLUMNS, report.streams.map(({ values: _v, last_changes: _c, ...flat }) => flat));
}

/** The report as JSON: one line per stream (a 100,000-stream report stays fast to write and to grep). */
export function formatJson(report: SubscriberReport, extra: Record<string, unknown> = {}): string {
  const rows = report.streams.map((r) => JSON.stringify(r)).join(',\n    ');
  const more = Object.entries(extra).map(([k, v]) => `,\n  ${JSON.stringify(k)}: ${JSON.stringify(v, null, 2).replace(/\n/g, '\n  ')}`).join('');
  return `{\n  "streams": [${rows ? `\n    ${rows}\n  ` : ''}],\n  "totals": ${JSON.stringify(report.totals, null, 2).replace(/\n/g, '\n  ')}${more}\n}\n`;
}

/** The table's width limit: fits a 120-column terminal. */
export const TABLE_WIDTH = 120;

const TABLE_COLUMNS: [string, (r: StreamRow) => string][] = [
  ['APPID', (r) => r.appid],
  ['SRC MAC', (r) => r.src_mac],
  ['GOCBREF', (r) => r.gocb_ref],
  ['STATUS', (r) => r.status + (r.expected ? '' : '*')],
  ['MSGS', (r) => String(r.messages)],
  ['STNUM', (r) => String(r.last_st_num)],
  ['ANOM', (r) => String(r.anomalies)],
  ['LOST', (r) => String(r.frames_lost)],
  ['DUP', (r) => String(r.duplicate_messages)],
  ['OOO', (r) => String(r.out_of_order_messages)],
  ['TALEXP', (r) => String(r.tal_expired)],
  ['STOP', (r) => String(r.stopped)],
  ['LAT_P50_US', (r) => (r.event_latency_count ? String(r.event_latency_p50_us) : '-')],
  ['LAT_P99_US', (r) => (r.event_latency_count ? String(r.event_latency_p99_us) : '-')],
];
const GOCBREF_COLUMN = 2;
const LEFT_ALIGNED = 4;

/** Keeps both ends of a long text: `IED1LD0/…$gcb01`. */
export function fitText(s: string, w: number): string {
  if (s.length <= w) return s;
  const tail = Math.floor((w - 1) / 2);
  return `${s.slice(0, w - 1 - tail)}…${s.slice(s.length - tail)}`;
}

/** The verdict in the words --fail-on takes (groups of docs/monitor.md). */
export function verdictLine(t: Totals): string {
  return `verdict: anomaly ${t.anomalies}, tal-expired ${t.tal_expired}, stopped ${t.stopped}, never-seen ${t.streams_never_seen}, unexpected ${t.streams_unexpected}`;
}

/** Per-stream table (problems first, at most maxRows rows) and the totals, as text no wider than TABLE_WIDTH. */
export function formatTable(report: SubscriberReport, maxRows = 50): string {
  const shown = report.streams.slice(0, maxRows);
  const cells = [TABLE_COLUMNS.map(([h]) => h), ...shown.map((r) => TABLE_COLUMNS.map(([, f]) => f(r)))];
  const widths = TABLE_COLUMNS.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  // the gocbRef column gives way (both ends kept) so that a row fits
  const others = widths.reduce((s, w, i) => (i === GOCBREF_COLUMN ? s : s + w + 1), 0);
  widths[GOCBREF_COLUMN] = Math.max(7, Math.min(widths[GOCBREF_COLUMN]!, TABLE_WIDTH - others));
  const lines = cells.map((row) =>
    row.map((c, i) => (i === GOCBREF_COLUMN ? fitText(c, widths[i]!) : c)).map((c, i) => (i < LEFT_ALIGNED ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' ').trimEnd(),
  );
  if (report.streams.length > shown.length) lines.push(`… ${report.streams.length - shown.length} more streams (all in --csv / --json)`);
  if (report.streams.some((r) => !r.expected)) lines.push('* not in --expect');
  lines.push('ANOM findings (a gap of 3 frames is 1) · LOST frames missing · TALEXP frames past their TAL · STOP times stopped');
  const t = report.totals;
  lines.push('');
  lines.push(
    `streams ${t.streams}: ok ${t.streams_ok}, anomalies ${t.streams_with_anomalies}, tal-expired ${t.streams_tal_expired}, stopped ${t.streams_stopped}, ` +
      `never-seen ${t.streams_never_seen}, unexpected ${t.streams_unexpected}`,
  );
  lines.push(
    `frames ${t.frames}: GOOSE ${t.goose_messages}, SV ${t.sv_frames}, GSE ${t.gse_frames}, other ${t.other_frames}, decode errors ${t.decode_errors}` +
      (t.decode_errors ? ` (${Object.entries(t.decode_errors_by_reason).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''),
  );
  lines.push(`frames lost ${t.frames_lost}, duplicates ${t.duplicate_messages}, out of order ${t.out_of_order_messages}, stNum backwards ${t.st_num_backwards}, TAL expired ${t.tal_expired}`);
  lines.push(
    `confRev changes ${t.conf_rev_changes}, dataset changes ${t.dataset_changes}, entry-count mismatches ${t.entry_count_mismatches}, ndsCom ${t.nds_com_messages}, simulation ${t.simulation_messages}` +
      (t.kernel_drops ? `, kernel drops ${t.kernel_drops}` : '') +
      (t.frames_not_judged ? `, not judged ${t.frames_not_judged}` : ''),
  );
  if (t.event_latency_count > 0) {
    lines.push(
      `event latency (t → sqNum 0 arrival, ${t.event_latency_count} samples): p50 ${t.event_latency_p50_us} µs, p99 ${t.event_latency_p99_us} µs, p99.9 ${t.event_latency_p99_9_us} µs, max ${t.event_latency_max_us} µs`,
    );
  }
  lines.push(verdictLine(t));
  return `${lines.join('\n')}\n`;
}
