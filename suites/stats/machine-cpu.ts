// The whole machine's CPU time, from /proc/stat: what a path costs wherever the work runs — in
// its daemons, in softirq (kernel VXLAN, a kernel data path), in the senders' and receivers'
// syscalls. A process sampler cannot see softirq work: the kernel charges it to no process (or to
// whichever one it interrupted). Parsing is pure; the recorder only reads /proc/stat.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { monotonicUs } from '../../native/index.js';
import { CLOCK_TICKS_PER_S } from './process-sampler.js';

/**
 * The states of /proc/stat's `cpu` line counted as busy, summed over all CPUs. Not counted: idle
 * and iowait (nothing ran), steal (the hypervisor ran another guest), guest and guest_nice
 * (already inside user and nice).
 */
export const BUSY_STATES = ['user', 'nice', 'system', 'irq', 'softirq'] as const;
const CPU_LINE_STATES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal', 'guest', 'guest_nice'] as const;

/** Busy and softirq clock ticks (USER_HZ) of all CPUs together, from the text of /proc/stat. */
export function parseCpuTicks(procStat: string): { busyTicks: number; softirqTicks: number } {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) throw new Error('/proc/stat has no aggregate "cpu " line');
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const at = (state: (typeof BUSY_STATES)[number]): number => {
    const v = values[CPU_LINE_STATES.indexOf(state)];
    if (v === undefined || !Number.isFinite(v)) throw new Error(`/proc/stat: no ${state} field in "${line}"`);
    return v;
  };
  return { busyTicks: BUSY_STATES.reduce((sum, s) => sum + at(s), 0), softirqTicks: at('softirq') };
}

export interface BusySample {
  atUs: number;
  busyTicks: number;
  /** Part of busyTicks: where kernel packet processing runs (VXLAN, tc/XDP programs, the UDP stack's receive side). */
  softirqTicks: number;
}

/**
 * A counter's ticks at `atUs`, interpolated linearly between the samples around it (clamped to
 * the first and last). /proc/stat counts in 10 ms ticks anyway, so sampling every 100 ms and
 * interpolating loses little.
 */
export function ticksAt(samples: readonly BusySample[], atUs: number, counter: 'busyTicks' | 'softirqTicks' = 'busyTicks'): number {
  if (samples.length === 0) throw new Error('no /proc/stat samples');
  const hi = samples.findIndex((s) => s.atUs >= atUs);
  if (hi === -1) return samples[samples.length - 1]![counter];
  if (hi === 0) return samples[0]![counter];
  const [a, b] = [samples[hi - 1]!, samples[hi]!];
  return a[counter] + ((b[counter] - a[counter]) * (atUs - a.atUs)) / Math.max(1, b.atUs - a.atUs);
}

/** A stretch of CLOCK_MONOTONIC time, µs (the senders report theirs on the same clock). */
export interface Window {
  startUs: number;
  endUs: number;
}

/**
 * Samples /proc/stat every `intervalMs` for as long as it runs; afterwards says how much CPU
 * time the machine spent in any window of that time.
 */
export class MachineCpuRecorder {
  private readonly samples: BusySample[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly intervalMs = 100, private readonly read = (): string => readFileSync('/proc/stat', 'utf8')) {}

  sample(): void {
    this.samples.push({ atUs: monotonicUs(), ...parseCpuTicks(this.read()) });
  }

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
  }

  /** The machine's busy CPU time (or its softirq part) in a window, all CPUs together, ns. */
  busyNs(w: Window, counter: 'busyTicks' | 'softirqTicks' = 'busyTicks'): number {
    return ((ticksAt(this.samples, w.endUs, counter) - ticksAt(this.samples, w.startUs, counter)) * 1e9) / CLOCK_TICKS_PER_S;
  }
}

/** Busy time, wall time and frames delivered over a set of windows (one path's slices, or the quiet ones). */
export class CpuTally {
  busyNs = 0;
  softirqNs = 0;
  wallUs = 0;
  frames = 0;
  windows = 0;

  add(recorder: MachineCpuRecorder, w: Window, frames = 0): void {
    this.busyNs += recorder.busyNs(w);
    this.softirqNs += recorder.busyNs(w, 'softirqTicks');
    this.wallUs += w.endUs - w.startUs;
    this.frames += frames;
    this.windows++;
  }

  /** Busy time over wall time, % of one core (a 2-CPU machine can show up to 200). */
  percentOfOneCore(): number | null {
    return this.wallUs > 0 ? Math.round(((this.busyNs / 1000 / this.wallUs) * 100) * 10) / 10 : null;
  }

  nsPerFrame(ns = this.busyNs): number | null {
    return this.frames > 0 ? Math.round(ns / this.frames) : null;
  }

  /** The busy share of the machine's capacity, 0..1 (a saturated machine cannot show what a path adds). */
  shareOfMachine(cpus: number): number | null {
    return this.wallUs > 0 ? this.busyNs / 1000 / this.wallUs / cpus : null;
  }
}

/**
 * The machine-wide row of a path for resources-*.csv: busy CPU per frame it delivered in its
 * windows, and what the quiet windows' busy rate (the machine with every path up and no traffic)
 * would have contributed over the same time per frame, so a reader can tell the background from
 * the path.
 */
export function machineCpuColumns(path: CpuTally, quiet: CpuTally): Record<string, number | null> {
  const background = (quietNs: number): number | null => (quiet.wallUs > 0 && path.frames > 0 ? Math.round((quietNs / quiet.wallUs) * path.wallUs / path.frames) : null);
  return {
    cpu_percent: path.percentOfOneCore(),
    cpu_ns_per_frame: path.nsPerFrame(),
    background_ns_per_frame: background(quiet.busyNs),
    softirq_ns_per_frame: path.nsPerFrame(path.softirqNs),
    background_softirq_ns_per_frame: background(quiet.softirqNs),
    frames: path.frames,
    window_s: Math.round(path.wallUs / 1e4) / 100,
    samples: path.windows,
  };
}

/** Above this share of the machine busy with no traffic, the per-frame figures are mostly other load. */
export const BUSY_BACKGROUND_SHARE = 0.5;

/** A warning for the log when the quiet windows found the machine busy with other work; else null. */
export function backgroundWarning(suite: string, quiet: CpuTally, cpus = availableParallelism()): string | null {
  const share = quiet.shareOfMachine(cpus);
  if (share === null || share <= BUSY_BACKGROUND_SHARE) return null;
  return `${suite}: with no traffic the machine was ${Math.round(share * 100)} % busy (${cpus} CPUs): cpu_ns_per_frame is mostly other load, and a saturated machine hides what a path adds; read background_ns_per_frame beside it, and softirq_ns_per_frame`;
}

/** The quiet windows' own row: the machine's busy share with every path up and no traffic. */
export function quietCpuColumns(quiet: CpuTally): Record<string, number | null> {
  return { cpu_percent: quiet.percentOfOneCore(), window_s: Math.round(quiet.wallUs / 1e4) / 100, samples: quiet.windows };
}

/** A window of no traffic, `seconds` long, on the senders' clock. */
export async function quietWindow(seconds: number): Promise<Window> {
  const startUs = monotonicUs();
  await new Promise((res) => setTimeout(res, seconds * 1000));
  return { startUs, endUs: monotonicUs() };
}
