/**
 * The "Analyses" section of a task's report (paper figures 3, 5c, 7, 8): read
 * from each model's `analysis.json` (written by `deno task analyze`, analysis/),
 * each of the paper's claims beside what this run's model shows, and the
 * figures. Nothing here names a task; the pictures were drawn by the task.
 * @module
 */
import { join } from "node:path";
import {
  ANALYSIS_FILE,
  AnalysisSchema,
  type AnalysisSummary,
  summariseAnalysis,
} from "../../analysis/mod.ts";
import { pathExists } from "../../io/mod.ts";
import { escapeXml } from "../../util/mod.ts";
import { type PaperFixtures, readValidated } from "../paper.ts";
import { mdText } from "./markdown.ts";

/** The analyses saved in a task folder for these models (models without one are left out). */
export async function readAnalyses(taskDir: string, models: string[]): Promise<AnalysisSummary[]> {
  const out: AnalysisSummary[] = [];
  for (const id of models) {
    const path = join(taskDir, id, ANALYSIS_FILE);
    if (!await pathExists(path)) continue;
    out.push(summariseAnalysis(id, await readValidated(path, AnalysisSchema)));
  }
  return out;
}

/** One row of the section's table: a claim of the paper and what our model shows. */
export interface AnalysisRow {
  model: string;
  figure: string;
  paper: string;
  ours: string;
}

const f2 = (x: number) => x.toFixed(2);
const f3 = (x: number) => x.toFixed(3);
const pc = (x: number) => `${(100 * x).toFixed(1)}%`;

/** A paper number from figures.json by id (null when absent). */
function paperValue(paper: PaperFixtures, id: string): number | null {
  return paper.figures.figures.find((f) => f.id === id)?.value ?? null;
}

/** How often z_L's residual jumps up right after an H update (the sawtooth), of all inner H updates. */
export function sawtooth(a: AnalysisSummary): { jumps: number; of: number } {
  const r = a.forward_residuals;
  let jumps = 0;
  let of = 0;
  for (const b of r.h_boundaries) {
    if (b <= 0 || b >= r.z_L.length) continue;
    of++;
    if (r.z_L[b] > r.z_L[b - 1]) jumps++;
  }
  return { jumps, of };
}

/** The table rows of one model's analysis. */
export function analysisRows(a: AnalysisSummary, paper: PaperFixtures): AnalysisRow[] {
  const rows: AnalysisRow[] = [];
  const add = (figure: string, p: string, ours: string) =>
    rows.push({ model: a.model_id, figure, paper: p, ours });
  const r = a.forward_residuals;
  if (r.z_L.length) {
    const s = sawtooth(a);
    add(
      "3: z_L residual",
      "falls within each H cycle, jumps back up after every H update (sawtooth)",
      `jumps after ${s.jumps} of ${s.of} H updates; first ${f3(r.z_L[0])}, last ${
        f3(r.z_L[r.z_L.length - 1])
      } (H=${r.cycles.H}, L=${r.cycles.L}, ${r.segments} segments)`,
    );
  }
  if (r.z_H.length) {
    add(
      a.model.arch === "hrm" ? "3: z_H residual" : "3: baseline module output residual",
      a.model.arch === "hrm"
        ? "falls slowly and stays well above 0 (no early convergence)"
        : "(baseline)",
      `first ${f3(r.z_H[0])}, last ${f3(r.z_H[r.z_H.length - 1])}, min ${
        f3(Math.min(...r.z_H))
      } over ${r.z_H.length} H calls`,
    );
  }
  if (r.blocks.length) {
    add(
      "3: baseline block residual",
      "a deep net's per-layer residual shrinks with depth",
      `first block ${f3(r.blocks[0])}, last ${
        f3(r.blocks[r.blocks.length - 1])
      } over ${r.blocks.length} blocks`,
    );
  }
  const hrm = a.model.arch === "hrm";
  const sc = a.inference_scaling;
  const at = (s: number) => sc.find((p) => p.segments === s);
  const trained = at(a.trained_halt_max_steps);
  const last = sc[sc.length - 1];
  if (trained && last) {
    add(
      "5c: inference-time scaling",
      hrm
        ? "raising halt_max_steps at inference raises exact accuracy (figure only)"
        : "(baseline: trained for one pass, not to recur)",
      `exact ${pc(trained.exact_accuracy)} at the trained ${trained.segments} segment(s), ` +
        `${pc(last.exact_accuracy)} at ${last.segments}; best ${
          pc(Math.max(...sc.map((p) => p.exact_accuracy)))
        } (n=${trained.count})` +
        Object.keys(trained.scores ?? {}).map((k) =>
          `; ${k} ${pc(trained.scores![k])} -> ${pc(last.scores?.[k] ?? NaN)}`
        ).join(""),
    );
  }
  const h = a.act_halting;
  if (h.max_steps > 1) {
    add(
      "5a/b: ACT halting at inference",
      "about 1.5-1.7 segments on average, accuracy close to the fixed-depth model (figure only)",
      `Q head halts after ${f2(h.mean_steps)} segments on average (cap ${h.max_steps}); exact ${
        pc(h.exact_accuracy_at_halt)
      } there vs ${pc(h.exact_accuracy_at_max)} at the cap`,
    );
  }
  const pr = a.participation_ratio;
  const ratio = (x: number | null, y: number | null) => x !== null && y ? f2(x / y) : "-";
  const d = a.model.hidden_size;
  if (!hrm) {
    add(
      "8: PR of the final state",
      "(HRM only in the paper)",
      `${f2(pr.z_H)} trained, ${
        f2(pr.untrained.z_H)
      } untrained (hidden ${d}, ${pr.n_states} states)`,
    );
    return rows;
  }
  const pzh = paperValue(paper, "pr_trained_zh");
  const pzl = paperValue(paper, "pr_trained_zl");
  const uzh = paperValue(paper, "pr_untrained_zh");
  const uzl = paperValue(paper, "pr_untrained_zl");
  add(
    "8: PR z_H / z_L, trained",
    `${pzh ?? "-"} / ${pzl ?? "-"} (ratio ${ratio(pzh, pzl)}; hidden 512, Sudoku)`,
    `${f2(pr.z_H)} / ${pr.z_L === null ? "-" : f2(pr.z_L)} (ratio ${ratio(pr.z_H, pr.z_L)}; ` +
      `hidden ${d}, ${pr.n_states} states)`,
  );
  add(
    "8: PR z_H / z_L, untrained",
    `${uzh ?? "-"} / ${uzl ?? "-"} (ratio ${ratio(uzh, uzl)})`,
    `${f2(pr.untrained.z_H)} / ${pr.untrained.z_L === null ? "-" : f2(pr.untrained.z_L)} (ratio ${
      ratio(pr.untrained.z_H, pr.untrained.z_L)
    }; seed ${pr.untrained_seed})`,
  );
  return rows;
}

const NOTE = "The paper's analyses use its full-size Sudoku model (hidden 512); a scaled-down " +
  "run shows whether an effect appears at its scale, never a reproduction of the figure. " +
  "PR is bounded by the hidden size, so compare ratios (z_H / z_L), not raw values.";

/** The section in Markdown (empty when no model was analysed). */
export function analysesMarkdown(list: AnalysisSummary[], paper: PaperFixtures): string {
  if (!list.length) return "";
  const out = ["", "## Analyses (paper figures 3, 5, 7, 8)", "", NOTE, ""];
  const header = ["model", "figure", "paper", "ours"];
  out.push(`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`);
  for (const a of list) {
    for (const r of analysisRows(a, paper)) {
      out.push(`| ${[r.model, r.figure, r.paper, r.ours].map(mdText).join(" | ")} |`);
    }
  }
  out.push("");
  for (const a of list) {
    const files = [
      ...Object.values(a.figures),
      ...a.intermediate.map((i) => i.file),
    ].map((f) => `[${mdText(f)}](${encodeURIComponent(a.model_id)}/${encodeURIComponent(f)})`);
    out.push(
      `${mdText(a.model_id)}: ${a.samples} of ${a.test_rows} test rows (seed ${a.seed}); ` +
        `figures ${files.join(", ")}`,
      "",
    );
  }
  return out.join("\n");
}

/** The section in HTML, the figures and prediction strips embedded as images. */
export function analysesHtml(list: AnalysisSummary[], paper: PaperFixtures): string {
  if (!list.length) return "";
  const e = escapeXml;
  const parts = [`<h2>Analyses (paper figures 3, 5, 7, 8)</h2>`, `<p class="note">${e(NOTE)}</p>`];
  parts.push(
    "<table><tr><th>model</th><th>figure</th><th>paper</th><th>ours</th></tr>" +
      list.flatMap((a) => analysisRows(a, paper)).map((r) =>
        `<tr><td>${e(r.model)}</td><td>${e(r.figure)}</td><td>${e(r.paper)}</td><td>${
          e(r.ours)
        }</td></tr>`
      ).join("") + "</table>",
  );
  for (const a of list) {
    const src = (f: string) => `${encodeURIComponent(a.model_id)}/${encodeURIComponent(f)}`;
    parts.push(
      `<h3>${e(a.model_id)}: ${a.samples} of ${a.test_rows} test rows (seed ${a.seed})</h3>`,
      '<div class="plots">',
      ...Object.values(a.figures).map((f) => `<div><img src="${src(f)}" alt="${e(f)}"></div>`),
      "</div>",
      ...a.intermediate.map((i) =>
        `<div class="ex"><img src="${
          src(i.file)
        }" alt="predictions of test row ${i.test_row}"></div>`
      ),
    );
  }
  return parts.join("\n");
}
