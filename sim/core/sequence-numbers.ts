// stNum/sqNum arithmetic shared by the publisher and the subscriber's detector.
// Both counters are unsigned 32-bit and skip 0 when they wrap: stNum 0xFFFFFFFF → 1, sqNum
// 0xFFFFFFFF → 1 (sqNum 0 only marks the first frame of a state). So after the first value the
// counters live in the ring 1 … 0xFFFFFFFF of size 2^32 − 1.

export const U32_MAX = 0xffffffff;
const RING = U32_MAX; // values 1 … U32_MAX
/** Forward distances below this are "ahead"; others are "behind" (serial-number arithmetic). */
export const HALF_RING = 2 ** 31;

export function nextStNum(stNum: number): number {
  return stNum >= U32_MAX ? 1 : stNum + 1;
}

export function nextSqNum(sqNum: number): number {
  return sqNum >= U32_MAX ? 1 : sqNum + 1;
}

/**
 * How many increments lead from `from` to `to` on the wrapping counter (0 = equal). `from` may be
 * 0 (the first sqNum of a state, or a stNum never used), from which 1 is one step.
 */
export function forwardDistance(from: number, to: number): number {
  if (to === from) return 0;
  if (to === 0) return RING; // 0 is never reached again: treat as maximally behind
  if (from === 0) return to; // 0 → 1 → … → to
  const d = (to - from) % RING;
  return d < 0 ? d + RING : d;
}

