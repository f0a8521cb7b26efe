// The subscriber's statistics: per-stream rows and totals (snake_case keys, units in the names,
// percentiles in autocannon's shape p50 / p97_5 / p99_9), and printers that return strings —
// the CLI decides where they go (table to stderr, JSON to stdout, CSV to a file).
import type { Histogram } from 'hdr-histogram-js';
import { toCsv } from './csv.js';
import type { StreamReceiver } from './stream-receiver.js';
import { ANOMALY_KEYS, type StreamCounters, type StreamKey, type StreamTracker } from './stream-tracker.js';

export type StreamStatus = 'ok' | 'anomalies' | 'lost' | 'never-seen';

export interface LatencySummary {
  event_latency_count: number;
  event_latency_min_us: number;
  event_latency_mean_us: number;
  event_latency_p50_us: number;
  event_latency_p90_us: number;
  event_latency_p97_5_us: number;
  event_latency_p99_us: number;
  event_latency_p99_9_us: number;
  event_latency_max_us: number;
}

export interface StreamRow extends LatencySummary {
  appid: string;
  src_mac: string;
  gocb_ref: string;
  go_id: string;
  dat_set: string;
  /** ok | anomalies | lost (TAL expired and silent at the end) | never-seen (expected, no message) */
  status: StreamStatus;
  /** false when --expect was given and the stream is not in it */
  expected: boolean;
  messages: number;
  valid_messages: number;
  state_changes: number;
  lost_messages: number;
  duplicate_messages: number;
  out_of_order_messages: number;
  tal_expiries: number;
  st_num_backwards: number;
  st_num_wraps: number;
  sq_num_wraps: number;
  conf_rev_changes: number;
  dataset_changes: number;
  dataset_differs_from_first: boolean;
  entry_count_mismatches: number;
  nds_com_messages: number;
  simulation_messages: number;
  anomalies: number;
  last_st_num: number;
  last_sq_num: number;
  last_tal_ms: number;
  conf_rev: number;
  first_rx_us: number;
  last_rx_us: number;
}

export interface Totals extends LatencySummary {
  streams: number;
  streams_ok: number;
  streams_with_anomalies: number;
  streams_lost: number;
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
  lost_messages: number;
  duplicate_messages: number;
  out_of_order_messages: number;
  tal_expiries: number;
  st_num_backwards: number;
  conf_rev_changes: number;
  dataset_changes: number;
  entry_count_mismatches: number;
  nds_com_messages: number;
  simulation_messages: number;
  /** Frames the kernel dropped before the subscriber read them (receive buffer full; interface only). */
  kernel_drops: number;
  /** Event-latency samples dropped because `t` was after the receive time (clocks not shared). */
  negative_latency_samples: number;
  anomalies: number;
  duration_us: number;
}

export interface SubscriberReport {
  streams: StreamRow[];
  totals: Totals;
}

function latencySummary(h: Histogram | undefined): LatencySummary {
  const n = h?.totalCount ?? 0;
  const q = (p: number): number => (h && n > 0 ? h.getValueAtPercentile(p) : 0);
  return {
    event_latency_count: n,
    event_latency_min_us: q(0),
    event_latency_mean_us: h && n > 0 ? Math.round(h.mean) : 0,
    event_latency_p50_us: q(50),
    event_latency_p90_us: q(90),
    event_latency_p97_5_us: q(97.5),
    event_latency_p99_us: q(99),
    event_latency_p99_9_us: q(99.9),
    event_latency_max_us: h && n > 0 ? h.maxValue : 0,
  };
}

export function anomalyCount(c: StreamCounters): number {
  let n = 0;
  for (const k of ANOMALY_KEYS) n += c[k];
  return n;
}

function hexAppId(appId: number): string {
  return `0x${appId.toString(16).padStart(4, '0')}`;
}

function trackerRow(rx: StreamReceiver, t: StreamTracker): StreamRow {
  const c = t.counters;
  const anomalies = anomalyCount(c);
  return {
    appid: hexAppId(t.key.appId),
    src_mac: t.key.src,
    gocb_ref: t.key.gocbRef,
    go_id: t.goID ?? '',
    dat_set: t.datSet,
    status: t.expired ? 'lost' : anomalies > 0 ? 'anomalies' : 'ok',
    expected: rx.isExpected(t),
    messages: c.messages,
    valid_messages: c.valid,
    state_changes: c.stateChanges,
    lost_messages: c.lost,
    duplicate_messages: c.duplicates,
    out_of_order_messages: c.outOfOrder,
    tal_expiries: c.talExpiries,
    st_num_backwards: c.stNumBackwards,
    st_num_wraps: c.stNumWraps,
    sq_num_wraps: c.sqNumWraps,
    conf_rev_changes: c.confRevChanges,
    dataset_changes: c.datasetChanges,
    dataset_differs_from_first: t.datasetDiffersFromFirst,
    entry_count_mismatches: c.entryCountMismatches,
    nds_com_messages: c.ndsComMessages,
    simulation_messages: c.simulationMessages,
    anomalies,
    last_st_num: t.stNum,
    last_sq_num: t.sqHigh,
    last_tal_ms: t.lastTalMs,
    conf_rev: t.confRev,
    first_rx_us: t.firstRxUs,
    last_rx_us: t.lastRxUs,
    ...latencySummary(rx.latency.get(t)),
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
    lost_messages: 0,
    duplicate_messages: 0,
    out_of_order_messages: 0,
    tal_expiries: 0,
    st_num_backwards: 0,
    st_num_wraps: 0,
    sq_num_wraps: 0,
    conf_rev_changes: 0,
    dataset_changes: 0,
    dataset_differs_from_first: false,
    entry_count_mismatches: 0,
    nds_com_messages: 0,
    simulation_messages: 0,
    anomalies: 1, // being absent is the anomaly
    last_st_num: 0,
    last_sq_num: 0,
    last_tal_ms: 0,
    conf_rev: 0,
    first_rx_us: -1,
    last_rx_us: -1,
    ...latencySummary(undefined),
  };
}

const STATUS_ORDER: Record<StreamStatus, number> = { 'never-seen': 0, lost: 1, anomalies: 2, ok: 3 };

/** Builds the report: streams sorted problems first, then by APPID, source, gocbRef. */
export function buildReport(rx: StreamReceiver, capture: { kernelDrops?: number } = {}): SubscriberReport {
  const rows = [...rx.streams.values()].map((t) => trackerRow(rx, t));
  for (const k of rx.neverSeen()) rows.push(neverSeenRow(k));
  rows.sort(
    (a, b) =>
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
      a.appid.localeCompare(b.appid) ||
      a.src_mac.localeCompare(b.src_mac) ||
      a.gocb_ref.localeCompare(b.gocb_ref),
  );
  const sum = (k: keyof StreamRow): number => rows.reduce((s, r) => s + (r[k] as number), 0);
  const decodeErrors: Record<string, number> = {};
  let decodeErrorCount = 0;
  for (const [code, n] of [...rx.decodeErrors].sort()) {
    decodeErrors[code] = n;
    decodeErrorCount += n;
  }
  const neverSeen = rows.filter((r) => r.status === 'never-seen').length;
  const unexpected = rows.filter((r) => !r.expected).length;
  const totals: Totals = {
    streams: rows.length,
    streams_ok: rows.filter((r) => r.status === 'ok').length,
    streams_with_anomalies: rows.filter((r) => r.status === 'anomalies').length,
    streams_lost: rows.filter((r) => r.status === 'lost').length,
    streams_never_seen: neverSeen,
    streams_unexpected: unexpected,
    frames: rx.frames,
    goose_messages: sum('messages'),
    sv_frames: rx.svFrames,
    gse_frames: rx.gseFrames,
    other_frames: rx.notOurs,
    decode_errors: decodeErrorCount,
    decode_errors_by_reason: decodeErrors,
    lost_messages: sum('lost_messages'),
    duplicate_messages: sum('duplicate_messages'),
    out_of_order_messages: sum('out_of_order_messages'),
    tal_expiries: sum('tal_expiries'),
    st_num_backwards: sum('st_num_backwards'),
    conf_rev_changes: sum('conf_rev_changes'),
    dataset_changes: sum('dataset_changes'),
    entry_count_mismatches: sum('entry_count_mismatches'),
    nds_com_messages: sum('nds_com_messages'),
    simulation_messages: sum('simulation_messages'),
    kernel_drops: capture.kernelDrops ?? 0,
    negative_latency_samples: rx.negativeLatency,
    // never-seen streams, unexpected streams and decode errors count as anomalies of the run
    anomalies: sum('anomalies') + decodeErrorCount + unexpected,
    duration_us: rx.firstRxUs < 0 ? 0 : rx.lastRxUs - rx.firstRxUs,
    ...latencySummary(rx.totalLatency),
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
  'lost_messages',
  'duplicate_messages',
  'out_of_order_messages',
  'tal_expiries',
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
  return toCsv(CSV_COLUMNS, report.streams);
}

export function formatJson(report: SubscriberReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const TABLE_COLUMNS: [string, (r: StreamRow) => string][] = [
  ['APPID', (r) => r.appid],
  ['SRC MAC', (r) => r.src_mac],
  ['GOCBREF', (r) => r.gocb_ref],
  ['STATUS', (r) => r.status + (r.expected ? '' : '*')],
  ['MSGS', (r) => String(r.messages)],
  ['ST', (r) => String(r.last_st_num)],
  ['LOST', (r) => String(r.lost_messages)],
  ['DUP', (r) => String(r.duplicate_messages)],
  ['OOO', (r) => String(r.out_of_order_messages)],
  ['TALEXP', (r) => String(r.tal_expiries)],
  ['STBACK', (r) => String(r.st_num_backwards)],
  ['CONFREV', (r) => String(r.conf_rev_changes)],
  ['DSCHG', (r) => String(r.dataset_changes)],
  ['NDSCOM', (r) => String(r.nds_com_messages)],
  ['SIM', (r) => String(r.simulation_messages)],
  ['LAT_P50_US', (r) => (r.event_latency_count ? String(r.event_latency_p50_us) : '-')],
  ['LAT_P99_US', (r) => (r.event_latency_count ? String(r.event_latency_p99_us) : '-')],
];

/** Per-stream table (problems first, at most maxRows rows) and the totals, as text. */
export function formatTable(report: SubscriberReport, maxRows = 50): string {
  const shown = report.streams.slice(0, maxRows);
  const cells = [TABLE_COLUMNS.map(([h]) => h), ...shown.map((r) => TABLE_COLUMNS.map(([, f]) => f(r)))];
  const widths = TABLE_COLUMNS.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const lines = cells.map((row) => row.map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
  if (report.streams.length > shown.length) lines.push(`… ${report.streams.length - shown.length} more streams (all in --csv / --json)`);
  if (report.streams.some((r) => !r.expected)) lines.push('* not in --expect');
  const t = report.totals;
  lines.push('');
  lines.push(
    `streams ${t.streams}: ok ${t.streams_ok}, with anomalies ${t.streams_with_anomalies}, lost (TAL expired) ${t.streams_lost}, never seen ${t.streams_never_seen}, unexpected ${t.streams_unexpected}`,
  );
  lines.push(
    `frames ${t.frames}: GOOSE ${t.goose_messages}, SV ${t.sv_frames}, GSE ${t.gse_frames}, other ${t.other_frames}, decode errors ${t.decode_errors}` +
      (t.decode_errors ? ` (${Object.entries(t.decode_errors_by_reason).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''),
  );
  lines.push(
    `lost ${t.lost_messages}, duplicates ${t.duplicate_messages}, out of order ${t.out_of_order_messages}, TAL expiries ${t.tal_expiries}, stNum backwards ${t.st_num_backwards}, ` +
      `confRev changes ${t.conf_rev_changes}, dataset changes ${t.dataset_changes}, entry-count mismatches ${t.entry_count_mismatches}, ndsCom ${t.nds_com_messages}, simulation ${t.simulation_messages}`,
  );
  if (t.event_latency_count > 0) {
    lines.push(
      `event latency (t → arrival of sqNum 0, ${t.event_latency_count} samples): p50 ${t.event_latency_p50_us} µs, p99 ${t.event_latency_p99_us} µs, p99.9 ${t.event_latency_p99_9_us} µs, max ${t.event_latency_max_us} µs`,
    );
  }
  lines.push(`anomalies: ${t.anomalies}`);
  return `${lines.join('\n')}\n`;
}
