/**
 * The report parts that say how sure each number is: per model the seeds with
 * their Wilson intervals and the summary over seeds, the paired comparisons in
 * words, and a plot of every model's headline metric with its interval. Shared
 * by `report.md` and `report.html` (see reproduce/seeds.ts and
 * reproduce/comparisons.ts for the methods).
 * @module
 */
import { comparisonText } from "../comparisons.ts";
import { intervalChart, type Row } from "./plots.ts";
import type { TaskReport } from "./schema.ts";

/** An interval of fractions as percent text: `[12.3, 45.6]`; an em dash for none. */
export function ciText(ci: readonly [number, number] | null | undefined, scale = 100): string {
  if (!ci) return "—";
  return `[${(ci[0] * scale).toFixed(1)}, ${(ci[1] * scale).toFixed(1)}]`;
}

/** A cell's value with its interval (percent in, percent out): `12.0 [8.1, 17.3]`. */
export function pctCi(
  value: number | null | undefined,
  ci: readonly [number, number] | null | undefined,
): string {
  if (value === null || value === undefined) return "—";
  return ci ? `${value.toFixed(1)} ${ciText(ci, 1)}` : value.toFixed(1);
}

/**
 * Table rows (plain text) of every model's seeds: model, seed, solved, exact,
 * Wilson 95%, and a headline other than exact accuracy with its own units'
 * Wilson interval where it has units (e.g. `4/10 tasks`).
 */
export function seedRows(report: TaskReport): string[][] {
  const rows: string[][] = [];
  for (const m of report.models) {
    for (const s of m.seeds ?? []) {
      rows.push([
        m.model,
        String(s.seed),
        `${s.correct}/${s.n}`,
        `${(s.exact_accuracy * 100).toFixed(1)}%`,
        ciText(s.ci95),
        s.headline_metric === "exact_accuracy" || s.headline === null
          ? ""
          : `${s.headline_metric} ${(s.headline * 100).toFixed(1)}%` +
            (s.headline_ci95
              ? ` ${
                ciText(s.headline_ci95)
              } (${s.headline_correct}/${s.headline_n} ${s.headline_unit})`
              : ""),
      ]);
    }
  }
  return rows;
}

/** The column names of {@link seedRows}. */
export const SEED_HEADER = ["model", "seed", "solved", "exact", "Wilson 95%", "headline"];

/** Table rows (plain text) of every model's summary over seeds. */
export function summaryRows(report: TaskReport): string[][] {
  return report.models.filter((m) => m.summary).map((m) => {
    const s = m.summary!;
    return [
      m.model,
      s.metric,
      String(s.seeds),
      `${(s.mean * 100).toFixed(1)}%`,
      s.sd === null ? "—" : (s.sd * 100).toFixed(1),
      ciText(s.ci95),
      s.method,
    ];
  });
}

/** The column names of {@link summaryRows}. */
export const SUMMARY_HEADER = ["model", "metric", "seeds", "mean", "sd (points)", "95% CI", "how"];

/** One sentence per paired comparison. */
export function comparisonLines(report: TaskReport): string[] {
  return (report.comparisons ?? []).map((c) => `${comparisonText(c)}; ${c.method}.`);
}

/** The headline metric of each model: each seed and the mean, with their 95% intervals. */
export function intervalPlot(report: TaskReport): Promise<string> {
  const rows: Row[] = [];
  for (const m of report.models) {
    const s = m.summary;
    if (!s) continue;
    if (s.ci95) {
      rows.push({ model: m.model, series: "mean", y: s.mean, lo: s.ci95[0], hi: s.ci95[1] });
    }
    for (const e of m.seeds ?? []) {
      // Each seed's headline with its Wilson interval where it is a proportion over units.
      if (e.headline_metric !== s.metric || !e.headline_ci95 || e.headline === null) continue;
      rows.push({
        model: m.model,
        series: `seed ${e.seed}`,
        y: e.headline,
        lo: e.headline_ci95[0],
        hi: e.headline_ci95[1],
      });
    }
  }
  const metric = report.models.find((m) => m.summary)?.summary?.metric ?? "exact_accuracy";
  return intervalChart(rows, {
    x: "model",
    series: "series",
    title: `${metric} with 95% intervals`,
    yTitle: metric,
  });
}
