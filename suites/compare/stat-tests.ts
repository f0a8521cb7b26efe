// The statistical tests report:compare's rules use, over @stdlib's implementations (exact
// distributions for the sample sizes the suites produce). Pure.
import wilcoxon from '@stdlib/stats-wilcoxon';
import binomialTest from '@stdlib/stats-binomial-test';

export interface TestOutcome {
  pValue: number;
  /** Smallest p-value this sample size can produce: above alpha, the test cannot reject. */
  minPValue: number;
  statistic: number;
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
  const r = wilcoxon(d, { alternative: better === 'lower' ? 'greater' : 'less', zeroMethod: 'pratt', exact: true, correction: false });
  return { pValue: r.pValue, minPValue: 2 ** -samples.length, statistic: r.statistic };
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
  return { pValue: r.pValue, minPValue: extreme, statistic: x };
}
