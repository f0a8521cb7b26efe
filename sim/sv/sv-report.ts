// The subscriber's Sampled Values report: one row per stream (counters, jitter and age
// percentiles, the fault record — inception time and sample, pre-fault and fault cycle per
// channel — and the last cycle's RMS / fundamental / angle per channel), as a table (stdout;
// stderr with --json), CSV (csv-stringify) and JSON. Column names carry their units; schema in
// docs/sv.md.
import { stringify } from 'csv-stringify/sync';
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import { utcTimeFromMicros, utcTimeToIso } from '../../bridge/codec/utc-time.js';
import { newMicrosHistogram } from '../core/latency-samples.js';
import { SV_CHANNELS } from './sv-model.js';
import type { SvReceiver } from './sv-receiver.js';
import type { SvPhasor, SvStreamTracker } from './sv-stream-tracker.js';

export type SvRow = Record<string, string | number>;

const PCT = [
  ['p50', 50],
  ['p99', 99],
  ['p99_9', 99.9],
] as const;

function percentiles(prefix: string, h: Histogram): SvRow {
  const row: SvRow = {};
  for (const [k, p] of PCT) row[`${prefix}_${k}_us`] = h.totalCount > 0 ? h.getValueAtPercentile(p) : '';
  row[`${prefix}_max_us`] = h.totalCount > 0 ? h.maxValue : '';
  return row;
}

const hexAppId = (a: number): string => `0x${a.toString(16).padStart(4, '0')}`;
const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Wall-clock µs as ISO-8601 UTC with microseconds. */
export function isoUtcUs(epochUs: number): string {
  return utcTimeToIso(utcTimeFromMicros(epochUs));
}

/** `<prefix><ch>_rms_<a|v>`, `<prefix><ch>_fund_rms_<a|v>`, `<prefix><ch>_angle_deg` per channel ('' without a cycle). */
function phasorColumns(row: SvRow, prefix: string, ph: SvPhasor[] | undefined): void {
  SV_CHANNELS.forEach((ch, c) => {
    const name = `${prefix}${ch.toLowerCase()}`;
    const unit = c < 4 ? 'a' : 'v';
    const p = ph?.[c];
    row[`${name}_rms_${unit}`] = p ? round(p.rms, 4) : '';
    row[`${name}_fund_rms_${unit}`] = p ? round(p.fundamentalRms, 4) : '';
    row[`${name}_angle_deg`] = p ? round(p.angleDeg, 2) : '';
  });
}

/** One stream's row; `wallOffsetUs` turns the tracker's receive times into wall-clock µs. */
export function svRow(t: SvStreamTracker, wallOffsetUs = 0): SvRow {
  const c = t.counters;
  const f = t.fault;
  const faultUtcUs = f ? Math.round(f.rxUs + wallOffsetUs) : undefined;
  const row: SvRow = {
    appid: hexAppId(t.key.appId),
    sv_id: t.key.svID,
    src_mac: t.key.src,
    frames: c.frames,
    samples: c.samples,
    missing: c.missing,
    gaps: c.gaps,
    duplicates: c.duplicates,
    out_of_order: c.outOfOrder,
    wrap_errors: c.wrapErrors,
    smp_synch: t.smpSynch,
    smp_synch_changes: c.smpSynchChanges,
    unsynchronized_samples: c.unsynchronized,
    conf_rev: t.confRev,
    conf_rev_changes: c.confRevChanges,
    quality_invalid_samples: c.qualityInvalid,
    quality_questionable_samples: c.qualityQuestionable,
    quality_test_samples: c.qualityTest,
    quality_or: `0x${t.qualityOr.toString(16).padStart(8, '0')}`,
    not_92le_samples: c.not92le,
    ...percentiles('jitter', t.jitter),
    ...percentiles('age', t.age),
    disturbances: c.disturbances,
    fault_channel: f?.channel ?? '',
    fault_smp_cnt: f?.smpCnt ?? '',
    fault_sample_index: f?.sampleIndex ?? '',
    fault_utc: faultUtcUs === undefined ? '' : isoUtcUs(faultUtcUs),
    fault_utc_us: faultUtcUs ?? '',
  };
  phasorColumns(row, 'prefault_', f?.prefault);
  phasorColumns(row, 'fault_', f?.fault);
  phasorColumns(row, '', t.phasors());
  return row;
}

export interface SvReport {
  frames: number;
  streams: SvRow[];
  disturbances: Record<string, unknown>[];
  /** Every stream's jitter and age histograms added up (HdrHistogram compressed base64), for merging runs. */
  jitter_histogram: string;
  age_histogram: string;
}

function merged(trackers: SvStreamTracker[], pick: (t: SvStreamTracker) => Histogram): string {
  const h = newMicrosHistogram(false);
  for (const t of trackers) h.add(pick(t));
  return hdr.encodeIntoCompressedBase64(h);
}

export function svReport(r: SvReceiver): SvReport {
  const trackers = [...r.streams.values()];
  return {
    frames: r.frames,
    streams: trackers.map((t) => svRow(t, r.wallOffsetUs)),
    disturbances: trackers.flatMap((t) => t.disturbances.map((d) => ({ sv_id: t.key.svID, appid: hexAppId(t.key.appId), ...d }))),
    jitter_histogram: merged(trackers, (t) => t.jitter),
    age_histogram: merged(trackers, (t) => t.age),
  };
}

export function formatSvCsv(rows: SvRow[]): string {
  return stringify(rows, { header: true, columns: rows.length > 0 ? Object.keys(rows[0]!) : ['appid'] });
}

const TABLE: [string, string][] = [
  ['svID', 'sv_id'], ['APPID', 'appid'], ['samples', 'samples'], ['missing', 'missing'], ['dup', 'duplicates'], ['ooo', 'out_of_order'],
  ['wrap', 'wrap_errors'], ['synch', 'smp_synch'], ['q_or', 'quality_or'], ['jit p99 µs', 'jitter_p99_us'], ['age p99 µs', 'age_p99_us'],
  ['dist', 'disturbances'], ['fault smpCnt', 'fault_smp_cnt'],
];

function aligned(cells: string[][], leftColumns: number): string[] {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
}

/** A stream's cycles, one block: RMS row and angle row per cycle (pre-fault, fault, last). */
function valuesBlock(r: SvRow): string[] {
  const head = ['', ...SV_CHANNELS.map((ch, c) => `${ch} ${c < 4 ? 'A' : 'V'}`)];
  const cells = [head];
  const cycles: [string, string][] = r.fault_smp_cnt === '' ? [['last cycle', '']] : [['pre-fault', 'prefault_'], ['fault', 'fault_'], ['last cycle', '']];
  for (const [label, prefix] of cycles) {
    const rms = SV_CHANNELS.map((ch, c) => r[`${prefix}${ch.toLowerCase()}_rms_${c < 4 ? 'a' : 'v'}`]);
    cells.push([label, ...rms.map((v) => (v === '' ? '–' : Number(v).toFixed(3)))]);
    // the angle of a channel near zero (a balanced neutral) is noise
    cells.push(['  angle °', ...SV_CHANNELS.map((ch, c) => (Number(rms[c]) > 0.01 ? Number(r[`${prefix}${ch.toLowerCase()}_angle_deg`]).toFixed(1) : '–'))]);
  }
  const title = r.fault_smp_cnt === ''
    ? [`${r.sv_id} ${r.appid}: no fault detected`]
    : [`${r.sv_id} ${r.appid}: fault at ${r.fault_utc} (UTC, receive time)`, `  smpCnt ${r.fault_smp_cnt} = sample ${r.fault_sample_index} since stream start; first step on ${r.fault_channel}`];
  return [...title, ...aligned(cells, 1).map((l) => `  ${l}`)];
}

export function formatSvTable(rows: SvRow[], maxRows = 50): string {
  const shown = rows.slice(0, maxRows);
  const lines = aligned([TABLE.map(([h]) => h), ...shown.map((r) => TABLE.map(([, k]) => String(r[k] ?? '')))], 2);
  if (rows.length > shown.length) lines.push(`… ${rows.length - shown.length} more SV streams (all in --sv-csv / --sv-json)`);
  const blocks = shown.flatMap(valuesBlock);
  const legend = [
    'Sampled Values per cycle: true RMS over one cycle (A, V), angle of the fundamental vs the cycle at smpCnt 0;',
    'fault = the first sample with |x[n] − x[n − one cycle]| > 10 % of the channel peak + 20 LSB',
  ];
  return `Sampled Values:\n${lines.join('\n')}\n${shown.length > 0 ? `\n${[...legend, ...blocks].join('\n')}\n` : ''}`;
}
