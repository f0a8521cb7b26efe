// report:compare — a report folder against a committed baseline. Each rule of the tolerance file
// picks rows of one CSV (match + key columns), one column, and how far it may move in the bad
// direction before it counts as a regression. Pure comparison; file reading at the edges.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsv, type Row } from '../report/csv.js';
import { renderTable } from '../report/table.js';

export interface ToleranceRule {
  /** CSV file name in both folders, e.g. latency.csv. */
  file: string;
  /** Rows whose columns equal these values (e.g. {"path": "bridge/vxlan"}). */
  match: Record<string, string>;
  /** Columns that pair a baseline row with a current row (e.g. ["frame_bytes"]). */
  key?: string[];
  column: string;
  /** Which way is worse. */
  better: 'lower' | 'higher';
  /** Allowed worsening: relative to the baseline value, plus an absolute slack. */
  relative?: number;
  absolute?: number;
  /** A rule whose file or rows are missing in either folder is skipped instead of failing. */
  optional?: boolean;
  why?: string;
}

export interface ToleranceFile {
  description?: string;
  rules: ToleranceRule[];
}

export interface Finding {
  rule: string;
  key: string;
  baseline: number | null;
  current: number | null;
  limit: number | null;
  status: 'ok' | 'regressed' | 'missing' | 'skipped';
}

export function loadTolerances(path: string): ToleranceFile {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`tolerances file ${path}: ${(err as Error).message}`);
  }
  const rules = (doc as ToleranceFile).rules;
  if (!Array.isArray(rules)) throw new Error(`tolerances file ${path}: "rules" must be an array`);
  rules.forEach((r, i) => {
    for (const k of ['file', 'column', 'better'] as const) {
      if (typeof r[k] !== 'string') throw new Error(`tolerances file ${path}: rules[${i}].${k} must be a string`);
    }
    if (r.better !== 'lower' && r.better !== 'higher') throw new Error(`tolerances file ${path}: rules[${i}].better must be "lower" or "higher", got "${r.better}"`);
    if (typeof r.match !== 'object' || r.match === null) throw new Error(`tolerances file ${path}: rules[${i}].match must be an object`);
  });
  return doc as ToleranceFile;
}

/** The worst acceptable current value for a baseline value under a rule. */
export function limitFor(rule: ToleranceRule, baseline: number): number {
  const rel = rule.relative ?? 0;
  const abs = rule.absolute ?? 0;
  return rule.better === 'lower' ? baseline + Math.abs(baseline) * rel + abs : baseline - Math.abs(baseline) * rel - abs;
}

const num = (v: unknown): number | null => {
  if (v === undefined || v === null || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};

function selected(rows: readonly Row[], rule: ToleranceRule): Map<string, Row> {
  const out = new Map<string, Row>();
  for (const r of rows) {
    if (!Object.entries(rule.match).every(([k, v]) => String(r[k] ?? '') === v)) continue;
    const key = (rule.key ?? []).map((k) => `${k}=${String(r[k] ?? '')}`).join(',') || '*';
    // Two rows under one key would silently compare only the last: the rule needs a "key".
    if (out.has(key)) throw new Error(`${rule.file}: several rows match ${JSON.stringify(rule.match)} under key "${key}"; add the distinguishing columns to the rule's "key"`);
    out.set(key, r);
  }
  return out;
}

export function compareRule(rule: ToleranceRule, baseRows: readonly Row[] | null, curRows: readonly Row[] | null): Finding[] {
  const name = `${rule.file}:${Object.values(rule.match).join('/')}:${rule.column}`;
  if (baseRows === null || curRows === null) {
    return [{ rule: name, key: '', baseline: null, current: null, limit: null, status: rule.optional ? 'skipped' : 'missing' }];
  }
  const base = selected(baseRows, rule);
  const cur = selected(curRows, rule);
  if (base.size === 0) return [{ rule: name, key: '', baseline: null, current: null, limit: null, status: rule.optional ? 'skipped' : 'missing' }];
  const out: Finding[] = [];
  for (const [key, b] of base) {
    const bv = num(b[rule.column]);
    const c = cur.get(key);
    const cv = c ? num(c[rule.column]) : null;
    if (bv === null) {
      out.push({ rule: name, key, baseline: null, current: cv, limit: null, status: 'skipped' });
    } else if (cv === null) {
      out.push({ rule: name, key, baseline: bv, current: null, limit: null, status: rule.optional ? 'skipped' : 'missing' });
    } else {
      const limit = limitFor(rule, bv);
      const bad = rule.better === 'lower' ? cv > limit : cv < limit;
      out.push({ rule: name, key, baseline: bv, current: cv, limit: Math.round(limit * 1000) / 1000, status: bad ? 'regressed' : 'ok' });
    }
  }
  return out;
}

export function compareReports(baselineDir: string, currentDir: string, tolerances: ToleranceFile): { findings: Finding[]; regressions: number; table: string } {
  for (const d of [baselineDir, currentDir]) if (!existsSync(d)) throw new Error(`report folder ${d} does not exist`);
  const cache = new Map<string, Row[] | null>();
  const rowsOf = (dir: string, file: string): Row[] | null => {
    const p = join(dir, file);
    if (!cache.has(p)) cache.set(p, existsSync(p) ? readCsv(p) : null);
    return cache.get(p)!;
  };
  const findings = tolerances.rules.flatMap((r) => compareRule(r, rowsOf(baselineDir, r.file), rowsOf(currentDir, r.file)));
  const regressions = findings.filter((f) => f.status === 'regressed' || f.status === 'missing').length;
  const table = renderTable(['rule', 'key', 'baseline', 'current', 'limit', 'status'], findings.map((f) => ({ ...f })));
  return { findings, regressions, table };
}
