// The README's Performance goals, evaluated on a report's rows. A missed goal is reported with
// its figure — never weakened. Pure.
import type { Row } from './csv.js';

export interface GoalResult {
  goal: string;
  figure: string;
  met: boolean | null; // null: not measured, or a bound (search ceiling) that cannot decide
}

const n = (v: unknown): number | null => {
  if (v === null || v === undefined || v === '') return null;
  const x = Number(v);
  return Number.isFinite(x) ? x : null;
};

/** "≥ ", "≤ ", "? " or "" for an exact figure (throughput.csv's bound column). */
function boundOf(v: unknown): string {
  return v === '≥' || v === '≤' || v === '?' ? `${v} ` : '';
}

/** Whether a figure meets "≥ goal" given that it is exact, a lower or an upper bound; null: cannot tell. */
function atLeast(x: number, goal: number, bound: string): boolean | null {
  if (bound === '? ') return null;
  if (bound === '≥ ') return x >= goal ? true : null;
  if (bound === '≤ ') return x < goal ? false : null;
  return x >= goal;
}

export function evaluateGoals(latency: readonly Row[], throughput: readonly Row[], resources: readonly Row[]): GoalResult[] {
  const out: GoalResult[] = [];
  const tb = throughput.find((r) => r.path === 'bridge' && n(r.frame_bytes) === 200);
  const tr = throughput.find((r) => r.path === 'bridge/vxlan' && n(r.frame_bytes) === 200);
  const fps = n(tb?.rate_fps);
  const fpsBound = boundOf(tb?.bound);
  out.push({ goal: 'loss-free throughput, 200 B frames ≥ 50,000 frames/s per direction', figure: fps === null ? 'not measured' : `${fpsBound}${fps} frames/s`, met: fps === null ? null : atLeast(fps, 50_000, fpsBound) });
  const tratio = n(tr?.rate_fps);
  const rBound = boundOf(tr?.bound);
  const capped = rBound === '≤ ' ? ' (VXLAN hit the search ceiling)' : rBound === '≥ ' ? ' (bridge hit the search ceiling)' : rBound === '? ' ? ' (both hit the search ceiling)' : '';
  out.push({ goal: 'loss-free throughput, 200 B ≥ 0.5 × VXLAN', figure: tratio === null ? 'not measured' : `${rBound}${tratio} × VXLAN${capped}`, met: tratio === null ? null : atLeast(tratio, 0.5, rBound) });
  const lr = latency.find((r) => r.path === 'bridge/vxlan');
  const p50r = n(lr?.latency_p50_us);
  out.push({ goal: 'one-way latency p50 ≤ 2 × VXLAN', figure: p50r === null ? 'not measured' : `${p50r} × VXLAN`, met: p50r === null ? null : p50r <= 2 });
  const lb = latency.find((r) => r.path === 'bridge' && n(r.rate_fps) === 1000);
  const p99 = n(lb?.latency_p99_us);
  out.push({ goal: 'one-way latency p99 ≤ 1 ms at 1,000 frames/s', figure: p99 === null ? 'not measured' : `${p99} µs`, met: p99 === null ? null : p99 <= 1000 });
  const res = resources.filter((r) => r.suite === 'latency' && r.path === 'bridge' && n(r.rate_fps) === 1000);
  const rss = res.length ? Math.max(...res.map((r) => n(r.rss_peak_mb) ?? 0)) : null;
  const cpu = res.length ? Math.max(...res.map((r) => n(r.cpu_percent) ?? 0)) : null;
  out.push({ goal: 'each bridge ≤ 80 MB RSS at 1,000 frames/s', figure: rss === null ? 'not measured' : `${rss} MB (highest of ${res.length})`, met: rss === null ? null : rss <= 80 });
  out.push({ goal: 'each bridge ≤ 5 % of a core at 1,000 frames/s', figure: cpu === null ? 'not measured' : `${cpu} % (highest of ${res.length})`, met: cpu === null ? null : cpu <= 5 });
  return out;
}

export function goalsMarkdown(goals: readonly GoalResult[]): string {
  return `| goal | figure | met |\n|---|---|---|\n${goals.map((g) => `| ${g.goal} | ${g.figure} | ${g.met === null ? (g.figure === 'not measured' ? '–' : 'undetermined') : g.met ? 'yes' : '**no**'} |`).join('\n')}\n`;
}
