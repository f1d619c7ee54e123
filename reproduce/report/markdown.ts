/**
 * `report.md` per task and the run's `summary.md`: plain tables a reader can
 * diff, with the paper's column beside ours. Every name or text that comes from
 * data or configuration (run, task, model and set names, labels, reasons,
 * metric names, settings, the environment) goes through {@link mdText} (or
 * {@link mdCode} inside code spans), so it reads as the same characters and
 * cannot open markup, a link, an HTML tag, a new table cell or a new line.
 * @module
 */
import { runMarks, scoringLines } from "./scoring.ts";
import { HEADLINE_BENCHMARKS, type PaperFixtures } from "../paper.ts";
import { comparisonText } from "../comparisons.ts";
import { statusText, type TaskReport } from "./schema.ts";
import { headlineTables, oursFor, oursWords } from "./headline.ts";
import {
  comparisonLines,
  pctCi,
  SEED_HEADER,
  seedRows,
  SUMMARY_HEADER,
  summaryRows,
} from "./intervals.ts";

/** Formats a percentage with one decimal, or an em dash. */
export function pct(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : value.toFixed(1);
}

/** Formats a metric value: fractions as percent, counts as numbers. */
export function metricText(name: string, value: number): string {
  if (/accuracy|pass@|rate/.test(name)) return `${(value * 100).toFixed(2)}%`;
  return Number.isInteger(value) ? String(value) : value.toFixed(4);
}

/** Line breaks and other control characters (a run of them becomes one space). */
const CONTROLS = /[\p{Cc}\u2028\u2029]+/gu;

const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

/**
 * Escapes text for Markdown (GitHub flavour) text, headings and table cells:
 * line breaks and control characters become a space; `\`, `` ` ``, `*`, `~`,
 * `$`, `[`, `]` and `|` get a backslash; `<` becomes `&lt;` (no tag, comment
 * or autolink can start; a lone `>` is plain text), and `&` becomes `&amp;`
 * where it would start a character reference; `_` gets a backslash unless it
 * sits inside a word (so `exact_accuracy` stays as it is). Ordinary names come
 * out unchanged.
 */
export function mdText(s: string): string {
  return s.replace(CONTROLS, " ")
    .replace(/&(?=#?[0-9A-Za-z]+;)/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/[\\`*~$[\]|]/g, "\\$&")
    .replace(
      /_/g,
      (u, i: number, all: string) => isWordChar(all[i - 1]) && isWordChar(all[i + 1]) ? u : "\\_",
    );
}

/**
 * `s` as a Markdown code span: line breaks and control characters become a
 * space, and the fence is one backtick longer than the longest run of
 * backticks inside (padded with a space where `s` starts or ends with one), so
 * nothing in `s` can close it. Not for table cells.
 */
export function mdCode(s: string): string {
  const text = s.replace(CONTROLS, " ");
  if (text === "") return "` `";
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = "`".repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(text) && text.trim() !== "" ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A table; every header and cell is plain text, escaped with {@link mdText}. */
function table(header: readonly string[], rows: string[][]): string {
  const esc = mdText;
  return [
    `| ${header.map(esc).join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n");
}

/** The caveat every non-paper profile carries. */
export function profileNote(profile: string): string {
  if (profile === "paper") {
    return "Profile `paper`: the paper's configuration (see the configuration section for " +
      "anything that differs, such as hardware or precision).";
  }
  return `Profile ${
    mdCode(profile)
  }: a scaled-down setting. These numbers are **not** comparable ` +
    "with the paper's; the paper's column is shown for orientation only, and each task " +
    "report lists every setting that differs.";
}

/** The header of a task report's "Results beside the paper" table. */
export const RESULTS_HEADER: readonly string[] = [
  "model",
  "metric",
  "paper row",
  "paper (%)",
  "ours (%) [95% CI]",
  "seeds",
  "tolerance",
  "status",
];

/** One row of that table as plain text (each report format escapes it its own way). */
export function resultCells(c: TaskReport["cells"][number], profile: string): string[] {
  return [
    c.model,
    c.metric,
    c.citation ? `${c.paperModel}, ${c.citation}` : c.paperModel,
    pct(c.paper),
    pctCi(c.ours, c.ci95),
    String(c.seeds ?? 1),
    `±${c.tolerance}`,
    statusText(c.status, profile, c),
  ];
}

/** `<task>/report.md`. */
export function taskMarkdown(report: TaskReport, paper: PaperFixtures): string {
  const t = report.task;
  const out: string[] = [];
  out.push(`# ${mdText(t.label)}: run ${mdCode(report.run)}`, "", profileNote(report.profile), "");
  out.push("## Results beside the paper", "");
  out.push(table(RESULTS_HEADER, report.cells.map((c) => resultCells(c, report.profile))));
  out.push("", `Paper numbers: ${mdText(report.paperSource)}.`, "");
  out.push(...intervalsMarkdown(report));
  const scoring = scoringLines(report);
  if (scoring.length) {
    out.push("## What was scored", "");
    for (const l of scoring) out.push(`- ${mdText(l)}`);
    out.push("");
  }
  out.push("## All measurements", "");
  for (const m of report.models) {
    const label = t.models.find((s) => s.id === m.model)?.label ?? m.model;
    out.push(`### ${mdText(label)} (${mdCode(m.model)})`, "");
    if (m.status === "not_run") {
      out.push(`Not run: ${mdText(m.reason ?? "no result")}.`, "");
      continue;
    }
    const rows = Object.keys(m.metrics).sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
      .map((k) => [k, metricText(k, m.metrics[k])]);
    rows.push(["training steps", String(m.trainSteps)]);
    if (m.parameters !== null) rows.push(["parameters", m.parameters.toLocaleString("en-US")]);
    if (m.givenCheckpoint) rows.push(["checkpoint", "given (evaluated, not trained)"]);
    out.push(table(["measure", "value"], rows), "");
    if (m.actCurve.length) {
      out.push(
        "Exact accuracy by inference segments: " +
          m.actCurve.map((p) => `${p.segments}: ${(p.exact_accuracy * 100).toFixed(1)}%`).join(
            ", ",
          ) + ".",
        "",
      );
    }
  }
  if (t.differences.length) {
    out.push("## How this run differs from the paper", "");
    out.push(
      table(
        ["setting", "paper", "this run"],
        t.differences.map((d) => [d.setting, d.paper, d.ours]),
      ),
      "",
    );
  }
  if (t.contrasts?.length) {
    out.push("## Where each model's settings differ from HRM's", "");
    out.push(
      table(
        ["model", "setting", "HRM", "this model"],
        t.contrasts.map((c) => [c.model, c.setting, c.hrm, c.value]),
      ),
      "",
    );
  }
  out.push("## Configuration", "");
  out.push(`- data: ${mdCode(`deno task data ${t.taskModule} ${t.build.join(" ")}`)}`);
  for (const s of t.models) {
    out.push(`- ${mdText(s.id)}: ${mdCode(`deno task train ${s.overrides.join(" ")}`)}`);
    if (s.budget) out.push(`  - budget: ${mdText(s.budget)}`);
  }
  out.push(`- dataset digest (sha256): ${mdCode(t.datasetDigest)}`, "");
  const figures = paper.figures.figures.filter((f) => f.benchmark === t.task);
  if (figures.length) {
    out.push("## Other published figures for this benchmark", "");
    out.push(
      table(
        ["figure", "value", "source"],
        figures.map((
          f,
        ) => [f.label, f.value === null ? "(figure only)" : `${f.value} ${f.unit}`, f.source]),
      ),
      "",
    );
  }
  const e = report.environment;
  out.push("## Environment and timing", "");
  out.push(
    `- backend: ${mdText(e.backend)}${e.adapter ? ` (${mdText(e.adapter)})` : ""}; Deno ${
      mdText(e.deno)
    }, tfjs ${mdText(e.tfjs)}; ${mdText(e.os)}, ${e.cpus} CPUs`,
  );
  out.push(
    `- wall time: ${report.timing.wallSeconds.toFixed(1)} s (data ${
      report.timing.dataSeconds.toFixed(1)
    } s)`,
  );
  for (const [id, tm] of Object.entries(report.timing.models)) {
    out.push(
      `- ${mdText(id)}: train ${tm.trainSeconds.toFixed(1)} s, eval ${tm.evalSeconds.toFixed(1)} s`,
    );
  }
  out.push("");
  return out.join("\n");
}

/** The seeds, summaries and paired comparisons of a task report (Markdown lines). */
export function intervalsMarkdown(report: TaskReport): string[] {
  const out: string[] = [];
  const seeds = seedRows(report);
  if (!seeds.length) return out;
  out.push("## Seeds and 95% intervals", "");
  out.push(table(SEED_HEADER, seeds), "");
  out.push(table(SUMMARY_HEADER, summaryRows(report)), "");
  const lines = comparisonLines(report);
  if (lines.length) {
    out.push("## Paired comparisons (same test rows)", "");
    for (const l of lines) out.push(`- ${mdText(l)}`);
    out.push("");
  }
  return out;
}

/**
 * `summary.md`: the headline tables of both papers (HRM's, TRM's), paper and
 * ours side by side; each of our models appears in its own paper's table.
 */
export function summaryMarkdown(
  run: string,
  profile: string,
  reports: TaskReport[],
  paper: PaperFixtures,
): string {
  const out = [`# Run ${mdCode(run)}: headline tables`, "", profileNote(profile), ""];
  for (const h of headlineTables(paper)) {
    const header = ["model"];
    for (const b of HEADLINE_BENCHMARKS) header.push(`${b} paper`, `${b} ours`);
    const rows = h.models.map((m) => {
      const row = [m.label];
      for (const b of HEADLINE_BENCHMARKS) {
        row.push(pct(m.values[b]));
        const o = oursFor(reports, m, b);
        row.push(
          o.kind === "cell"
            ? `${pctCi(o.cell.ours, o.cell.ci95)} (${statusText(o.cell.status, profile, o.cell)})`
            : oursWords(o),
        );
      }
      return row;
    });
    out.push(`## ${mdText(h.citation)}`, "", table(header, rows), "");
    out.push(
      `Metric: ${mdText(h.metric)}. Paper: ${mdText(h.source)}. Tolerance ±${h.tolerance} points ` +
        `(${mdText(h.toleranceSource)}).`,
      "",
    );
  }
  out.push(
    "Ours: the mean over seeds with its 95% interval in brackets (t over seeds; one seed: " +
      "Wilson over the headline's units: test rows, or tasks where the task scores tasks).",
    "",
  );
  const marks = runMarks(reports);
  if (marks.length) {
    out.push("Marks (what was scored):", "");
    for (const m of marks) out.push(`- ${mdText(m)}`);
    out.push("");
  }
  const verdicts = reports.flatMap((r) =>
    (r.comparisons ?? []).map((c) => `${r.task.task}: ${comparisonText(c)}`)
  );
  if (verdicts.length) {
    out.push(
      "Paired comparisons (exact McNemar on the same test rows, or the same tasks where the headline counts tasks):",
      "",
    );
    for (const v of verdicts) out.push(`- ${mdText(v)}`);
    out.push("");
  }
  out.push(
    "Per task: " +
      reports.map((r) => `[${mdText(r.task.task)}](${encodeURIComponent(r.task.task)}/report.md)`)
        .join(", "),
    "",
  );
  return out.join("\n");
}
