// The subscriber's Sampled Values report: one row per stream (counters, jitter and age
// percentiles, first disturbance, and RMS / fundamental / angle per channel), as a table
// (stderr), CSV (csv-stringify) and JSON. Column names carry their units; schema in docs/sv.md.
import { stringify } from 'csv-stringify/sync';
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import { SV_CHANNELS } from './sv-model.js';
import type { SvReceiver } from './sv-receiver.js';
import type { SvStreamTracker } from './sv-stream-tracker.js';

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

export function svRow(t: SvStreamTracker): SvRow {
  const first = t.disturbances[0];
  const row: SvRow = {
    appid: hexAppId(t.key.appId),
    sv_id: t.key.svID,
    src_mac: t.key.src,
    frames: t.frames,
    samples: t.samples,
    missing: t.missing,
    gaps: t.gaps,
    duplicates: t.duplicates,
    out_of_order: t.outOfOrder,
    wrap_errors: t.wrapErrors,
    smp_synch: t.smpSynch,
    smp_synch_changes: t.smpSynchChanges,
    unsynchronized_samples: t.unsynchronized,
    conf_rev: t.confRev,
    conf_rev_changes: t.confRevChanges,
    quality_invalid_samples: t.qualityInvalid,
    quality_questionable_samples: t.qualityQuestionable,
    quality_test_samples: t.qualityTest,
    quality_or: `0x${t.qualityOr.toString(16).padStart(8, '0')}`,
    not_92le_samples: t.not92le,
    ...percentiles('jitter', t.jitter),
    ...percentiles('age', t.age),
    disturbances: t.disturbanceCount,
    first_disturbance_channel: first?.channel ?? '',
    first_disturbance_smp_cnt: first?.smpCnt ?? '',
  };
  const ph = t.phasors();
  SV_CHANNELS.forEach((ch, c) => {
    const name = ch.toLowerCase();
    const unit = c < 4 ? 'a' : 'v';
    const p = ph?.[c];
    row[`${name}_rms_${unit}`] = p ? round(p.rms, 4) : '';
    row[`${name}_fund_rms_${unit}`] = p ? round(p.fundamentalRms, 4) : '';
    row[`${name}_angle_deg`] = p ? round(p.angleDeg, 2) : '';
  });
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
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  for (const t of trackers) h.add(pick(t));
  return hdr.encodeIntoCompressedBase64(h);
}

export function svReport(r: SvReceiver): SvReport {
  const trackers = [...r.streams.values()];
  return {
    frames: r.frames,
    streams: trackers.map(svRow),
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
  ['IA A', 'ia_rms_a'], ['VA V', 'va_rms_v'], ['VA°', 'va_angle_deg'], ['dist', 'disturbances'], ['1st dist smpCnt', 'first_disturbance_smp_cnt'],
];

export function formatSvTable(rows: SvRow[], maxRows = 50): string {
  const shown = rows.slice(0, maxRows);
  const cells = [TABLE.map(([h]) => h), ...shown.map((r) => TABLE.map(([, k]) => String(r[k] ?? '')))];
  const widths = TABLE.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const lines = cells.map((row) => row.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
  if (rows.length > shown.length) lines.push(`… ${rows.length - shown.length} more SV streams (all in --sv-csv / --sv-json)`);
  return `Sampled Values:\n${lines.join('\n')}\n`;
}
