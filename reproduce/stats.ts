/**
 * The statistics behind every interval and comparison in the reports, pure
 * functions without I/O: the Wilson score interval of a proportion, exact
 * binomial tails and the exact McNemar test, Student's t quantiles (for the
 * interval of a mean over seeds), and Newcombe's interval for a paired
 * difference of proportions. Tested against published values (`stats_test.ts`).
 * @module
 */

/** The 97.5% quantile of the standard normal (a two-sided 95% interval). */
export const Z95 = 1.959963984540054;

/** A closed interval `[low, high]`. */
export type Interval = [number, number];

/**
 * The Wilson score interval of `k` successes in `n` trials (Wilson 1927) at
 * `z` (default: 95%), as fractions. `n` = 0 gives `[0, 1]`.
 */
export function wilson(k: number, n: number, z = Z95): Interval {
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 0 || n < 0 || k > n) {
    throw new Error(`wilson: expected integers 0 <= k <= n, got k=${k}, n=${n}`);
  }
  if (n === 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Exact ends at 0 and n (the formula gives them up to rounding).
  return [k === 0 ? 0 : Math.max(0, centre - half), k === n ? 1 : Math.min(1, centre + half)];
}

/** log(n choose k). */
function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/** log Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error about 1e-15). */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** P(X <= k) for X ~ Binomial(n, p). */
export function binomCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  let s = 0;
  for (let i = 0; i <= k; i++) {
    s += Math.exp(logChoose(n, i) + i * Math.log(p) + (n - i) * Math.log1p(-p));
  }
  return Math.min(1, s);
}

/**
 * The exact McNemar test (exact conditional test): given `b` pairs where only
 * the first is right and `c` where only the second is, under no difference
 * `b ~ Binomial(b + c, 1/2)`; the two-sided p-value is
 * `min(1, 2 P(X <= min(b, c)))`. No discordant pairs gives 1.
 */
export function mcnemarExact(b: number, c: number): number {
  if (!Number.isInteger(b) || !Number.isInteger(c) || b < 0 || c < 0) {
    throw new Error(`mcnemarExact: expected non-negative integer counts, got b=${b}, c=${c}`);
  }
  const n = b + c;
  if (n === 0) return 1;
  return Math.min(1, 2 * binomCdf(Math.min(b, c), n, 0.5));
}

/**
 * The regularized incomplete beta function I_x(a, b) (continued fraction,
 * modified Lentz; symmetric relation where it converges faster).
 */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(
    logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x),
  );
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const tiny = 1e-300;
  let f = 1, c = 1, d = 0;
  for (let i = 0; i <= 400; i++) {
    const m = Math.floor(i / 2);
    let num: number;
    if (i === 0) num = 1;
    else if (i % 2 === 0) num = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    else num = -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    d = 1 / d;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    const cd = c * d;
    f *= cd;
    if (Math.abs(1 - cd) < 1e-15) break;
  }
  return front * (f - 1) / a;
}

/** P(T <= t) for Student's t with `df` degrees of freedom. */
export function tCdf(t: number, df: number): number {
  const x = df / (df + t * t);
  const tail = 0.5 * incompleteBeta(x, df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The `p` quantile of Student's t with `df` > 0 degrees of freedom (bisection on the CDF). */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) {
    throw new Error(`tQuantile: expected 0 < p < 1 and df > 0, got p=${p}, df=${df}`);
  }
  if (p < 0.5) return -tQuantile(1 - p, df);
  let lo = 0, hi = 1;
  while (tCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Mean and sample standard deviation (n - 1; null for fewer than 2 values). */
export function meanSd(xs: number[]): { mean: number; sd: number | null } {
  if (xs.length === 0) throw new Error("meanSd: no values");
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (xs.length < 2) return { mean, sd: null };
  const ss = xs.reduce((a, x) => a + (x - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(ss / (xs.length - 1)) };
}

/**
 * The 95% t interval of the mean of `xs` (2 or more values):
 * mean ± t(0.975, n-1) sd / sqrt(n).
 */
export function tInterval(xs: number[]): Interval {
  const { mean, sd } = meanSd(xs);
  if (sd === null) throw new Error("tInterval: needs at least 2 values");
  const half = tQuantile(0.975, xs.length - 1) * sd / Math.sqrt(xs.length);
  return [mean - half, mean + half];
}

/** Counts of a paired comparison of two classifiers on the same n items. */
export interface PairedCounts {
  /** Both right. */
  both: number;
  /** Only the first right. */
  aOnly: number;
  /** Only the second right. */
  bOnly: number;
  /** Both wrong. */
  neither: number;
}

/**
 * Newcombe's (1998, method 10) hybrid score interval at 95% for the paired
 * difference of proportions p_a - p_b: Wilson intervals of each margin,
 * combined with the phi correlation of the 2x2 table. Within [-1, 1] and
 * always containing the estimate.
 */
export function newcombePaired(t: PairedCounts): Interval {
  const n = t.both + t.aOnly + t.bOnly + t.neither;
  if (n === 0) return [-1, 1];
  const ka = t.both + t.aOnly, kb = t.both + t.bOnly;
  const pa = ka / n, pb = kb / n;
  const [l1, u1] = wilson(ka, n);
  const [l2, u2] = wilson(kb, n);
  const den = Math.sqrt(
    (t.both + t.aOnly) * (t.bOnly + t.neither) * (t.both + t.bOnly) * (t.aOnly + t.neither),
  );
  let phi = den === 0 ? 0 : (t.both * t.neither - t.aOnly * t.bOnly) / den;
  // Newcombe's correction: phi is clipped at 0 from below when the table has a zero margin product.
  if (phi < 0 && den === 0) phi = 0;
  const d = pa - pb;
  const lower = Math.sqrt(
    Math.max(0, (pa - l1) ** 2 - 2 * phi * (pa - l1) * (u2 - pb) + (u2 - pb) ** 2),
  );
  const upper = Math.sqrt(
    Math.max(0, (u1 - pa) ** 2 - 2 * phi * (u1 - pa) * (pb - l2) + (pb - l2) ** 2),
  );
  return [Math.max(-1, d - lower), Math.min(1, d + upper)];
}
