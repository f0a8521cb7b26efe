// The project's performance goals, evaluated on a report's rows. A missed goal is reported with
// its figure — never weakened. Pure.
import type { Row } from './csv.js';
import { isLowerBound, ratioBoundOf } from '../compare/derived.js';

export interface GoalResult {
  goal: string;
  figure: string;
  met: boolean | null; // null: not measured, or a bound (search ceiling, generator) that cannot decide
}

/**
 * What the throughput goals mean for the run's uplinks (meta.json's uplink_gso): veth carries the
 * bridge's UDP GSO runs whole, a NIC without segmentation offload (AWS ENA) cuts them, and then
 * the bridge's loss-free rate is lower.
 */
export function gsoCaveat(uplinkGso: string | undefined): string {
  return uplinkGso === 'off'
    ? 'Uplinks cut UDP GSO runs into datagrams in this run (--uplink-gso off), as a NIC without segmentation offload (AWS ENA) does: the throughput figures are the ones to expect there.'
    : 'Uplinks carried the bridge\'s UDP GSO runs whole in this run (veth). With GSO runs cut, as on AWS ENA, the bridge\'s loss-free rate and its ratio to VXLAN are lower (docs/data-plane.md): measure with --uplink-gso off before relying on these throughput figures there.';
}

/** The word for a goal's verdict: a figure that is only a bound cannot be judged. */
export function metLabel(g: GoalResult): string {
  return g.met === null ? (g.figure === 'not measured' ? '–' : 'could not judge') : g.met ? 'yes' : 'no';
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

/** The current targets, one place: each goal's label says its threshold. */
export const GOALS = {
  throughputFps: 100_000,
  throughputRatio: 0.6,
  latencyP50Ratio: 1.5,
  latencyP99Us: 1000,
  latencyP99_9Us: 3000,
  rssMb: 60,
  cpuPercent: 2,
  svStreams: 24,
  cpuPerFrameRatio: 1.2,
} as const;

const fmt = (x: number): string => x.toLocaleString('en-US');

export function evaluateGoals(latency: readonly Row[], throughput: readonly Row[], resources: readonly Row[], sv: readonly Row[] = []): GoalResult[] {
  const out: GoalResult[] = [];
  const tb = throughput.find((r) => r.path === 'bridge' && n(r.frame_bytes) === 200);
  const tr = throughput.find((r) => r.path === 'bridge/vxlan' && n(r.frame_bytes) === 200);
  const fps = n(tb?.rate_fps);
  const fpsBound = boundOf(tb && isLowerBound(tb) ? '≥' : tb?.bound);
  out.push({ goal: `loss-free throughput, 200 B frames ≥ ${fmt(GOALS.throughputFps)} frames/s per direction`, figure: fps === null ? 'not measured' : `${fpsBound}${fps} frames/s`, met: fps === null ? null : atLeast(fps, GOALS.throughputFps, fpsBound) });
  const tratio = n(tr?.rate_fps);
  // The bound from the raw rows' bound and limited_by (a generator- or ceiling-limited VXLAN makes the ratio an upper bound).
  const tv = throughput.find((r) => r.path === 'vxlan' && n(r.frame_bytes) === 200);
  const rBound = boundOf(tb && tv ? ratioBoundOf(tb, tv) : tr?.bound);
  const capped = rBound === '≤ '
    ? ` (could not judge: VXLAN's figure is a lower bound, limited_by ${String(tv?.limited_by ?? 'ceiling')})`
    : rBound === '≥ ' ? ` (the bridge's figure is a lower bound, limited_by ${String(tb?.limited_by ?? 'ceiling')})` : rBound === '? ' ? ' (could not judge: both figures are lower bounds)' : '';
  const trelay = n(throughput.find((r) => r.path === 'relay/vxlan' && n(r.frame_bytes) === 200)?.rate_fps);
  const relayRatio = trelay === null ? '' : `; minimal relay ${trelay} ×`;
  out.push({ goal: `loss-free throughput, 200 B ≥ ${GOALS.throughputRatio} × VXLAN`, figure: tratio === null ? 'not measured' : `${rBound}${tratio} × VXLAN${capped}${relayRatio}`, met: tratio === null ? null : atLeast(tratio, GOALS.throughputRatio, rBound) });
  const lr = latency.find((r) => r.path === 'bridge/vxlan');
  const p50r = n(lr?.latency_p50_us);
  const p50relay = n(latency.find((r) => r.path === 'relay/vxlan')?.latency_p50_us);
  out.push({ goal: `one-way latency p50 ≤ ${GOALS.latencyP50Ratio} × VXLAN`, figure: p50r === null ? 'not measured' : `${p50r} × VXLAN${p50relay === null ? '' : ` (minimal relay ${p50relay} ×)`}`, met: p50r === null ? null : p50r <= GOALS.latencyP50Ratio });
  const lb = latency.find((r) => r.path === 'bridge' && n(r.rate_fps) === 1000);
  const lv = latency.find((r) => r.path === 'vxlan' && n(r.rate_fps) === 1000);
  const lrelay = latency.find((r) => r.path === 'relay' && n(r.rate_fps) === 1000);
  // An absolute goal beside the kernel's and the minimal relay's figures in the same run: what this machine allows.
  const withReferences = (us: number, column: string): string => {
    const beside = [['VXLAN', n(lv?.[column])], ['minimal relay', n(lrelay?.[column])]].filter(([, x]) => x !== null).map(([k, x]) => `${k} ${x} µs`);
    return beside.length ? `${us} µs (${beside.join(', ')})` : `${us} µs`;
  };
  const p99 = n(lb?.latency_p99_us);
  out.push({ goal: `one-way latency p99 ≤ ${GOALS.latencyP99Us / 1000} ms at 1,000 frames/s`, figure: p99 === null ? 'not measured' : withReferences(p99, 'latency_p99_us'), met: p99 === null ? null : p99 <= GOALS.latencyP99Us });
  const p999 = n(lb?.latency_p99_9_us);
  out.push({ goal: `one-way latency p99.9 ≤ ${GOALS.latencyP99_9Us / 1000} ms at 1,000 frames/s`, figure: p999 === null ? 'not measured' : withReferences(p999, 'latency_p99_9_us'), met: p999 === null ? null : p999 <= GOALS.latencyP99_9Us });
  // The daemons' own rows (h1, h2), not the whole machine's.
  const daemons = resources.filter((r) => r.suite === 'latency' && r.host !== 'machine' && n(r.rate_fps) === 1000);
  const res = daemons.filter((r) => r.path === 'bridge');
  const rss = res.length ? Math.max(...res.map((r) => n(r.rss_peak_mb) ?? 0)) : null;
  const cpu = res.length ? Math.max(...res.map((r) => n(r.cpu_percent) ?? 0)) : null;
  const relayRes = daemons.filter((r) => r.path === 'relay');
  const relayCpu = relayRes.length ? `; minimal relay ${Math.max(...relayRes.map((r) => n(r.cpu_percent) ?? 0))} %` : '';
  out.push({ goal: `each bridge ≤ ${GOALS.rssMb} MB RSS at 1,000 frames/s`, figure: rss === null ? 'not measured' : `${rss} MB (highest of ${res.length})`, met: rss === null ? null : rss <= GOALS.rssMb });
  out.push({ goal: `each bridge ≤ ${GOALS.cpuPercent} % of a core at 1,000 frames/s`, figure: cpu === null ? 'not measured' : `${cpu} % (highest of ${res.length}${relayCpu})`, met: cpu === null ? null : cpu <= GOALS.cpuPercent });
  const s = sv.find((r) => r.path === 'bridge' && (n(r.streams) ?? 0) >= GOALS.svStreams);
  const lost = n(s?.lost);
  out.push({ goal: `Sampled Values, ${GOALS.svStreams} streams × 4,000 frames/s through the bridge: 0 lost`, figure: lost === null ? 'not measured' : `${lost} lost of ${n(s?.sent)} (${n(s?.loss_percent)} %)`, met: lost === null ? null : lost === 0 });
  out.push(cpuPerFrameGoal(resources));
  return out;
}

/**
 * The whole machine's CPU per frame delivered, bridge vs VXLAN at 1,000 frames/s (softirq work
 * included), judged net of the background (the quiet windows' busy rate over the same time) when
 * both nets are positive: on a shared machine the background can be most of either figure.
 */
function cpuPerFrameGoal(resources: readonly Row[]): GoalResult {
  const machine = (path: string): Row | undefined => resources.find((r) => r.suite === 'latency' && r.host === 'machine' && r.path === path && n(r.rate_fps) === 1000);
  const [b, v] = [machine('bridge'), machine('vxlan')];
  const [bns, vns] = [n(b?.cpu_ns_per_frame), n(v?.cpu_ns_per_frame)];
  const goal = `machine CPU per frame ≤ ${GOALS.cpuPerFrameRatio} × VXLAN's at 1,000 frames/s`;
  if (bns === null || vns === null || vns <= 0) return { goal, figure: 'not measured', met: null };
  const [bnet, vnet] = [bns - (n(b?.background_ns_per_frame) ?? 0), vns - (n(v?.background_ns_per_frame) ?? 0)];
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  const gross = `${r2(bns / vns)} × gross (${fmt(bns)} vs ${fmt(vns)} ns)`;
  if (bnet <= 0 || vnet <= 0) return { goal, figure: `${gross}; net of background not positive`, met: r2(bns / vns) <= GOALS.cpuPerFrameRatio };
  const net = r2(bnet / vnet);
  return { goal, figure: `${net} × net of background (${fmt(Math.round(bnet))} vs ${fmt(Math.round(vnet))} ns); ${gross}`, met: net <= GOALS.cpuPerFrameRatio };
}

export function goalsMarkdown(goals: readonly GoalResult[]): string {
  return `| goal | figure | met |\n|---|---|---|\n${goals.map((g) => `| ${g.goal} | ${g.figure} | ${g.met === false ? '**no**' : metLabel(g)} |`).join('\n')}\n`;
}
