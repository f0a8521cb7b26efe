// RFC 2544-style search for the highest loss-free rate: try the ceiling first, then halve the
// interval between the best passing and the lowest failing rate until it is narrower than the
// resolution. Pure: the caller runs each trial and reports whether it lost anything.

export interface SearchOptions {
  minFps: number;
  maxFps: number;
  /** Stop when (fail − pass) / fail < resolution (e.g. 0.05 = 5 %). */
  resolution: number;
  maxTrials: number;
}

export class ZeroLossSearch {
  private pass: number;
  private fail: number;
  private trials = 0;
  private pending: number | null;
  private readonly opts: SearchOptions;

  constructor(opts: SearchOptions) {
    if (!(opts.minFps > 0) || !(opts.maxFps >= opts.minFps)) {
      throw new RangeError(`search range must satisfy 0 < minFps ≤ maxFps, got ${opts.minFps}..${opts.maxFps}`);
    }
    if (!(opts.resolution > 0 && opts.resolution < 1)) throw new RangeError(`resolution must be in (0, 1), got ${opts.resolution}`);
    if (!Number.isInteger(opts.maxTrials) || opts.maxTrials < 1) throw new RangeError(`maxTrials must be an integer ≥ 1, got ${opts.maxTrials}`);
    this.opts = opts;
    this.pass = 0;
    this.fail = Infinity;
    this.pending = opts.maxFps;
  }

  /** The next rate to try, or null when the search is over. */
  next(): number | null {
    return this.pending;
  }

  /** Reports the outcome of the trial at next(). */
  report(rateFps: number, lossFree: boolean): void {
    if (rateFps !== this.pending) throw new Error(`report(${rateFps}) does not match the pending trial ${this.pending}`);
    this.trials++;
    if (lossFree) this.pass = Math.max(this.pass, rateFps);
    else this.fail = Math.min(this.fail, rateFps);
    this.pending = this.decide();
  }

  private decide(): number | null {
    const { minFps, maxFps, resolution, maxTrials } = this.opts;
    if (this.trials >= maxTrials) return null;
    if (this.pass >= maxFps) return null; // the ceiling itself passed
    if (this.fail <= minFps) return null; // even the floor loses
    const lo = this.pass > 0 ? this.pass : minFps;
    const hi = this.fail;
    if ((hi - lo) / hi < resolution) {
      // Narrow enough. If nothing passed yet, the floor itself is the last rate worth trying.
      return this.pass > 0 ? null : minFps;
    }
    return Math.round((lo + hi) / 2);
  }

  /** Highest rate that passed (0 if none did). */
  get bestFps(): number {
    return this.pass;
  }
  get trialCount(): number {
    return this.trials;
  }
}
