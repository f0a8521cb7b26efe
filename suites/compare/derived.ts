// The ratio rows of a report (`bridge/vxlan`) and its totals are derived from raw rows in the
// same folder. report:compare never trusts them: it recomputes every ratio from the raw rows of
// both runs, judges the recomputed values, and fails a folder whose stored derived rows or
// counters disagree with the rows they come from (an edited or corrupted report, or a suite
// that wrote one thing and measured another). Pure.
import type { Row } from '../report/csv.js';

/** The reference path every ratio divides by. */
export const REFERENCE_PATH = 'vxlan';

/** Per file with ratio rows: the columns that pair a path's row with the reference's (copied into the ratio row). */
export const DERIVED_FILES: Record<string, readonly string[]> = {
  'latency.csv': ['rate_fps', 'publishers', 'frame_bytes'],
  'latency-slices.csv': ['round'],
  'throughput.csv': ['frame_bytes'],
};

/** Files whose rows carry sent/received/lost counters of one path. */
export const COUNTER_FILES = new Set(['latency.csv', 'throughput.csv', 'throughput-trials.csv', 'loss.csv', 'sv.csv']);

/** A figure that is divided in a ratio row: latencies, rates, bandwidths (counts and CPU are not). */
const isRatioColumn = (c: string): boolean => /_us$|_fps$|^mbit_s$/.test(c);

export const isRatioPath = (path: unknown): boolean => typeof path === 'string' && path.includes('/');

const num = (v: unknown): number | null => {
  if (v === undefined || v === null || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};

/** a / b to 3 decimals, as the suites write ratios; null when either is missing or b is 0. */
export function ratio3(a: unknown, b: unknown): number | null {
  const x = num(a);
  const y = num(b);
  return x === null || y === null || y === 0 ? null : Math.round((x / y) * 1000) / 1000;
}

/** A throughput figure that is only a lower bound: the search ceiling or the generator stopped it. */
export function isLowerBound(r: Row | undefined): boolean {
  return r !== undefined && (r.bound === '≥' || r.limited_by === 'ceiling' || r.limited_by === 'generator');
}

/** bridge/VXLAN bound from its two figures' bounds: ≥ (bridge capped), ≤ (reference capped), ? (both), =. */
export function ratioBoundOf(path: Row | undefined, reference: Row | undefined): '=' | '≥' | '≤' | '?' {
  const p = isLowerBound(path);
  const v = isLowerBound(reference);
  return p && v ? '?' : p ? '≥' : v ? '≤' : '=';
}

const keyOf = (r: Row, key: readonly string[]): string => key.map((k) => String(r[k] ?? '')).join('|');

/** The ratio rows of `file` computed from its raw rows, one per non-reference path and key. */
export function ratioRowsFromRaw(file: string, rows: readonly Row[]): Row[] {
  const key = DERIVED_FILES[file];
  if (!key) return [];
  const raw = rows.filter((r) => !isRatioPath(r.path));
  const columns = Object.keys(rows[0] ?? {}).filter((c) => isRatioColumn(c) && !key.includes(c));
  const refs = new Map(raw.filter((r) => r.path === REFERENCE_PATH).map((r) => [keyOf(r, key), r]));
  const out: Row[] = [];
  for (const p of raw.filter((r) => r.path !== REFERENCE_PATH)) {
    const v = refs.get(keyOf(p, key));
    if (!v) continue;
    const row: Row = { path: `${String(p.path)}/${REFERENCE_PATH}` };
    for (const k of key) row[k] = p[k];
    for (const c of columns) row[c] = ratio3(p[c], v[c]);
    if ('bound' in p) row.bound = ratioBoundOf(p, v);
    out.push(row);
  }
  return out;
}

/** The file's raw rows plus ratio rows recomputed from them (the stored ratio rows dropped). */
export function withRecomputedRatios(file: string, rows: readonly Row[]): Row[] {
  if (!DERIVED_FILES[file]) return [...rows];
  return [...rows.filter((r) => !isRatioPath(r.path)), ...ratioRowsFromRaw(file, rows)];
}

/** Rounding slack: ratios are written to 3 decimals from figures that may themselves be rounded. */
const agrees = (stored: number, computed: number): boolean => Math.abs(stored - computed) <= 0.0015 + 0.002 * Math.abs(computed);

const where = (r: Row, key: readonly string[]): string => [String(r.path), ...key.map((k) => `${k}=${String(r[k] ?? '')}`)].join(' ');

/** Where the stored ratio rows disagree with the raw rows (empty: they agree). */
export function ratioDisagreements(file: string, rows: readonly Row[]): string[] {
  const key = DERIVED_FILES[file];
  if (!key) return [];
  const computed = new Map(ratioRowsFromRaw(file, rows).map((r) => [`${String(r.path)}|${keyOf(r, key)}`, r]));
  const out: string[] = [];
  for (const s of rows.filter((r) => isRatioPath(r.path))) {
    const c = computed.get(`${String(s.path)}|${keyOf(s, key)}`);
    if (!c) {
      out.push(`${where(s, key)}: no raw rows to derive it from`);
      continue;
    }
    for (const [col, v] of Object.entries(s)) {
      if (col === 'bound') {
        if (v !== '' && v !== c.bound) out.push(`${where(s, key)} bound: stored ${String(v)}, raw rows give ${String(c.bound)}`);
        continue;
      }
      const sv = num(v);
      if (!(col in c) || key.includes(col) || sv === null) continue;
      const cv = num(c[col]);
      if (cv === null || !agrees(sv, cv)) out.push(`${where(s, key)} ${col}: stored ${sv}, raw rows give ${cv ?? 'nothing'}`);
    }
  }
  return out;
}

/** Rows whose lost ≠ max(0, sent − received): the counters of one row contradict each other. */
export function counterDisagreements(file: string, rows: readonly Row[]): string[] {
  if (!COUNTER_FILES.has(file)) return [];
  const out: string[] = [];
  for (const r of rows) {
    const [sent, received, lost] = [num(r.sent), num(r.received), num(r.lost)];
    if (sent === null || received === null || lost === null) continue;
    if (lost !== Math.max(0, sent - received)) out.push(`${String(r.path)}: lost ${lost} ≠ sent ${sent} − received ${received}`);
  }
  return out;
}

/**
 * throughput.csv against throughput-trials.csv: an exact ('=') loss-free rate is the highest
 * trial that passed, with that trial's counters, and `trials` counts the trial rows.
 */
export function throughputTrialDisagreements(rows: readonly Row[], trials: readonly Row[]): string[] {
  const out: string[] = [];
  for (const r of rows.filter((x) => !isRatioPath(x.path))) {
    const own = trials.filter((t) => t.path === r.path && String(t.frame_bytes) === String(r.frame_bytes));
    const at = `${String(r.path)} frame_bytes=${String(r.frame_bytes)}`;
    if (num(r.trials) !== null && num(r.trials) !== own.length) out.push(`${at}: trials ${String(r.trials)} but ${own.length} trial rows`);
    if (r.bound !== '=') continue;
    const passed = own.filter((t) => t.loss_free === 'true' || t.loss_free === true);
    const best = passed.reduce<Row | undefined>((b, t) => (b === undefined || Number(t.rate_fps) > Number(b.rate_fps) ? t : b), undefined);
    if (!best) {
      // No trial passed: the search's figure is 0, with nothing sent in it.
      if (num(r.rate_fps) !== 0 || (num(r.sent) ?? 0) !== 0) out.push(`${at}: rate ${String(r.rate_fps)} but no loss-free trial`);
      continue;
    }
    for (const c of ['rate_fps', 'sent', 'received']) {
      if (num(r[c]) !== num(best[c])) out.push(`${at} ${c}: ${String(r[c])}, best loss-free trial ${String(best[c])}`);
    }
  }
  return out;
}
