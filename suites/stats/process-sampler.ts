// CPU % and peak RSS of processes, read from /proc while a trial runs. The parsing is pure; the
// sampler only reads files.
import { readFileSync } from 'node:fs';

export const CLOCK_TICKS_PER_S = 100; // USER_HZ on Linux

/** utime + stime (clock ticks) from /proc/<pid>/stat; the comm field may contain spaces and parens. */
export function parseStatCpuTicks(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime is field 14, stime field 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unparseable /proc/pid/stat: ${stat.slice(0, 80)}`);
  return utime + stime;
}

/** VmRSS and VmHWM (peak) in kB from /proc/<pid>/status. */
export function parseStatusMemoryKb(status: string): { rssKb: number; hwmKb: number } {
  const get = (k: string): number => {
    const m = new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) : 0;
  };
  return { rssKb: get('VmRSS'), hwmKb: get('VmHWM') };
}

export interface ProcessUsage {
  pid: number;
  label: string;
  /** Mean CPU over the sampled window, % of one core. */
  cpuPercent: number;
  /** Highest resident set size sampled during the window (VmRSS), MB. Not VmHWM: that is the
   * lifetime peak, which for a TypeScript daemon is set by start-up transpiling, not by the load. */
  rssPeakMb: number;
  samples: number;
}

export class ProcessSampler {
  private readonly start = new Map<number, { ticks: number; atMs: number }>();
  private readonly last = new Map<number, { ticks: number; atMs: number; rssKb: number; samples: number }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly procs: ReadonlyArray<{ pid: number; label: string }>, private readonly intervalMs = 250) {}

  private sample(): void {
    const now = performance.now();
    for (const { pid } of this.procs) {
      try {
        const ticks = parseStatCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
        const { rssKb } = parseStatusMemoryKb(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (!this.start.has(pid)) this.start.set(pid, { ticks, atMs: now });
        const prev = this.last.get(pid);
        this.last.set(pid, { ticks, atMs: now, rssKb: Math.max(rssKb, prev?.rssKb ?? 0), samples: (prev?.samples ?? 0) + 1 });
      } catch {
        /* the process ended; keep what was sampled */
      }
    }
  }

  begin(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    // Never keeps the process alive: a suite that failed mid-run must still exit.
    this.timer.unref();
  }

  end(): ProcessUsage[] {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    return this.procs.map(({ pid, label }) => {
      const s = this.start.get(pid);
      const l = this.last.get(pid);
      const dtS = s && l ? (l.atMs - s.atMs) / 1000 : 0;
      const cpu = s && l && dtS > 0 ? ((l.ticks - s.ticks) / CLOCK_TICKS_PER_S / dtS) * 100 : 0;
      return { pid, label, cpuPercent: Math.round(cpu * 10) / 10, rssPeakMb: Math.round(((l?.rssKb ?? 0) / 1024) * 10) / 10, samples: l?.samples ?? 0 };
    });
  }
}
