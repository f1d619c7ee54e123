/**
 * `report.html` per task and the run's `index.html`: self-contained pages
 * (inline SVG plots and example pictures, no scripts, no network).
 * @module
 */
import { runMarks, scoringLines } from "./scoring.ts";
import { HEADLINE_BENCHMARKS, type PaperFixtures } from "../paper.ts";
import { metricText, pct, profileNote, resultCells, RESULTS_HEADER } from "./markdown.ts";
import { headlineTables, oursFor, oursWords } from "./headline.ts";
import { barChart, lineChart, type Row } from "./plots.ts";
import {
  comparisonLines,
  intervalPlot,
  pctCi,
  SEED_HEADER,
  seedRows,
  SUMMARY_HEADER,
  summaryRows,
} from "./intervals.ts";
import { comparisonText } from "../comparisons.ts";
import { type Example, statusText, type TaskReport } from "./schema.ts";
import { getTask } from "../../tasks/mod.ts";
import { escapeXml } from "../../util/mod.ts";

/**
 * Escapes text for HTML text and attribute values (util's `escapeXml`: `< > &
 * " '` as character references). Every name or text from data or
 * configuration goes through it.
 */
export const esc: (s: string) => string = escapeXml;

/**
 * A relative link to `path` (`/`-separated) below the folder of model `model`:
 * each part percent-encoded, so a model name from data can never become a
 * scheme (`javascript:`), a query or another folder.
 */
function modelHref(model: string, path: string): string {
  return [model, ...path.split("/")].map(encodeURIComponent).join("/");
}

const STYLE =
  `body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
th{background:#f3f3f3}.reproduced{background:#dff5df}.within_tolerance_scaled_down,.consistent_on_sample{background:#eef5e8}.below{background:#fde2e2}.above{background:#e2ecfd}
.not_run{color:#888}.note{background:#fff8dc;padding:.6em 1em;border-left:4px solid #e0b000}
.plots{display:flex;flex-wrap:wrap;gap:1em}.ex{margin:.5em 0}code{background:#f5f5f5;padding:0 3px}`;

function page(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${
    esc(title)
  }</title>` +
    `<style>${STYLE}</style></head><body>\n${body}\n</body></html>\n`;
}

function mdInline(s: string): string {
  return esc(s).replace(/\*\*(.+?)\*\*/g, "<b>$1</b>").replace(/`([^`]+)`/g, "<code>$1</code>");
}

function htmlTable(header: readonly string[], rows: { cells: string[]; cls?: string }[]): string {
  return `<table><tr>${header.map((h) => `<th>${esc(h)}</th>`).join("")}</tr>` +
    rows.map((r) =>
      `<tr${r.cls ? ` class="${r.cls}"` : ""}>${r.cells.map((c) => `<td>${c}</td>`).join("")}</tr>`
    ).join("") +
    "</table>";
}

/** The plots of one task: curves, accuracy vs segments, halting steps. */
export async function taskPlots(report: TaskReport): Promise<string[]> {
  const loss: Row[] = [];
  const acc: Row[] = [];
  for (const [model, points] of Object.entries(report.curves)) {
    for (const p of points) {
      if (p.split === "train" && (p.metric === "lm_loss" || p.metric === "loss")) {
        loss.push({ step: p.step, value: p.value, series: `${model} ${p.metric}` });
      }
      if (p.metric === "exact_accuracy") {
        acc.push({ step: p.step, value: p.value, series: `${model} ${p.split}` });
      }
    }
  }
  const act: Row[] = [];
  const halt: Row[] = [];
  for (const m of report.models) {
    for (const p of m.actCurve) {
      act.push({ segments: p.segments, value: p.exact_accuracy, series: m.model });
    }
    for (const h of m.haltingSteps) halt.push({ steps: h.steps, count: h.count, series: m.model });
  }
  return [
    await lineChart(loss, {
      x: "step",
      y: "value",
      series: "series",
      title: "Training loss",
      yTitle: "loss",
    }),
    await lineChart(acc, {
      x: "step",
      y: "value",
      series: "series",
      title: "Exact accuracy",
      yTitle: "exact accuracy",
      yDomain: [0, 1],
    }),
    await lineChart(act, {
      x: "segments",
      y: "value",
      series: "series",
      title: "Exact accuracy vs ACT segments (inference)",
      xTitle: "segments (halt_max_steps at inference)",
      xInteger: true,
      yTitle: "exact accuracy",
      yDomain: [0, 1],
    }),
    await barChart(halt, {
      x: "steps",
      y: "count",
      series: "series",
      title: "Halting step (first q_halt > q_continue)",
      xTitle: "segment",
      yTitle: "rows",
    }),
  ];
}

/** The seeds, summaries and paired comparisons of a task report (HTML parts). */
export function intervalsHtml(report: TaskReport): string[] {
  const seeds = seedRows(report);
  if (!seeds.length) return [];
  const plain = (rows: string[][]) => rows.map((r) => ({ cells: r.map(esc) }));
  const parts = [
    "<h2>Seeds and 95% intervals</h2>",
    htmlTable(SEED_HEADER, plain(seeds)),
    htmlTable(SUMMARY_HEADER, plain(summaryRows(report))),
  ];
  const lines = comparisonLines(report);
  if (lines.length) {
    parts.push("<h2>Paired comparisons (same test rows)</h2><ul>");
    for (const l of lines) parts.push(`<li>${esc(l)}</li>`);
    parts.push("</ul>");
  }
  return parts;
}

/** `<task>/report.html`. */
export async function taskHtml(
  report: TaskReport,
  examples: Map<string, Example[]>,
  paper: PaperFixtures,
): Promise<string> {
  const t = report.task;
  const parts: string[] = [];
  parts.push(`<h1>${esc(t.label)}: run <code>${esc(report.run)}</code></h1>`);
  parts.push(`<p class="note">${mdInline(profileNote(report.profile))}</p>`);
  parts.push("<h2>Results beside the paper</h2>");
  parts.push(htmlTable(
    RESULTS_HEADER,
    report.cells.map((c) => ({
      cls: c.status,
      cells: resultCells(c, report.profile).map(esc),
    })),
  ));
  parts.push(`<p>Paper numbers: ${esc(report.paperSource)}.</p>`);
  parts.push(...intervalsHtml(report));
  const scoring = scoringLines(report);
  if (scoring.length) {
    parts.push(
      `<h2>What was scored</h2><ul>${scoring.map((l) => `<li>${esc(l)}</li>`).join("")}</ul>`,
    );
  }
  parts.push('<h2>Plots</h2><div class="plots">');
  parts.push(`<div>${await intervalPlot(report)}</div>`);
  for (const svg of await taskPlots(report)) parts.push(`<div>${svg}</div>`);
  parts.push("</div>");
  const task = getTask(t.taskModule);
  for (const [model, list] of examples) {
    if (!list.length) continue;
    parts.push(`<h2>Examples: ${esc(model)}</h2>`);
    for (const ex of list) {
      const ok = ex.label.every((l, i) => l === ex.prediction[i]);
      parts.push(
        `<div class="ex"><div>${esc(ex.name ?? "")} ${ok ? "correct" : "wrong"}</div>${
          task.renderExample(ex)
        }</div>`,
      );
    }
  }
  const done = report.models.filter((m) => m.status === "done");
  if (task.scoreFiles && done.length) {
    parts.push(`<h2>${esc(task.scoreFiles.heading)}</h2><ul>`);
    for (const m of done) {
      const links = task.scoreFiles.links.map((l) =>
        `<a href="${esc(modelHref(m.model, l.path))}">${esc(l.text)}</a>`
      );
      parts.push(`<li>${esc(m.model)}: ${links.join(", ")}</li>`);
    }
    parts.push("</ul>");
  }
  if (done.length) {
    // Every metric by its name (e.g. ARC's pass@2_all_tests beside pass@2_fraction), as report.md.
    const keys = [...new Set(done.flatMap((m) => Object.keys(m.metrics)))]
      .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
    parts.push("<h2>All measurements</h2>");
    parts.push(htmlTable(
      ["measure", ...done.map((m) => esc(m.model))],
      keys.map((k) => ({
        cells: [
          esc(k),
          ...done.map((m) => k in m.metrics ? esc(metricText(k, m.metrics[k])) : "—"),
        ],
      })),
    ));
  }
  if (t.differences.length) {
    parts.push("<h2>How this run differs from the paper</h2>");
    parts.push(htmlTable(
      ["setting", "paper", "this run"],
      t.differences.map((d) => ({ cells: [esc(d.setting), esc(d.paper), esc(d.ours)] })),
    ));
  }
  if (t.contrasts?.length) {
    parts.push("<h2>Where each model's settings differ from HRM's</h2>");
    parts.push(htmlTable(
      ["model", "setting", "HRM", "this model"],
      t.contrasts.map((c) => ({ cells: [c.model, c.setting, c.hrm, c.value].map(esc) })),
    ));
  }
  const figures = paper.figures.figures.filter((f) => f.benchmark === t.task);
  if (figures.length) {
    parts.push("<h2>Other published figures for this benchmark</h2>");
    parts.push(htmlTable(
      ["figure", "value", "source"],
      figures.map((f) => ({
        cells: [
          esc(f.label),
          f.value === null ? "(figure only)" : esc(`${f.value} ${f.unit}`),
          esc(f.source),
        ],
      })),
    ));
  }
  parts.push("<h2>Configuration</h2><ul>");
  parts.push(
    `<li>data: <code>deno task data ${esc(t.taskModule)} ${esc(t.build.join(" "))}</code></li>`,
  );
  for (const s of t.models) {
    parts.push(
      `<li>${esc(s.id)}: <code>deno task train ${esc(s.overrides.join(" "))}</code>${
        s.budget ? `<br>budget: ${esc(s.budget)}` : ""
      }</li>`,
    );
  }
  parts.push(`<li>dataset digest (sha256): <code>${esc(t.datasetDigest)}</code></li></ul>`);
  const e = report.environment;
  parts.push(
    `<p>Backend ${esc(e.backend)}${e.adapter ? ` (${esc(e.adapter)})` : ""}; Deno ${
      esc(e.deno)
    }, tfjs ${esc(e.tfjs)}; ` +
      `${esc(e.os)}, ${e.cpus} CPUs; wall time ${report.timing.wallSeconds.toFixed(1)} s. ` +
      `Full numbers: <a href="report.json">report.json</a>, <a href="report.md">report.md</a>.</p>`,
  );
  return page(`${t.label}: ${report.run}`, parts.join("\n"));
}

/** Early stops, samples and non-default scored checkpoints of every task. */
function marksHtml(reports: TaskReport[]): string {
  const marks = runMarks(reports);
  return marks.length
    ? `<p>Marks (what was scored):</p><ul>${marks.map((m) => `<li>${esc(m)}</li>`).join("")}</ul>`
    : "";
}

/** The paired comparisons of every task, in words. */
function verdictsHtml(reports: TaskReport[]): string {
  const items = reports.flatMap((r) =>
    (r.comparisons ?? []).map((c) => `<li>${esc(`${r.task.task}: ${comparisonText(c)}`)}</li>`)
  );
  return items.length
    ? `<p>Paired comparisons (exact McNemar on the same test rows, or the same tasks where the headline counts tasks):</p><ul>${
      items.join("")
    }</ul>`
    : "";
}

/** The run's `index.html`: the headline table and links to each task. */
export function indexHtml(
  run: string,
  profile: string,
  reports: TaskReport[],
  paper: PaperFixtures,
): string {
  const tables = headlineTables(paper).map((h) => {
    const header = ["model"];
    for (const b of HEADLINE_BENCHMARKS) header.push(`${h.benchmarks[b]}: paper`, "ours");
    const rows = h.models.map((m) => {
      const cells = [esc(m.label)];
      for (const b of HEADLINE_BENCHMARKS) {
        cells.push(pct(m.values[b]));
        const o = oursFor(reports, m, b);
        if (o.kind !== "cell") {
          cells.push(
            o.kind === "not_run" ? `<span class="not_run">not run</span>` : esc(oursWords(o)),
          );
        } else {
          cells.push(
            `<span class="${o.cell.status}">${pctCi(o.cell.ours, o.cell.ci95)} (${
              esc(statusText(o.cell.status, profile, o.cell))
            })</span>`,
          );
        }
      }
      return { cells };
    });
    return `<h2>${esc(h.citation)}</h2>` + htmlTable(header, rows) +
      `<p>Metric: ${esc(h.metric)}. Paper: ${esc(h.source)}. Tolerance ±${h.tolerance} points.</p>`;
  });
  const links = reports.map((r) =>
    `<li><a href="${r.task.task}/report.html">${
      esc(r.task.label)
    }</a> (<a href="${r.task.task}/report.md">md</a>, <a href="${r.task.task}/report.json">json</a>)</li>`
  ).join("");
  const body = `<h1>Run <code>${esc(run)}</code>: HRM and TRM reproduction</h1>` +
    `<p class="note">${mdInline(profileNote(profile))}</p>` + tables.join("") +
    "<p>Ours: the mean over seeds with its 95% interval in brackets (t over seeds; one seed: " +
    "Wilson over the headline's units: test rows, or tasks where the task scores tasks).</p>" +
    marksHtml(reports) + verdictsHtml(reports) +
    `<h2>Tasks</h2><ul>${links}</ul>`;
  return page(`HRM and TRM reproduction: ${run}`, body);
}
