/**
 * Summaries of integer samples (path lengths, wall counts) for build.json and
 * the printed build/verify summaries.
 * @module
 */

/** Count, range, mean, quantiles and the exact histogram of integer samples. */
export interface IntSummary {
  count: number;
  min: number;
  max: number;
  mean: number;
  median: number;
  p90: number;
  /** value -> count, keys in increasing numeric order. */
  histogram: Record<string, number>;
}

/** Summarises integer samples (an empty list gives zeros). */
export function summarize(values: readonly number[]): IntSummary {
  const sorted = [...values].sort((a, b) => a - b);
  const count = sorted.length;
  const histogram: Record<string, number> = {};
  for (const v of sorted) histogram[String(v)] = (histogram[String(v)] ?? 0) + 1;
  const q = (p: number) => (count ? sorted[Math.min(count - 1, Math.floor(p * count))] : 0);
  const mean = count ? sorted.reduce((a, b) => a + b, 0) / count : 0;
  return {
    count,
    min: count ? sorted[0] : 0,
    max: count ? sorted[count - 1] : 0,
    mean: Math.round(mean * 1000) / 1000,
    median: q(0.5),
    p90: q(0.9),
    histogram,
  };
}

/** Text lines: one summary line plus a bar chart in bins of `bin` values. */
export function formatSummary(label: string, s: IntSummary, bin = 5, width = 40): string[] {
  const lines = [
    `${label}: n=${s.count} min=${s.min} median=${s.median} mean=${s.mean} p90=${s.p90} max=${s.max}`,
  ];
  if (s.count === 0) return lines;
  const bins: [number, number][] = [];
  for (let lo = s.min; lo <= s.max; lo += bin) {
    let c = 0;
    for (let v = lo; v < lo + bin; v++) c += s.histogram[String(v)] ?? 0;
    bins.push([lo, c]);
  }
  const top = Math.max(...bins.map(([, c]) => c));
  for (const [lo, c] of bins) {
    const range = bin === 1 ? `${lo}` : `${lo}-${lo + bin - 1}`;
    const bar = "#".repeat(Math.round((c / top) * width));
    lines.push(`  ${range.padStart(9)} ${String(c).padStart(6)} ${bar}`);
  }
  return lines;
}
