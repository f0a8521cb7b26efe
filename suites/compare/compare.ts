// report:compare — a report folder against a committed baseline. Each rule of the tolerance file
// picks rows of one CSV (match + key columns) and one column, and decides in one of three ways:
//   threshold: the current value may be worse than the baseline by relative/absolute slack
//              (counts that must stay 0, figures with no sample distribution); a figure that is
//              only a bound (throughput.csv's bound/limited_by) gets "could not judge", not a verdict;
//   slices:    the per-slice values (latency-slices.csv) against the baseline's median moved by
//              the slack, one-sided Wilcoxon signed-rank test at the rule's alpha (optionally on
//              pairs of rounds, for tails);
//   binomial:  a count in the current run against a probability from the same row (loss against
//              the injected rate, delivered states against the prediction), exact binomial test.
// Every rule states its false-alarm rate: alpha for the tests, a documented figure for thresholds.
// A missing file, row, column or empty cell fails a rule unless it is optional. Ratio rows are
// never read as stored: every ratio is recomputed from both runs' raw rows, and a folder whose
// stored ratios or counters disagree with its raw rows fails (derived.ts). Pure comparison; file
// reading at the edges.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsv, type Row } from '../report/csv.js';
import { renderTable } from '../report/table.js';
import { binomialBeyond, median, signedRankBeyond } from './stat-tests.js';
import { COUNTER_FILES, counterDisagreements, DERIVED_FILES, isLowerBound, isRatioPath, ratioDisagreements, throughputTrialDisagreements, withRecomputedRatios } from './derived.js';
import { provenanceWarnings } from './provenance.js';

interface RuleBase {
  /** CSV file name in both folders, e.g. latency.csv. */
  file: string;
  /** Rows whose columns equal these values (e.g. {"path": "bridge/vxlan"}). */
  match: Record<string, string>;
  /** Columns that pair a baseline row with a current row (e.g. ["frame_bytes"]). */
  key?: string[];
  /** A rule whose file or rows are missing in either folder is skipped instead of failing. */
  optional?: boolean;
  why?: string;
}

export interface ThresholdRule extends RuleBase {
  kind?: 'threshold';
  column: string;
  /** Which way is worse. */
  better: 'lower' | 'higher';
  /** Allowed worsening: relative to the baseline value, plus an absolute slack. */
  relative?: number;
  absolute?: number;
  /** Judge column / per (e.g. lost per sent: a fraction), in both runs. */
  per?: string;
  /**
   * An absolute figure is judged only when the current run's reference path (same key) reached
   * at least (1 − within) × the baseline's reference figure in `column`: otherwise the machine
   * was slower or busier than the baseline's, and a lower figure says nothing about the code.
   */
  reference?: { path: string; within: number };
  /** How often the rule fails on unchanged code, and how that is known (required). */
  false_alarm: string;
}

export interface SlicesRule extends RuleBase {
  kind: 'slices';
  column: string;
  better: 'lower' | 'higher';
  /** Limit = median of the baseline's slices × (1 ± relative). */
  relative: number;
  /** False-alarm rate when the true median sits exactly at the limit (the Wilcoxon test). */
  alpha?: number;
  /**
   * "median": no test; fails when the median of the current slices lies beyond the limit. For
   * columns whose slices scatter too widely for a rank test to reach alpha at a useful margin
   * (per-slice p99 of 250 frames); its false-alarm rate is measured by reruns (`false_alarm`).
   */
  test?: 'wilcoxon' | 'median';
  false_alarm?: string;
  /**
   * Test pairs of consecutive rounds (geometric mean of their two values) instead of single
   * rounds: slices alternate A B | B A, so each path's slice after the other path's is "cold";
   * a pair holds one cold and one warm slice of each path, which cancels that order effect in tails.
   */
  pairs?: boolean;
}

export interface BinomialRule extends RuleBase {
  kind: 'binomial';
  /** Count column (or a fraction of `n`, when x_is_fraction). */
  x: string;
  x_is_fraction?: boolean;
  /** Trials column. */
  n: string;
  /** Probability column, multiplied by p_scale (e.g. 0.01 for a percent). */
  p: string;
  p_scale?: number;
  /** 'greater': more successes than p is bad (loss); 'less': fewer is bad (delivery). */
  alternative: 'greater' | 'less';
  /** Family-wise false-alarm rate of the rule, split evenly over its rows (Bonferroni). */
  alpha: number;
}

export type ToleranceRule = ThresholdRule | SlicesRule | BinomialRule;

export interface ToleranceFile {
  description?: string;
  rules: ToleranceRule[];
}

/**
 * ok / regressed; missing: a figure the rule needs is absent (fails); skipped: an optional rule's
 * figure is absent; unjudged: the figure is only a bound (a capped search), so no verdict (does not
 * fail, shown as "could not judge"); inconsistent: derived rows or counters contradict the raw rows (fails).
 */
export type Status = 'ok' | 'regressed' | 'missing' | 'skipped' | 'unjudged' | 'inconsistent';

/** The statuses that fail the gate. */
export const FAILING: readonly Status[] = ['regressed', 'missing', 'inconsistent'];

export interface Finding {
  rule: string;
  kind: 'threshold' | 'slices' | 'binomial' | 'derived';
  key: string;
  baseline: number | null;
  current: number | null;
  limit: number | null;
  p_value: number | null;
  false_alarm: string;
  status: Status;
  detail: string;
  why: string;
}

const fail = (path: string, msg: string): never => {
  throw new Error(`tolerances file ${path}: ${msg}`);
};

export function loadTolerances(path: string): ToleranceFile {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`tolerances file ${path}: ${(err as Error).message}`);
  }
  const rules = (doc as ToleranceFile).rules;
  if (!Array.isArray(rules)) fail(path, '"rules" must be an array');
  rules.forEach((r, i) => validateRule(path, r, i));
  return doc as ToleranceFile;
}

function validateRule(path: string, r: ToleranceRule, i: number): void {
  const at = `rules[${i}]`;
  const str = (k: string): void => {
    if (typeof (r as unknown as Record<string, unknown>)[k] !== 'string') fail(path, `${at}.${k} must be a string`);
  };
  const alpha = (): void => {
    const a = (r as SlicesRule | BinomialRule).alpha;
    if (typeof a !== 'number' || !(a > 0 && a < 0.5)) fail(path, `${at}.alpha must be a number in (0, 0.5), got ${JSON.stringify(a)}`);
  };
  str('file');
  if (typeof r.match !== 'object' || r.match === null) fail(path, `${at}.match must be an object`);
  const kind = r.kind ?? 'threshold';
  if (kind === 'threshold' || kind === 'slices') {
    str('column');
    const b = (r as ThresholdRule).better;
    if (b !== 'lower' && b !== 'higher') fail(path, `${at}.better must be "lower" or "higher", got "${String(b)}"`);
  }
  const per = (r as ThresholdRule).per;
  if (per !== undefined && (kind !== 'threshold' || typeof per !== 'string')) fail(path, `${at}.per must be a column name, and only on a threshold rule`);
  const ref = (r as ThresholdRule).reference;
  if (ref !== undefined && (kind !== 'threshold' || typeof ref.path !== 'string' || !(ref.within >= 0 && ref.within < 1))) fail(path, `${at}.reference must be {"path": "<path>", "within": 0..1} on a threshold rule`);
  const pairs = (r as SlicesRule).pairs;
  if (pairs !== undefined && (kind !== 'slices' || typeof pairs !== 'boolean')) fail(path, `${at}.pairs must be true or false, and only on a slices rule`);
  if (kind === 'threshold') {
    if (typeof (r as ThresholdRule).false_alarm !== 'string' || (r as ThresholdRule).false_alarm === '') fail(path, `${at}.false_alarm must state how often the rule fails on unchanged code`);
  } else if (kind === 'slices') {
    const test = (r as SlicesRule).test ?? 'wilcoxon';
    if (test === 'wilcoxon') alpha();
    else if (test !== 'median') fail(path, `${at}.test must be "wilcoxon" or "median", got "${String(test)}"`);
    else if (typeof (r as SlicesRule).false_alarm !== 'string' || (r as SlicesRule).false_alarm === '') fail(path, `${at}.false_alarm must state how often a median rule fails on unchanged code`);
    if (!((r as SlicesRule).relative >= 0)) fail(path, `${at}.relative must be a number ≥ 0`);
  } else if (kind === 'binomial') {
    alpha();
    for (const k of ['x', 'n', 'p']) str(k);
    const a = (r as BinomialRule).alternative;
    if (a !== 'greater' && a !== 'less') fail(path, `${at}.alternative must be "greater" or "less", got "${String(a)}"`);
  } else fail(path, `${at}.kind must be "threshold", "slices" or "binomial", got "${String(kind)}"`);
}

/** The worst acceptable current value for a baseline value under a threshold rule. */
export function limitFor(rule: Pick<ThresholdRule, 'better' | 'relative' | 'absolute'>, baseline: number): number {
  const rel = rule.relative ?? 0;
  const abs = rule.absolute ?? 0;
  return rule.better === 'lower' ? baseline + Math.abs(baseline) * rel + abs : baseline - Math.abs(baseline) * rel - abs;
}

const num = (v: unknown): number | null => {
  if (v === undefined || v === null || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};
const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d;

function keyOf(rule: RuleBase, r: Row): string {
  return (rule.key ?? []).map((k) => `${k}=${String(r[k] ?? '')}`).join(',') || '*';
}

/** Matching rows grouped by key (the slices rule keeps several rows per key; the others one). */
function grouped(rows: readonly Row[], rule: RuleBase): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const r of rows) {
    if (!Object.entries(rule.match).every(([k, v]) => String(r[k] ?? '') === v)) continue;
    const key = keyOf(rule, r);
    out.set(key, [...(out.get(key) ?? []), r]);
  }
  return out;
}

function single(rule: RuleBase, groups: Map<string, Row[]>): Map<string, Row> {
  const out = new Map<string, Row>();
  for (const [key, rows] of groups) {
    // Two rows under one key would silently compare only the last: the rule needs a "key".
    if (rows.length > 1) throw new Error(`${rule.file}: several rows match ${JSON.stringify(rule.match)} under key "${key}"; add the distinguishing columns to the rule's "key"`);
    out.set(key, rows[0]!);
  }
  return out;
}

export function ruleName(rule: ToleranceRule): string {
  const col = rule.kind === 'binomial' ? `${rule.x}~${rule.p}` : rule.column;
  return `${rule.file}:${Object.values(rule.match).join('/')}:${col}`;
}

function falseAlarmOf(rule: ToleranceRule): string {
  if (rule.kind === 'slices' && rule.test === 'median') return rule.false_alarm!;
  return rule.kind === 'slices' || rule.kind === 'binomial' ? `α = ${rule.alpha}` : rule.false_alarm;
}

export function compareRule(rule: ToleranceRule, baseRows: readonly Row[] | null, curRows: readonly Row[] | null): Finding[] {
  const base: Finding = {
    rule: ruleName(rule), kind: rule.kind ?? 'threshold', key: '', baseline: null, current: null, limit: null, p_value: null,
    false_alarm: falseAlarmOf(rule), status: 'ok', detail: '', why: rule.why ?? '',
  };
  const absent = (key: string, detail: string, extra: Partial<Finding> = {}): Finding => ({ ...base, ...extra, key, status: rule.optional ? 'skipped' : 'missing', detail });
  const needsBaseline = rule.kind !== 'binomial';
  if (curRows === null || (needsBaseline && baseRows === null)) return [absent('', `${rule.file} missing in the ${curRows === null ? 'current' : 'baseline'} folder`)];
  // A key or match column absent from a file would merge its rows under one key: say so instead.
  const selectors = [...(rule.key ?? []), ...Object.keys(rule.match)];
  for (const [which, rows] of [['current', curRows], ['baseline', needsBaseline ? baseRows! : []]] as const) {
    const absentCol = selectors.find((c) => rows.length > 0 && !(c in rows[0]!));
    if (absentCol !== undefined) return [absent('', `${which} ${rule.file} has no column ${absentCol}`)];
    const emptyKey = (rule.key ?? []).find((c) => rows.some((r) => r[c] === '' || r[c] === null || r[c] === undefined));
    if (emptyKey !== undefined) return [absent('', `${which} ${rule.file} has empty ${emptyKey} cells`)];
  }
  const cur = grouped(curRows, rule);
  if (rule.kind === 'binomial') {
    if (cur.size === 0) return [absent('', `no row matches ${JSON.stringify(rule.match)}`)];
    return [...single(rule, cur)].map(([key, r]) => binomialFinding(rule, base, key, r, cur.size));
  }
  const bas = grouped(baseRows!, rule);
  if (bas.size === 0) return [absent('', `no baseline row matches ${JSON.stringify(rule.match)}`)];
  if (rule.kind === 'slices') return [...bas].map(([key, b]) => slicesFinding(rule, base, key, b, cur.get(key) ?? []));
  const b1 = single(rule, bas);
  const c1 = single(rule, cur);
  return [...b1].map(([key, b]) => {
    const bv = valueOf(rule, b);
    const c = c1.get(key);
    const cv = c ? valueOf(rule, c) : null;
    const what = rule.per ? `${rule.column}/${rule.per}` : rule.column;
    if (bv === null) return absent(key, `baseline has no ${what}`, { current: cv });
    if (cv === null) return absent(key, c ? `current ${what} is empty or missing` : 'no current row', { baseline: bv });
    const limit = limitFor(rule, bv);
    const bad = rule.better === 'lower' ? cv > limit : cv < limit;
    const figures = { ...base, key, baseline: round(bv, 6), current: round(cv, 6), limit: round(limit, 3) };
    const unjudged = boundReason(rule, b, c!, bad, referenceRow(rule, key, curRows)) ?? (bad ? referenceReason(rule, key, baseRows!, curRows) : null);
    if (unjudged) return { ...figures, status: 'unjudged', detail: `could not judge: ${unjudged}` };
    return { ...figures, status: bad ? 'regressed' : 'ok', detail: `${rule.better} is better${rule.per ? ` (${what})` : ''}` };
  });
}

function valueOf(rule: ThresholdRule, r: Row): number | null {
  const v = num(r[rule.column]);
  if (!rule.per || v === null) return v;
  const d = num(r[rule.per]);
  if (d === 0 && v === 0) return 0; // nothing sent, nothing lost (a search with no loss-free trial)
  return d === null || d === 0 ? null : v / d;
}

/**
 * Why a threshold verdict cannot be given: a ratio whose figures are bounds says nothing about a
 * change, and a current figure that is only a lower bound (search ceiling, generator) may lie
 * above the limit. Rows without bound/limited_by columns are always judged.
 */
function boundReason(rule: ThresholdRule, b: Row, c: Row, bad: boolean, ref: Row | undefined): string | null {
  const bound = (r: Row): string => String(r.bound ?? '');
  if (isRatioPath(c.path) && [b, c].some((r) => !['', '='].includes(bound(r)))) {
    return `the ratio is only a bound (baseline ${bound(b)}, current ${bound(c)}): a figure behind it is a lower bound (search ceiling or generator limit), so a change cannot be told from the cap`;
  }
  if (bad && rule.better === 'higher' && isLowerBound(c) && !carriedMore(rule, c, ref)) return `the current figure is a lower bound (limited_by ${String(c.limited_by ?? '?')}, bound ${bound(c)}): the path may carry more than the limit`;
  return null;
}

/**
 * Whether the reference path carried more than this path in the same run, with the same
 * generator. Then the generator could send faster than this path's figure, and what held the
 * path back is its own work in the sender's context (a TAP write, the kernel tier's tc egress
 * program): the figure is the path's, not the generator's, and is judged although marked a bound.
 */
function carriedMore(rule: ThresholdRule, c: Row, ref: Row | undefined): boolean {
  const cv = num(c[rule.column]);
  const rv = num(ref?.[rule.column]);
  return cv !== null && rv !== null && rv > cv;
}

function referenceRow(rule: ThresholdRule, key: string, rows: readonly Row[]): Row | undefined {
  return rule.reference ? rows.find((r) => r.path === rule.reference!.path && keyOf(rule, r) === key) : undefined;
}

/** Why the machine of the current run is not comparable to the baseline's, by the rule's reference path. */
function referenceReason(rule: ThresholdRule, key: string, baseRows: readonly Row[], curRows: readonly Row[]): string | null {
  if (!rule.reference) return null;
  const { path, within } = rule.reference;
  const [b, c] = [referenceRow(rule, key, baseRows), referenceRow(rule, key, curRows)];
  const [bv, cv] = [num(b?.[rule.column]), num(c?.[rule.column])];
  if (bv === null || cv === null) return `no ${path} ${rule.column} in the ${bv === null ? 'baseline' : 'current run'} to tell whether the machines compare`;
  if (cv >= bv * (1 - within)) return null;
  return `${path} reached only ${cv} (${String(c?.limited_by ?? '')}) against the baseline's ${String(b?.bound ?? '') === '≥' ? '≥ ' : ''}${bv}: this machine was slower or busier than the baseline's, so the bridge's absolute figure cannot be compared`;
}

function columnValues(rows: readonly Row[], column: string): Array<number | null> {
  return rows.map((r) => num(r[column]));
}

/** Consecutive rounds (1+2, 3+4, …) as one value each: the geometric mean of the two. */
function roundPairs(rows: readonly Row[], column: string): Array<number | null> {
  const sorted = [...rows].sort((a, b) => Number(a.round) - Number(b.round));
  const out: Array<number | null> = [];
  for (let i = 0; i + 1 < sorted.length; i += 2) {
    const [x, y] = [num(sorted[i]![column]), num(sorted[i + 1]![column])];
    out.push(x === null || y === null || !(x > 0) || !(y > 0) ? null : Math.sqrt(x * y));
  }
  return out;
}

function slicesFinding(rule: SlicesRule, base: Finding, key: string, bRows: Row[], cRows: Row[]): Finding {
  const values = (rows: Row[]): Array<number | null> => (rule.pairs ? roundPairs(rows, rule.column) : columnValues(rows, rule.column));
  const bv = values(bRows);
  const cv = values(cRows);
  const baseline = bv.every((x) => x !== null) ? round(median(bv as number[])) : null;
  if (baseline === null) return { ...base, key, status: rule.optional ? 'skipped' : 'missing', detail: `baseline ${rule.column} has empty cells` };
  const limit = round(rule.better === 'lower' ? baseline * (1 + rule.relative) : baseline * (1 - rule.relative));
  const missing = cv.length === 0 || cv.some((x) => x === null || !(x > 0));
  if (missing) return { ...base, key, baseline, limit, status: rule.optional ? 'skipped' : 'missing', detail: `current ${rule.column}: ${cv.length} slice(s), some empty or ≤ 0` };
  const current = round(median(cv as number[]));
  const unit = rule.pairs ? 'round pairs' : 'slices';
  if (rule.test === 'median') {
    const beyond = rule.better === 'lower' ? current > limit : current < limit;
    return { ...base, key, baseline, current, limit, status: beyond ? 'regressed' : 'ok', detail: `median of ${cv.length} ${unit} vs baseline median × ${rule.better === 'lower' ? 1 + rule.relative : 1 - rule.relative} (no test; false alarms measured by reruns)` };
  }
  const alpha = rule.alpha!;
  const t = signedRankBeyond(cv as number[], limit, rule.better);
  // With too few slices the test could never reject: a gate that cannot fail fails instead.
  if (t.minPValue > alpha) return { ...base, key, baseline, current, limit, status: 'missing', detail: `${cv.length} ${unit} cannot reach α = ${alpha} (smallest p = ${t.minPValue.toPrecision(2)})` };
  return {
    ...base, key, baseline, current, limit, p_value: round(t.pValue, 6), status: t.pValue < alpha ? 'regressed' : 'ok',
    detail: `median of ${cv.length} ${unit} vs baseline median × ${rule.better === 'lower' ? 1 + rule.relative : 1 - rule.relative}, Wilcoxon signed-rank (${t.exact ? 'exact' : 'normal approximation: tied or zero differences'})`,
  };
}

function binomialFinding(rule: BinomialRule, base: Finding, key: string, r: Row, rows: number): Finding {
  const n = num(r[rule.n]);
  const rawX = num(r[rule.x]);
  const rawP = num(r[rule.p]);
  if (n === null || rawX === null || rawP === null || n < 1) {
    return { ...base, key, status: rule.optional ? 'skipped' : 'missing', detail: `empty or missing ${[rule.x, rule.n, rule.p].filter((c) => num(r[c]) === null).join(', ') || rule.n}` };
  }
  const x = rule.x_is_fraction ? Math.round(rawX * n) : rawX;
  const p = Math.min(1, Math.max(0, rawP * (rule.p_scale ?? 1)));
  const alpha = rule.alpha / rows;
  const t = binomialBeyond(x, n, p, rule.alternative);
  return {
    ...base, key, baseline: round(p), current: round(x / n), limit: null, p_value: round(t.pValue, 6),
    status: t.pValue < alpha ? 'regressed' : 'ok',
    detail: `${x} of ${n} vs p = ${round(p)}, exact binomial (${rule.alternative}), α/${rows} per row`,
  };
}

/** A cell of the terminal table (compare.json and the JUnit file keep the whole text). */
const clip = (s: string, n = 72): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export interface CompareResult {
  findings: Finding[];
  regressions: number;
  /** Why the two runs may not be comparable (different machines, a baseline from a dirty tree). */
  warnings: string[];
  table: string;
}

/** One finding per folder and derived file: its stored ratio rows and counters agree with its raw rows. */
export function consistencyFindings(which: 'baseline' | 'current', rowsOf: (file: string) => Row[] | null, files: readonly string[]): Finding[] {
  const out: Finding[] = [];
  for (const file of files) {
    const rows = rowsOf(file);
    if (rows === null) continue;
    const problems = [...ratioDisagreements(file, rows), ...counterDisagreements(file, rows)];
    if (file === 'throughput.csv') problems.push(...throughputTrialDisagreements(rows, rowsOf('throughput-trials.csv') ?? []));
    out.push({
      rule: `${file}:derived rows agree with raw rows`, kind: 'derived', key: which, baseline: null, current: null, limit: null, p_value: null,
      false_alarm: 'none: arithmetic on one folder', status: problems.length ? 'inconsistent' : 'ok',
      detail: problems.length ? `${problems.length} disagreement(s): ${problems.slice(0, 4).join('; ')}${problems.length > 4 ? '; …' : ''}` : 'ratios, bounds and counters recomputed from the raw rows',
      why: 'the gate judges ratios it recomputes from the raw rows; a stored ratio or total that contradicts them means the folder is not what was measured',
    });
  }
  return out;
}

export function compareReports(baselineDir: string, currentDir: string, tolerances: ToleranceFile): CompareResult {
  for (const d of [baselineDir, currentDir]) if (!existsSync(d)) throw new Error(`report folder ${d} does not exist`);
  const cache = new Map<string, Row[] | null>();
  const rowsOf = (dir: string) => (file: string): Row[] | null => {
    const p = join(dir, file);
    if (!cache.has(p)) cache.set(p, existsSync(p) ? readCsv(p) : null);
    return cache.get(p)!;
  };
  // Rules read ratio rows recomputed from the raw rows, never the stored ones.
  const judged = (dir: string, file: string): Row[] | null => {
    const rows = rowsOf(dir)(file);
    return rows === null ? null : withRecomputedRatios(file, rows);
  };
  const files = [...new Set([...Object.keys(DERIVED_FILES), ...COUNTER_FILES])];
  const findings = [
    ...consistencyFindings('baseline', rowsOf(baselineDir), files),
    ...consistencyFindings('current', rowsOf(currentDir), files),
    ...tolerances.rules.flatMap((r) => compareRule(r, judged(baselineDir, r.file), judged(currentDir, r.file))),
  ];
  const regressions = findings.filter((f) => FAILING.includes(f.status)).length;
  const table = renderTable(['rule', 'key', 'baseline', 'current', 'limit', 'p_value', 'false_alarm', 'status'], findings.map((f) => ({ ...f, false_alarm: clip(f.false_alarm), status: f.status === 'unjudged' ? 'could not judge' : f.status })));
  return { findings, regressions, warnings: provenanceWarnings(baselineDir, currentDir), table };
}
