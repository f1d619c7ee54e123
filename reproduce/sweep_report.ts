/**
 * The report of a sweep (`deno task sweep`), built from its saved files only
 * (`sweep.json`, each run's `result.json` and saved evaluation outputs):
 * `sweep-report.json` (per point and model: each seed with its Wilson
 * interval, the summary over seeds; per point the paired comparison of the
 * first model with the others), `sweep.md` (the table) and `sweep.html` (the
 * table and, per swept key, the headline metric with its 95% interval against
 * that key, one line per model and setting of the other keys).
 * @module
 */
import { join } from "node:path";
import { z } from "zod";
import { pathExists, writeFileAtomic, writeJsonAtomic } from "../io/mod.ts";
import { readValidated } from "./paper.ts";
import { compareRuns, comparisonText, type SeedRun } from "./comparisons.ts";
import { esc } from "./report/html.ts";
import { mdCode, mdText } from "./report/markdown.ts";
import { ciText } from "./report/intervals.ts";
import { intervalChart, type Row } from "./report/plots.ts";
import {
  type Comparison,
  ComparisonSchema,
  ModelResultSchema,
  SeedEntrySchema,
  SeedSummarySchema,
} from "./report/schema.ts";
import { seedDir, seedEntry, seedSummary } from "./seeds.ts";
import { SWEEP_PRESETS } from "./sweep_presets.ts";
import { GridAxisSchema, gridPoints, SweepManifestSchema } from "./sweep_grid.ts";

/** `sweep-report.json`. */
export const SweepReportSchema = z.object({
  schema: z.literal("hrm-harness/sweep-report@1"),
  name: z.string(),
  profile: z.string(),
  task: z.string(),
  preset: z.string().optional(),
  grid: z.array(GridAxisSchema),
  seeds: z.array(z.number().int()),
  points: z.array(
    z.object({
      id: z.string(),
      values: z.record(z.string(), z.string()),
      models: z.array(
        z.object({
          model: z.string(),
          /** Seeds that finished (a missing one is not run yet, or failed). */
          seeds: z.array(SeedEntrySchema),
          summary: SeedSummarySchema.nullable(),
        }).strict(),
      ),
      comparisons: z.array(ComparisonSchema),
    }).strict(),
  ),
}).strict();
/** `sweep-report.json`. */
export type SweepReport = z.infer<typeof SweepReportSchema>;

/** Builds the sweep report from the sweep folder's saved files. */
export async function buildSweepReport(dir: string): Promise<SweepReport> {
  const m = await readValidated(join(dir, "sweep.json"), SweepManifestSchema);
  const points: SweepReport["points"] = [];
  for (const p of gridPoints(m.grid)) {
    const models: SweepReport["points"][number]["models"] = [];
    const outputs = new Map<string, Map<number, SeedRun>>();
    for (const model of m.models) {
      const seeds = [];
      const files = new Map<number, SeedRun>();
      let metric = "exact_accuracy";
      for (const seed of m.seeds) {
        const runDir = seedDir(join(dir, p.id), model, seed, true);
        const path = join(runDir, "result.json");
        if (!await pathExists(path)) continue;
        const r = await readValidated(path, ModelResultSchema);
        if (r.status !== "done") continue;
        metric = r.headlineMetric;
        seeds.push(seedEntry(seed, r));
        if (r.outputsFile || r.headlineUnits) files.set(seed, { result: r, dir: runDir });
      }
      outputs.set(model, files);
      models.push({ model, seeds, summary: seeds.length ? seedSummary(seeds, metric) : null });
    }
    const comparisons: Comparison[] = [];
    const [first, ...others] = m.models;
    for (const other of others) {
      const c = await compareRuns(first, other, outputs.get(first)!, outputs.get(other)!);
      if (c) comparisons.push(c);
    }
    points.push({ id: p.id, values: p.values, models, comparisons });
  }
  return {
    schema: "hrm-harness/sweep-report@1",
    name: m.name,
    profile: m.profile,
    task: m.task,
    ...(m.preset ? { preset: m.preset } : {}),
    grid: m.grid,
    seeds: m.seeds,
    points,
  };
}

const pctText = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The table rows of a sweep report: point, its settings, model, seeds, mean, sd, interval. */
function tableRows(r: SweepReport): string[][] {
  return r.points.flatMap((p) =>
    p.models.map((m) => [
      p.id,
      ...r.grid.map((a) => p.values[a.key]),
      m.model,
      `${m.seeds.length}/${r.seeds.length}`,
      m.summary ? pctText(m.summary.mean) : "not run",
      m.summary?.sd === null || !m.summary ? "—" : (m.summary.sd * 100).toFixed(1),
      ciText(m.summary?.ci95),
    ])
  );
}

function header(r: SweepReport): string[] {
  const metric = r.points.flatMap((p) => p.models).find((m) => m.summary)?.summary?.metric ??
    "headline";
  return ["point", ...r.grid.map((a) => a.key), "model", "seeds", metric, "sd (points)", "95% CI"];
}

/** Why the numbers are not the paper's, for scaled-down profiles; a preset's caveat. */
function note(r: SweepReport): string {
  const caveat = r.preset ? SWEEP_PRESETS[r.preset]?.caveat : undefined;
  return (r.profile === "paper"
    ? "Profile `paper`: the paper's configuration with the swept keys changed."
    : `Profile ${mdCode(r.profile)}: a scaled-down setting; these numbers are not the paper's.`) +
    (caveat ? ` Preset note: ${caveat}` : "");
}

/** `sweep.md`. */
export function sweepMarkdown(r: SweepReport): string {
  const esc = mdText;
  const h = header(r);
  const out = [
    `# Sweep ${mdCode(r.name)}: ${mdText(r.task)}${
      r.preset ? ` (preset ${mdCode(r.preset)})` : ""
    }`,
    "",
    note(r),
    "",
    `Grid: ${r.grid.map((a) => mdCode(`${a.key}=${a.values.join(",")}`)).join(" x ")}; seeds ${
      r.seeds.join(", ")
    }. Intervals: 95%, t over seeds (one seed: Wilson over the headline's units: test rows, or tasks where the task scores tasks).`,
    "",
    `| ${h.map(esc).join(" | ")} |`,
    `| ${h.map(() => "---").join(" | ")} |`,
    ...tableRows(r).map((row) => `| ${row.map(esc).join(" | ")} |`),
    "",
  ];
  const lines = r.points.flatMap((p) => p.comparisons.map((c) => `${p.id}: ${comparisonText(c)}`));
  if (lines.length) {
    out.push("## Paired comparisons per point", "", ...lines.map((l) => `- ${mdText(l)}`), "");
  }
  return out.join("\n");
}

/** One plot per swept key: the metric with its interval against the key's values. */
export async function sweepPlots(r: SweepReport): Promise<string[]> {
  const svgs: string[] = [];
  for (const axis of r.grid) {
    const numeric = axis.values.every((v) => Number.isFinite(Number(v)));
    const rows: Row[] = [];
    for (const p of r.points) {
      const others = r.grid.filter((a) => a.key !== axis.key)
        .map((a) => `${a.key}=${p.values[a.key]}`);
      for (const m of p.models) {
        if (!m.summary) continue;
        const [lo, hi] = m.summary.ci95 ?? [m.summary.mean, m.summary.mean];
        rows.push({
          x: numeric ? Number(p.values[axis.key]) : p.values[axis.key],
          y: m.summary.mean,
          lo,
          hi,
          series: [m.model, ...others].join(", "),
        });
      }
    }
    svgs.push(
      await intervalChart(rows, {
        x: "x",
        series: "series",
        title: `${axis.key}: mean with 95% interval`,
        xTitle: axis.key,
        yTitle: header(r)[r.grid.length + 3],
        xType: numeric ? "quantitative" : "ordinal",
      }),
    );
  }
  return svgs;
}

/** `sweep.html`. */
export async function sweepHtml(r: SweepReport): Promise<string> {
  const h = header(r);
  const table = `<table><tr>${h.map((x) => `<th>${esc(x)}</th>`).join("")}</tr>` +
    tableRows(r).map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`)
      .join("") +
    "</table>";
  const comparisons = r.points.flatMap((p) =>
    p.comparisons.map((c) => `<li>${esc(`${p.id}: ${comparisonText(c)}`)}</li>`)
  );
  const plots = (await sweepPlots(r)).map((s) => `<div>${s}</div>`).join("");
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Sweep ${
    esc(r.name)
  }</title><style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;` +
    `padding:0 1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}` +
    `.plots{display:flex;flex-wrap:wrap;gap:1em}</style></head><body>\n` +
    `<h1>Sweep <code>${esc(r.name)}</code>: ${esc(r.task)}${
      r.preset ? ` (preset <code>${esc(r.preset)}</code>)` : ""
    }</h1>\n<p>${esc(note(r).replace(/`/g, ""))} Intervals: 95%, t over seeds (one seed: ` +
    `Wilson over the headline's units: test rows, or tasks where the task scores tasks).</p>\n${table}\n<div class="plots">${plots}</div>\n` +
    (comparisons.length
      ? `<h2>Paired comparisons per point</h2><ul>${comparisons.join("")}</ul>`
      : "") +
    `\n<p>Numbers: <a href="sweep-report.json">sweep-report.json</a>, ` +
    `<a href="sweep.md">sweep.md</a>.</p>\n</body></html>\n`;
}

/** Builds and writes `sweep-report.json`, `sweep.md` and `sweep.html` of a sweep folder. */
export async function writeSweepReports(dir: string): Promise<SweepReport> {
  const report = SweepReportSchema.parse(await buildSweepReport(dir));
  await writeJsonAtomic(join(dir, "sweep-report.json"), report);
  await writeFileAtomic(join(dir, "sweep.md"), sweepMarkdown(report));
  await writeFileAtomic(join(dir, "sweep.html"), await sweepHtml(report));
  return report;
}
