/**
 * Training seeds: `--seeds 0,1,2` (or `--seeds 3` for 0..2) trains and
 * evaluates every model once per seed. Where each seed's files go, and how the
 * seeds of one model are summarised: each seed's Wilson 95% interval of its
 * exact accuracy, and the headline metric's mean, sample sd and 95% interval
 * over seeds (Student's t with seeds - 1 degrees of freedom; with one seed the
 * Wilson interval of that seed's result).
 * @module
 */
import { join } from "node:path";
import type { ModelResult, RunManifest, SeedEntry, SeedSummary } from "./report/schema.ts";
import { meanSd, tInterval, wilson } from "./stats.ts";

/**
 * Parses `--seeds`: a comma-separated list of distinct non-negative integers
 * (`0,1,2`), or one integer N for the seeds 0..N-1 (`3`). Throws one line.
 */
export function parseSeeds(text: string): number[] {
  const what = `--seeds '${text}'`;
  const parts = text.split(",").map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) {
    throw new Error(`${what}: expected N (seeds 0..N-1) or a list of seeds like 0,1,2`);
  }
  if (parts.length === 1) {
    const n = Number(parts[0]);
    if (n < 1) throw new Error(`${what}: the number of seeds must be at least 1`);
    return Array.from({ length: n }, (_, i) => i);
  }
  const seeds = parts.map(Number);
  if (new Set(seeds).size !== seeds.length) throw new Error(`${what}: a seed is repeated`);
  return seeds;
}

/** The seeds of a run: `seeds` when there are several, else `[seed]`. */
export function runSeeds(manifest: Pick<RunManifest, "seed" | "seeds">): number[] {
  return manifest.seeds ?? [manifest.seed];
}

/**
 * The folder of one model's run for one seed: `<task>/<model>/` in a
 * one-seed run (as before seeds existed), `<task>/<model>/seed_<s>/` otherwise.
 */
export function seedDir(taskDir: string, model: string, seed: number, multi: boolean): string {
  return multi ? join(taskDir, model, `seed_${seed}`) : join(taskDir, model);
}

/** The units a headline metric is a proportion over: the unit, how many scored, how many counted. */
export interface HeadlineCounts {
  unit: string;
  n: number;
  correct: number;
}

/**
 * The headline metric's units of a result: the task's own (`headlineUnits`,
 * e.g. tasks under ARC's all-tests rule), else the test rows when the
 * headline is exact accuracy, else none (no interval can be given).
 */
export function headlineCounts(r: ModelResult): HeadlineCounts | undefined {
  const u = r.headlineUnits;
  if (u) return { unit: u.unit, n: u.solved.length, correct: u.solved.reduce((a, b) => a + b, 0) };
  if (r.headlineMetric !== "exact_accuracy") return undefined;
  const n = Math.round(r.metrics.count ?? 0);
  return { unit: "test rows", n, correct: Math.round((r.metrics.exact_accuracy ?? 0) * n) };
}

/**
 * One seed's entry: rows scored, rows solved, Wilson interval, the headline
 * value, and where the headline is a proportion over units, its units and
 * their Wilson interval.
 */
export function seedEntry(seed: number, r: ModelResult): SeedEntry {
  const n = Math.round(r.metrics.count ?? 0);
  const exact = r.metrics.exact_accuracy ?? 0;
  const correct = Math.round(exact * n);
  const units = headlineCounts(r);
  return {
    seed,
    n,
    correct,
    exact_accuracy: exact,
    ci95: wilson(correct, n),
    headline_metric: r.headlineMetric,
    headline: r.metrics[r.headlineMetric] ?? null,
    ...(r.scoredCheckpoint ? { scored_step: r.scoredCheckpoint.step } : {}),
    ...(r.training ? { stopped: r.training.stopped } : {}),
    ...(units
      ? {
        headline_unit: units.unit,
        headline_n: units.n,
        headline_correct: units.correct,
        headline_ci95: wilson(units.correct, units.n),
      }
      : {}),
  };
}

const clip = (x: number) => Math.min(1, Math.max(0, x));

/**
 * The headline metric over the seeds of one model (fractions). Two or more
 * seeds: mean, sample sd and the t interval of the mean (seeds as the units,
 * df = seeds - 1, clipped to [0, 1]); when the headline is a proportion over
 * units (test rows for exact accuracy, the task's own units such as ARC tasks:
 * the entries' `headline_n`/`headline_correct`) the interval is widened where
 * needed to contain the Wilson interval of the pooled units (sum correct / sum
 * n), so that seeds that happen to agree (sd 0) do not give a zero-width
 * interval that ignores the test units' own noise. One seed: its value and
 * the Wilson interval of its correct/n (test units only; the variation between
 * training runs is not in it). A headline with no units: the t interval, or
 * none with one seed or equal values.
 */
export function seedSummary(entries: SeedEntry[], metric: string): SeedSummary {
  const values = entries.map((e) => e.headline ?? 0);
  const { mean, sd } = meanSd(values);
  const exact = entries.every((e) => e.headline_n !== undefined && e.headline_metric === metric);
  const unit = entries[0]?.headline_unit ?? "test rows";
  const rowsOnly = unit === "test rows" ? "test rows only" : `test ${unit} only`;
  if (entries.length >= 2) {
    let [lo, hi] = tInterval(values);
    let method = `t interval over ${entries.length} seeds (df ${entries.length - 1})`;
    if (exact) {
      const correct = entries.reduce((a, e) => a + e.headline_correct!, 0);
      const n = entries.reduce((a, e) => a + e.headline_n!, 0);
      const [wl, wh] = wilson(correct, n);
      if (wl < lo || wh > hi) {
        lo = Math.min(lo, wl);
        hi = Math.max(hi, wh);
        method += `, widened to the pooled Wilson interval of ${correct}/${n}` +
          (unit === "test rows" ? "" : ` ${unit}`);
      }
    }
    if (sd === 0 && !exact) {
      // Identical values give a zero-width t interval, which would claim certainty.
      return {
        metric,
        seeds: entries.length,
        mean,
        sd,
        ci95: null,
        method: `${method}: all ` +
          "seeds equal, no spread to estimate an interval from",
      };
    }
    return { metric, seeds: entries.length, mean, sd, ci95: [clip(lo), clip(hi)], method };
  }
  const one = entries[0];
  if (exact) {
    return {
      metric,
      seeds: 1,
      mean,
      sd: null,
      ci95: one.headline_ci95!,
      method: `Wilson interval of ${one.headline_correct}/${one.headline_n}` +
        (unit === "test rows" ? "" : ` ${unit}`) + ` (one seed: ${rowsOnly})`,
    };
  }
  return { metric, seeds: 1, mean, sd: null, ci95: null, method: "one seed: no interval" };
}

/**
 * One result standing for all seeds of a model (the report's `models` entry):
 * every metric present in all of them averaged, the accuracy-vs-segments curve
 * averaged per segment count, halting counts summed; steps, parameters and
 * checkpoint of the first seed. A single result is returned as it is.
 */
export function meanResult(results: ModelResult[]): ModelResult {
  if (results.length === 1) return results[0];
  const first = results[0];
  const metrics: Record<string, number> = {};
  for (const k of Object.keys(first.metrics)) {
    if (results.every((r) => k in r.metrics)) {
      metrics[k] = results.reduce((a, r) => a + r.metrics[k], 0) / results.length;
    }
  }
  const act = new Map<number, number[]>();
  for (const r of results) {
    for (const p of r.actCurve) {
      act.set(p.segments, [...(act.get(p.segments) ?? []), p.exact_accuracy]);
    }
  }
  const halt = new Map<number, number>();
  for (const r of results) {
    for (const h of r.haltingSteps) halt.set(h.steps, (halt.get(h.steps) ?? 0) + h.count);
  }
  return {
    ...first,
    metrics,
    actCurve: [...act].filter(([, v]) => v.length === results.length).sort((a, b) => a[0] - b[0])
      .map(([segments, v]) => ({
        segments,
        exact_accuracy: v.reduce((a, b) => a + b, 0) / v.length,
      })),
    haltingSteps: [...halt].sort((a, b) => a[0] - b[0]).map(([steps, count]) => ({
      steps,
      count,
    })),
    trainSeconds: results.reduce((a, r) => a + r.trainSeconds, 0),
    evalSeconds: results.reduce((a, r) => a + r.evalSeconds, 0),
  };
}
