/**
 * Rating distribution summaries (mean, quartiles, max, share of 0), printed in
 * the build summary and saved beside the data.
 * @module
 */

/** Distribution of tdoku-scale ratings. */
export interface RatingSummary {
  n: number;
  mean: number;
  q1: number;
  median: number;
  q3: number;
  max: number;
  /** Fraction of puzzles solved without a guess. */
  zero_share: number;
}

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Summarises a list of ratings. */
export function summarize(ratings: ArrayLike<number>): RatingSummary {
  const v = Array.from(ratings).sort((a, b) => a - b);
  const n = v.length;
  const mean = n ? v.reduce((a, b) => a + b, 0) / n : 0;
  return {
    n,
    mean: Math.round(mean * 100) / 100,
    q1: quantile(v, 0.25),
    median: quantile(v, 0.5),
    q3: quantile(v, 0.75),
    max: n ? v[n - 1] : 0,
    zero_share: n ? Math.round((v.filter((x) => x === 0).length / n) * 1000) / 1000 : 0,
  };
}

/** One line: `n=.. mean=.. q1/median/q3=../../.. max=.. zero=..%`. */
export function formatSummary(s: RatingSummary): string {
  return `n=${s.n} mean=${s.mean.toFixed(2)} q1/median/q3=${s.q1}/${s.median}/${s.q3} ` +
    `max=${s.max} zero=${(s.zero_share * 100).toFixed(1)}%`;
}

/** Spearman rank correlation (average ranks for ties). */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const rx = ranks(x), ry = ranks(y);
  const n = rx.length;
  const mx = rx.reduce((a, b) => a + b, 0) / n, my = ry.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (rx[i] - mx) * (ry[i] - my);
    sxx += (rx[i] - mx) ** 2;
    syy += (ry[i] - my) ** 2;
  }
  return sxx && syy ? sxy / Math.sqrt(sxx * syy) : 0;
}

function ranks(values: ArrayLike<number>): number[] {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((a, b) => values[a] - values[b]);
  const r = new Array<number>(values.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && values[idx[j + 1]] === values[idx[i]]) j++;
    for (let k = i; k <= j; k++) r[idx[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}
