/**
 * `report.md` per task and the run's `summary.md`: plain tables a reader can
 * diff, with the paper's column beside ours.
 * @module
 */
import { HEADLINE_BENCHMARKS, type PaperFixtures } from "../paper.ts";
import { type Cell, statusText, type TaskId, type TaskReport } from "./schema.ts";

/** Formats a percentage with one decimal, or an em dash. */
export function pct(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : value.toFixed(1);
}

/** Formats a metric value: fractions as percent, counts as numbers. */
function metricText(name: string, value: number): string {
  if (/accuracy|pass@|rate/.test(name)) return `${(value * 100).toFixed(2)}%`;
  return Number.isInteger(value) ? String(value) : value.toFixed(4);
}

function table(header: string[], rows: string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
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
  return `Profile \`${profile}\`: a scaled-down setting. These numbers are **not** comparable ` +
    "with the paper's; the paper's column is shown for orientation only, and each task " +
    "report lists every setting that differs.";
}

/** `<task>/report.md`. */
export function taskMarkdown(report: TaskReport, paper: PaperFixtures): string {
  const t = report.task;
  const out: string[] = [];
  out.push(`# ${t.label}: run \`${report.run}\``, "", profileNote(report.profile), "");
  out.push("## Results beside the paper", "");
  out.push(table(
    ["model", "metric", "paper (%)", "ours (%)", "tolerance", "status"],
    report.cells.map((c) => [
      c.model,
      c.metric,
      pct(c.paper),
      pct(c.ours),
      `±${c.tolerance}`,
      statusText(c.status, report.profile),
    ]),
  ));
  out.push("", `Paper numbers: ${report.paperSource}.`, "");
  out.push("## All measurements", "");
  for (const m of report.models) {
    const label = t.models.find((s) => s.id === m.model)?.label ?? m.model;
    out.push(`### ${label} (\`${m.model}\`)`, "");
    if (m.status === "not_run") {
      out.push(`Not run: ${m.reason ?? "no result"}.`, "");
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
  out.push("## Configuration", "");
  out.push(`- data: \`deno task data ${t.taskModule} ${t.build.join(" ")}\``);
  for (const s of t.models) out.push(`- ${s.id}: \`deno task train ${s.overrides.join(" ")}\``);
  out.push(`- dataset digest (sha256): \`${t.datasetDigest}\``, "");
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
    `- backend: ${e.backend}${e.adapter ? ` (${e.adapter})` : ""}; Deno ${e.deno}, ` +
      `tfjs ${e.tfjs}; ${e.os}, ${e.cpus} CPUs`,
  );
  out.push(
    `- wall time: ${report.timing.wallSeconds.toFixed(1)} s (data ${
      report.timing.dataSeconds.toFixed(1)
    } s)`,
  );
  for (const [id, tm] of Object.entries(report.timing.models)) {
    out.push(`- ${id}: train ${tm.trainSeconds.toFixed(1)} s, eval ${tm.evalSeconds.toFixed(1)} s`);
  }
  out.push("");
  return out.join("\n");
}

/** Finds our measured cell for a headline row and benchmark. */
export function findCell(
  reports: TaskReport[],
  paperModel: string,
  task: TaskId,
): Cell | undefined {
  for (const r of reports) {
    const c = r.cells.find((x) => x.paperModel === paperModel && x.benchmark === task);
    if (c) return c;
  }
  return undefined;
}

/** `summary.md`: the headline table, paper and ours side by side. */
export function summaryMarkdown(
  run: string,
  profile: string,
  reports: TaskReport[],
  paper: PaperFixtures,
): string {
  const h = paper.headline;
  const header = ["model"];
  for (const b of HEADLINE_BENCHMARKS) header.push(`${b} paper`, `${b} ours`);
  const rows = h.models.map((m) => {
    const row = [m.label];
    for (const b of HEADLINE_BENCHMARKS) {
      const cell = m.ours ? findCell(reports, m.id, b) : undefined;
      row.push(pct(m.values[b]));
      if (!m.ours) row.push("n/a");
      else {row.push(
          cell && cell.ours !== null
            ? `${pct(cell.ours)} (${statusText(cell.status, profile)})`
            : "not run",
        );}
    }
    return row;
  });
  const out = [
    `# Run \`${run}\`: headline table`,
    "",
    profileNote(profile),
    "",
    table(header, rows),
    "",
  ];
  out.push(
    `Metric: ${h.metric}. Paper: ${h.source}. Tolerance ±${h.tolerance} points (${h.toleranceSource}).`,
    "",
  );
  out.push(
    "Per task: " + reports.map((r) => `[${r.task.task}](${r.task.task}/report.md)`).join(", "),
    "",
  );
  return out.join("\n");
}
