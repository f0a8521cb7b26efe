// Frames received per fixed time bin (100 ms for the report's timeline chart). Pure.

export const DEFAULT_BIN_US = 100_000;

/**
 * Counts arrivals per bin of `binUs` from `originUs` up to `endUs` (every bin present, empty ones
 * as 0, so a chart shows the gaps). Arrivals outside [originUs, endUs) are not counted; the count
 * of those is returned so nothing disappears silently.
 */
export function binArrivals(
  rxUs: Iterable<number>,
  originUs: number,
  endUs: number,
  binUs: number = DEFAULT_BIN_US,
): { counts: number[]; outside: number } {
  if (!(binUs > 0) || !Number.isFinite(binUs)) throw new RangeError(`bin width must be > 0 µs, got ${binUs}`);
  if (!(endUs >= originUs)) throw new RangeError(`bin end (${endUs}) must not precede the origin (${originUs})`);
  const n = Math.ceil((endUs - originUs) / binUs);
  const counts = new Array<number>(n).fill(0);
  let outside = 0;
  for (const t of rxUs) {
    if (t < originUs || t >= endUs) {
      outside++;
      continue;
    }
    const i = Math.floor((t - originUs) / binUs);
    counts[i] = counts[i]! + 1;
  }
  return { counts, outside };
}
