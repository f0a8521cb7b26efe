// The subscriber's statistics: per-stream rows and totals (snake_case keys, units in the names,
// percentiles in autocannon's shape p50 / p97_5 / p99_9), and printers that return strings —
// the CLI decides where they go (table to stderr, JSON to stdout, CSV to a file). The verdict
// words are the monitor's event groups (monitor/event-kinds.ts): anomaly, tal-expired, stopped,
// never-seen, unexpected — the same in the table, the JSON, the event log and --fail-on.
import { toCsv } from '../core/csv.js';
import { emptyLatencySummary, histogramSummary, type LatencySummary } from '../core/latency-samples.js';
import { namedValues, type DatasetLayout, type StateChange } from '../monitor/dataset-values.js';
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
      readonly names: DatasetLayout | undefined;
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
  /** Frames offered to the subscriber but not judged: its backlog was full, or they were still queued (in the kernel's socket buffer or the subscriber) when the run stopped. */
  frames_not_judged: number;
  /** Event-latency samples dropped because `t` was after the receive time (clocks not shared). */
  negative_latency_samples: number;
  /** Findings of the anomaly group, malformed frames included. */
  anomalies: number;
  duration_us: number;
  /** Streams left out of the JSON's streams list because a signal's exit deadline came first (all are counted in these totals). */
  streams_not_written: number;
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

/** The report's rows in order, each built when asked for: a writer streams them without holding them all. */
export interface ReportRows {
  readonly length: number;
  at(i: number): StreamRow;
}

/** A report whose rows are built on demand (planReport); buildReport materialises them. */
export interface LazyReport {
  rows: ReportRows;
  totals: Totals;
}

/**
 * Orders the streams (problems first, then by APPID, source, gocbRef) and sums the totals from
 * the trackers' counters, building no row: the rows come one at a time from `rows.at(i)`, so the
 * end of a run of 100,000 streams costs a sort and a pass over the counters before the first
 * line is written.
 */
export function planReport(f: RunFindings, capture: { kernelDrops?: number; backlogDrops?: number } = {}): LazyReport {
  const rx = f.receiver;
  const trackers = [...rx.streams.values()];
  const never = rx.neverSeen();
  const byStatus: Record<StreamStatus, number> = { 'never-seen': never.length, stopped: 0, anomalies: 0, 'tal-expired': 0, ok: 0 };
  const entries: { key: StreamKey; rank: number; tracker: StreamTracker | undefined }[] = never.map((key) => ({ key, rank: STATUS_ORDER['never-seen'], tracker: undefined }));
  const sum = { messages: 0, lost: 0, duplicates: 0, outOfOrder: 0, talExpired: 0, stopped: 0, stNumBackwards: 0, confRev: 0, dataset: 0, entryCount: 0, ndsCom: 0, simulation: 0 };
  let unexpected = 0;
  for (const t of trackers) {
    const w = f.watches.get(t);
    const status = statusOf(w);
    byStatus[status]++;
    entries.push({ key: t.key, rank: STATUS_ORDER[status], tracker: t });
    if (!rx.isExpected(t)) unexpected++;
    const c = t.counters;
    sum.messages += c.messages;
    sum.lost += c.lost;
    sum.duplicates += c.duplicates;
    sum.outOfOrder += c.outOfOrder;
    sum.talExpired += w?.counts['tal-expired'] ?? 0;
    sum.stopped += w?.counts.stopped ?? 0;
    sum.stNumBackwards += c.stNumBackwards;
    sum.confRev += c.confRevChanges;
    sum.dataset += c.datasetChanges;
    sum.entryCount += c.entryCountMismatches;
    sum.ndsCom += c.ndsComMessages;
    sum.simulation += c.simulationMessages;
  }
  entries.sort((a, b) => a.rank - b.rank || byStream(a.key, b.key));
  const decodeErrors: Record<string, number> = {};
  let decodeErrorCount = 0;
  for (const [code, n] of [...rx.decodeErrors].sort()) {
    decodeErrors[code] = n;
    decodeErrorCount += n;
  }
  let anomalies = 0;
  for (const [k, n] of f.counts) if (EVENT_KINDS[k].group === 'anomaly') anomalies += n;
  const totals: Totals = {
    streams: entries.length,
    streams_ok: byStatus.ok,
    streams_with_anomalies: byStatus.anomalies,
    streams_tal_expired: byStatus['tal-expired'],
    streams_stopped: byStatus.stopped,
    streams_never_seen: byStatus['never-seen'],
    streams_unexpected: unexpected,
    frames: rx.frames,
    goose_messages: sum.messages,
    sv_frames: rx.svFrames,
    gse_frames: rx.gseFrames,
    other_frames: rx.notOurs,
    decode_errors: decodeErrorCount,
    decode_errors_by_reason: decodeErrors,
    frames_lost: sum.lost,
    duplicate_messages: sum.duplicates,
    out_of_order_messages: sum.outOfOrder,
    tal_expired: sum.talExpired,
    stopped: sum.stopped,
    st_num_backwards: sum.stNumBackwards,
    conf_rev_changes: sum.confRev,
    dataset_changes: sum.dataset,
    entry_count_mismatches: sum.entryCount,
    nds_com_messages: sum.ndsCom,
    simulation_messages: sum.simulation,
    kernel_drops: capture.kernelDrops ?? 0,
    frames_not_judged: capture.backlogDrops ?? 0,
    negative_latency_samples: rx.negativeLatency,
    anomalies,
    duration_us: rx.firstRxUs < 0 ? 0 : rx.lastRxUs - rx.firstRxUs,
    streams_not_written: 0,
    ...histogramSummary(rx.totalLatency),
  };
  return {
    rows: {
      length: entries.length,
      at: (i) => {
        const e = entries[i]!;
        return e.tracker ? trackerRow(f, e.tracker) : neverSeenRow(e.key);
      },
    },
    totals,
  };
}

/** Every row built (--csv, tests). */
export function materialize({ rows, totals }: LazyReport): SubscriberReport {
  return { streams: Array.from({ length: rows.length }, (_, i) => rows.at(i)), totals };
}

export function buildReport(f: RunFindings, capture: { kernelDrops?: number; backlogDrops?: number } = {}): SubscriberReport {
  return materialize(planReport(f, capture));
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

function rowsOf(report: SubscriberReport): LazyReport {
  return { rows: { length: report.streams.length, at: (i) => report.streams[i]! }, totals: report.totals };
}

/** Per-stream table (problems first, at most maxRows rows) and the totals, as text no wider than TABLE_WIDTH. */
export function formatTable(built: LazyReport | SubscriberReport, maxRows = 50): string {
  const report = 'rows' in built ? built : rowsOf(built);
  const shown = Array.from({ length: Math.min(maxRows, report.rows.length) }, (_, i) => report.rows.at(i));
  const cells = [TABLE_COLUMNS.map(([h]) => h), ...shown.map((r) => TABLE_COLUMNS.map(([, f]) => f(r)))];
  const widths = TABLE_COLUMNS.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  // the gocbRef column gives way (both ends kept) so that a row fits
  const others = widths.reduce((s, w, i) => (i === GOCBREF_COLUMN ? s : s + w + 1), 0);
  widths[GOCBREF_COLUMN] = Math.max(7, Math.min(widths[GOCBREF_COLUMN]!, TABLE_WIDTH - others));
  const lines = cells.map((row) =>
    row.map((c, i) => (i === GOCBREF_COLUMN ? fitText(c, widths[i]!) : c)).map((c, i) => (i < LEFT_ALIGNED ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' ').trimEnd(),
  );
  if (report.rows.length > shown.length) lines.push(`… ${report.rows.length - shown.length} more streams (all in --csv / --json)`);
  if (report.totals.streams_unexpected > 0) lines.push('* not in --expect');
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
