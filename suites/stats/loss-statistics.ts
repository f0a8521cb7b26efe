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

/** Offsets (µs) from the state change of the frames of one state, given the schedule's gaps
 * (the simulator's RetransmissionSchedule.gapAfter), up to untilUs. */
export function scheduleOffsetsUs(gapAfter: (frameIndex: number) => number, untilUs: number): number[] {
  const out: number[] = [0];
  for (let i = 0, at = 0; ; i++) {
    at += gapAfter(i);
    if (at > untilUs) break;
    out.push(at);
  }
  return out;
}

/**
 * Probability that a state change reaches the subscriber within `deadlineUs`, when each frame is
 * lost independently with probability `p` and takes `latencyUs` to arrive: 1 − p^n, n = frames
 * of the state sent early enough to arrive by the deadline.
 */
export function predictedDeliveryProbability(p: number, offsetsUs: readonly number[], latencyUs: number, deadlineUs: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`loss probability must be in [0, 1], got ${p}`);
  const n = offsetsUs.filter((o) => o + latencyUs <= deadlineUs).length;
  return 1 - p ** n;
}

/** Fraction of delays (µs; null = never delivered) at or under the deadline. */
export function deliveredFraction(delaysUs: ReadonlyArray<number | null>, deadlineUs: number): number {
  if (delaysUs.length === 0) return 0;
  return delaysUs.filter((d) => d !== null && d <= deadlineUs).length / delaysUs.length;
}
