// What random loss should look like, and what the GOOSE retransmission burst buys against it. Pure.

/** Wilson score interval (95 % by default) for k losses out of n frames, as fractions. */
export function wilsonInterval(k: number, n: number, z = 1.96): { low: number; high: number } {
  if (n <= 0) return { low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Probability that a state change reaches the subscriber within `deadlineUs`, when each of its
 * frames is lost independently with probability `p` and frame k, if it arrives, arrives after a
 * delay (from the state change) drawn from `frameDelayCdfs[k]`: 1 − Π_k (1 − (1 − p) · F_k(deadline)).
 * With step CDFs at schedule offset + one latency this is the textbook 1 − pⁿ; with the run's
 * measured per-frame delays it carries the generator's lateness and the path's latency tail,
 * which the 4 ms and 10 ms figures depend on, and leaves loss as the only modelled cause.
 */
export function predictedDeliveryProbability(p: number, frameDelayCdfs: ReadonlyArray<(us: number) => number>, deadlineUs: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`loss probability must be in [0, 1], got ${p}`);
  let missAll = 1;
  for (const cdf of frameDelayCdfs) missAll *= 1 - (1 - p) * cdf(deadlineUs);
  return 1 - missAll;
}

/** A CDF at one latency: every frame takes exactly `latencyUs`. */
export const stepCdf = (latencyUs: number) => (us: number): number => (us >= latencyUs ? 1 : 0);

/**
 * The CDF of a recorded latency histogram, from its percentiles: the largest fraction q with
 * valueAtPercentile(q) ≤ us (bisection; HdrHistogram-js has no direct CDF).
 */
export function histogramCdf(valueAtPercentile: (q: number) => number, total: number): (us: number) => number {
  return (us: number): number => {
    if (total === 0 || valueAtPercentile(0) > us) return 0;
    if (valueAtPercentile(100) <= us) return 1;
    let lo = 0;
    let hi = 100;
    for (let i = 0; i < 30; i++) {
      const mid = (lo + hi) / 2;
      if (valueAtPercentile(mid) <= us) lo = mid;
      else hi = mid;
    }
    return lo / 100;
  };
}

/** Fraction of delays (µs; null = never delivered) at or under the deadline. */
export function deliveredFraction(delaysUs: ReadonlyArray<number | null>, deadlineUs: number): number {
  if (delaysUs.length === 0) return 0;
  return delaysUs.filter((d) => d !== null && d <= deadlineUs).length / delaysUs.length;
}
