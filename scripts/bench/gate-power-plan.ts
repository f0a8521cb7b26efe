// The arithmetic of the gate-power measurement (scripts/bench/gate-power.ts): how hard to turn the
// gate-calibration knob for each perturbation, in which order to run, and the table of runs,
// hits and false alarms. Pure; the runner spawns the suites and the gate.
import type { Row } from '../../suites/report/csv.js';

/** A perturbation of the data plane, and what the gate should do about it. */
export const PERTURBATIONS = ['none', 'p50+25%', 'p99+50%', 'throughput-20%'] as const;
export type Perturbation = (typeof PERTURBATIONS)[number];

/** The bridge's figures the knob is sized from (medians of unchanged runs, or the baseline's). */
export interface BridgeFigures {
  p50Us: number;
  p99Us: number;
  rateFps: number;
}

/** The test-knob environment of one perturbation (empty for none). */
export function knobEnv(p: Perturbation, f: BridgeFigures): Record<string, string> {
  const on = { GB_TEST_KNOBS: '1' };
  switch (p) {
    case 'none':
      return {};
    // Only the sending bridge's to-WAN thread spins: the whole 25 % lands on its one hop.
    case 'p50+25%':
      return { ...on, GB_CALIBRATION_SPIN_NS: String(Math.round(f.p50Us * 0.25 * 1000)) };
    // A stall of 2 × p99 every 100 × p99 (2 % of the time): the frames that meet it wait between 0
    // and 2 × p99 more, 1.5 % of all frames at least 0.5 × p99 more, which lifts p99 by about half;
    // it costs 2 % of capacity.
    case 'p99+50%':
      return { ...on, GB_CALIBRATION_STALL: `${Math.round(100 * f.p99Us)}:${Math.round(2 * f.p99Us * 1000)}` };
    // A per-frame cost of a quarter of the frame time: capacity 1 / (1.25 t) = 0.8 × if the to-WAN
    // thread is what limits the rate (the table reports the rate it really reached).
    case 'throughput-20%':
      return { ...on, GB_CALIBRATION_SPIN_NS: String(Math.round((0.25 * 1e9) / f.rateFps)) };
  }
}

/**
 * Run order: round by round, each perturbation that still has runs to do, the order reversed every
 * other round, so slow drift of the machine reaches every perturbation alike.
 */
export function runOrder(counts: Partial<Record<Perturbation, number>>): Array<{ perturbation: Perturbation; run: number }> {
  const out: Array<{ perturbation: Perturbation; run: number }> = [];
  const rounds = Math.max(0, ...Object.values(counts).map((n) => n ?? 0));
  for (let r = 0; r < rounds; r++) {
    const due = PERTURBATIONS.filter((p) => (counts[p] ?? 0) > r);
    for (const p of r % 2 === 0 ? due : [...due].reverse()) out.push({ perturbation: p, run: r + 1 });
  }
  return out;
}

/**
 * The suites a run needs: a perturbation aimed at latency or throughput runs only that suite (a
 * knob cannot hit another suite's rules, and the measurement takes half the time); an unchanged run
 * runs all chosen suites, since any of their rules can raise a false alarm.
 */
export function suitesFor(p: Perturbation, chosen: readonly string[]): string[] {
  const aim = p === 'throughput-20%' ? 'throughput' : p === 'none' ? null : 'latency';
  return aim === null || !chosen.includes(aim) ? [...chosen] : [aim];
}

/** The suite that writes a report file (latency-slices.csv → latency). */
export function suiteOfFile(file: string): string {
  return file.replace(/\.csv$/, '').split('-')[0]!;
}

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** One row of gate-power.csv: a smoke run under one perturbation, compared with the baseline. */
export interface PowerRun {
  perturbation: Perturbation;
  run: number;
  knob: string;
  /** suite:all itself failed (CI fails too): a false alarm when unchanged, no measurement when perturbed. */
  suite_failed: boolean;
  gate_failed: boolean;
  failed_rules: string;
  bridge_p50_us: number | null;
  bridge_p99_us: number | null;
  bridge_rate_fps: number | null;
  load_avg: string;
}

/**
 * The table for docs/suites.md: per perturbation, runs and how often the gate failed (a hit for
 * a perturbation — also counted by the rule meant to see it — a false alarm for none), with the
 * effect the knob really had (median of the bridge's figure against the unchanged runs' median).
 */
export function powerTable(runs: readonly PowerRun[]): Row[] {
  const base = runs.filter((r) => r.perturbation === 'none');
  const ref = (k: 'bridge_p50_us' | 'bridge_p99_us' | 'bridge_rate_fps'): number | null => median(base.map((r) => r[k]).filter((x): x is number => x !== null));
  const effect = (rs: readonly PowerRun[], k: 'bridge_p50_us' | 'bridge_p99_us' | 'bridge_rate_fps'): string => {
    const m = median(rs.map((r) => r[k]).filter((x): x is number => x !== null));
    const b = ref(k);
    return m === null || b === null || b === 0 ? '–' : `${m >= b ? '+' : '−'}${Math.round((Math.abs(m - b) / b) * 100)} %`;
  };
  const column = { 'p50+25%': 'bridge_p50_us', 'p99+50%': 'bridge_p99_us', 'throughput-20%': 'bridge_rate_fps' } as const;
  // A hit by an unrelated rule (a loaded machine failing something else) is not the gate seeing the perturbation.
  const intended = { 'p50+25%': /latency_p50_us/, 'p99+50%': /latency_p99(_9)?_us/, 'throughput-20%': /^throughput\.csv:bridge/ } as const;
  return PERTURBATIONS.filter((p) => runs.some((r) => r.perturbation === p)).map((p) => {
    const all = runs.filter((r) => r.perturbation === p);
    // A perturbed run whose suites failed measured nothing: neither a hit nor a miss.
    const rs = p === 'none' ? all : all.filter((r) => !r.suite_failed);
    const failed = rs.filter((r) => r.gate_failed).length;
    return {
      perturbation: p,
      runs: rs.length,
      suite_failures: all.filter((r) => r.suite_failed).length,
      hits: p === 'none' ? '' : `${failed} of ${rs.length}`,
      hits_by_intended_rule: p === 'none' ? '' : `${rs.filter((r) => r.failed_rules.split(' ').some((x) => intended[p].test(x))).length} of ${rs.length}`,
      false_alarms: p === 'none' ? `${failed} of ${rs.length}` : '',
      measured_effect: p === 'none' ? '' : effect(rs, column[p]),
      rules_that_failed: [...new Set(rs.flatMap((r) => (r.failed_rules ? r.failed_rules.split(' ') : [])))].join(' '),
    };
  });
}
