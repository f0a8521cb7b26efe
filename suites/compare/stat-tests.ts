// The statistical tests report:compare's rules use, over @stdlib's implementations. The signed-rank
// test is exact only without ties or zero differences: with either, @stdlib silently uses the
// normal approximation (whatever `exact` says), so the outcome says which one was used and the
// smallest p-value is computed for that case. Pure.
import wilcoxon from '@stdlib/stats-wilcoxon';
import binomialTest from '@stdlib/stats-binomial-test';

export interface TestOutcome {
  pValue: number;
  /** Smallest p-value this sample (its size, ties and zeros) can produce: above alpha, the test cannot reject. */
  minPValue: number;
  statistic: number;
  /** false: normal approximation (ties or zero differences), not the exact distribution. */
  exact: boolean;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * One-sided Wilcoxon signed-rank test that the median of `samples` exceeds `limit` (better =
 * 'lower') or falls short of it (better = 'higher'), on the log scale, where ratios are
 * symmetric. Under H0 (median exactly at the limit) it rejects with probability ≤ alpha.
 */
export function signedRankBeyond(samples: readonly number[], limit: number, better: 'lower' | 'higher'): TestOutcome {
  if (samples.length === 0) throw new RangeError('signed-rank test of an empty sample');
  if (!(limit > 0) || samples.some((x) => !(x > 0))) throw new RangeError('signed-rank test on the log scale needs values > 0');
  const d = samples.map((x) => Math.log(x) - Math.log(limit));
  const alternative = better === 'lower' ? 'greater' : 'less';
  const opts = { alternative, zeroMethod: 'pratt', exact: true, correction: false } as const;
  const abs = d.filter((x) => x !== 0).map(Math.abs);
  const exact = abs.length === d.length && new Set(abs).size === abs.length;
  const r = wilcoxon(d, opts);
  // Every difference on the bad side, with this sample's ties and zeros: the most extreme outcome.
  const extreme = d.map((x) => (alternative === 'greater' ? Math.abs(x) : -Math.abs(x)));
  const minPValue = exact ? 2 ** -samples.length : d.every((x) => x === 0) ? 1 : wilcoxon(extreme, opts).pValue;
  return { pValue: r.pValue, minPValue, statistic: r.statistic, exact };
}

/**
 * Exact binomial test of `x` successes in `n` trials against probability `p`: 'greater' asks
 * whether the true rate is above p (e.g. more loss than injected), 'less' below it (e.g. fewer
 * states delivered than predicted).
 */
export function binomialBeyond(x: number, n: number, p: number, alternative: 'greater' | 'less'): TestOutcome {
  if (!Number.isInteger(x) || !Number.isInteger(n) || x < 0 || n < 1 || x > n) throw new RangeError(`binomial test needs integers 0 ≤ x ≤ n, n ≥ 1; got x=${x}, n=${n}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`binomial test needs 0 ≤ p ≤ 1, got ${p}`);
  const r = binomialTest(x, n, { p, alternative });
  const extreme = alternative === 'greater' ? p ** n : (1 - p) ** n;
  return { pValue: r.pValue, minPValue: extreme, statistic: x, exact: true };
}
