/**
 * `deno task eval-arc`: scores saved evaluation outputs against a built ARC
 * folder and writes `score.json`, `score.md` (a readable table), and with
 * rendering on, `index.html` plus `tasks/<task>.svg`. The same scoring gives
 * the reproduce reports their pass@k (`scoreArcOutputs`).
 * @module
 */
import { join } from "node:path";
import {
  assertNoOfficialStep,
  type EvalOutputs,
  readAnyEvalOutputs,
  writeFileAtomic,
  writeJsonAtomic,
} from "../../io/mod.ts";
import { gridToRows } from "./encode.ts";
import type { HeadlineUnits, ScoreContext, ScoreFiles } from "../task.ts";
import { writeArcOfficial } from "./official.ts";
import { indexHtml, svgFileName, taskSvg } from "./render.ts";
import { type ArcScore, DEFAULT_KS, readTruth, scoreArc } from "./score.ts";

/** Options of one scoring run. */
export interface EvalArcOptions {
  /** Our safetensors outputs (a file or folder) or the reference's `step_N_all_preds.<rank>` files. */
  outputs: string;
  data: string;
  out: string;
  ks?: number[];
  render?: boolean;
  /** Also write the outputs as the reference's rank files in `dir` (step from the outputs, else 0). */
  writeOfficial?: { dir: string; step?: number };
}

/** The two task-level rules, as report keys: `pass@k_all_tests` (the paper's) and `pass@k_fraction`. */
export function arcMetrics(score: ArcScore): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const k of score.ks) {
    metrics[`pass@${k}_all_tests`] = score.overallAllTests[k];
    metrics[`pass@${k}_fraction`] = score.overallFraction[k];
  }
  return metrics;
}

/** One line per rule, for the terminal. */
export function scoreLines(score: ArcScore): string[] {
  const line = (r: Record<number, number>, suffix: string) =>
    score.ks.map((k) => `pass@${k}_${suffix} ${pct(r[k])}%`).join("  ");
  return [
    `${score.tasks.length} tasks${
      sampleNote(score)
    }; every test input solved (reference notebook, the paper's rule): ` +
    line(score.overallAllTests, "all_tests"),
    `per-test fractional credit: ${line(score.overallFraction, "fraction")}`,
  ];
}

const pct = (x: number) => `${(100 * x).toFixed(2)}`;

/** ` (a sample of 10 of 400 tasks, seed 0)` for sampled outputs, else nothing. */
function sampleNote(score: ArcScore): string {
  const s = score.sample;
  return s ? ` (a sample of ${s.size} of ${s.population} tasks, seed ${s.seed})` : "";
}

/** The score as JSON (per task: pass@k, and per test input the truth's rank and the top-2 answers). */
export function scoreJson(score: ArcScore, opts: { outputs: string; data: string }) {
  const at = (r: Record<number, number>, suffix: string) =>
    Object.fromEntries(score.ks.map((k) => [`pass@${k}_${suffix}`, r[k]]));
  return {
    format: "hrm-arc-score",
    version: 2,
    data: opts.data,
    outputs: opts.outputs,
    tasks: score.tasks.length,
    ...(score.sample ? { sample: score.sample } : {}),
    test_inputs: score.tasks.reduce((n, t) => n + t.tests.length, 0),
    rows_used: score.rowsUsed,
    rows_padding: score.rowsPadding,
    overall_all_tests: at(score.overallAllTests, "all_tests"),
    overall_fraction: at(score.overallFraction, "fraction"),
    per_task: score.tasks.map((t) => ({
      name: t.name,
      ...at(Object.fromEntries(score.ks.map((k) => [k, t.passAt[k] === 1 ? 1 : 0])), "all_tests"),
      ...at(t.passAt, "fraction"),
      tests: t.tests.map((r) => ({
        truth_rank: r.truthRank === null ? null : r.truthRank + 1,
        votes: r.answers.reduce((n, a) => n + a.votes, 0),
        distinct_answers: r.answers.length,
        top: r.answers.slice(0, 2).map((a) => ({
          votes: a.votes,
          mean_sigmoid_q_halt: a.meanSigmoidQ,
          grid: gridToRows(a.grid),
        })),
      })),
    })),
  };
}

/** The readable table (Markdown). */
export function scoreTable(score: ArcScore): string {
  const head = `| | ${score.ks.map((k) => `pass@${k}`).join(" | ")} |`;
  const rule = `|---|${score.ks.map(() => "---:").join("|")}|`;
  const lines = [
    `ARC score: ${score.tasks.length} tasks${
      sampleNote(score)
    }, ${score.rowsUsed} predictions voted`,
    "",
    head,
    rule,
    `| all_tests: tasks with every test input solved (reference notebook, the paper's rule) | ${
      score.ks.map((k) => pct(score.overallAllTests[k])).join(" | ")
    } |`,
    `| fraction: mean share of a task's test inputs solved (per-test credit) | ${
      score.ks.map((k) => pct(score.overallFraction[k])).join(" | ")
    } |`,
    "",
    "Per task: the share of its test inputs solved (100.00 = counted by the all_tests rule).",
    "",
    `| task | tests | ${score.ks.map((k) => `pass@${k}`).join(" | ")} | truth rank | top votes |`,
    `|---|---:|${score.ks.map(() => "---:").join("|")}|---|---|`,
  ];
  for (const t of score.tasks) {
    const ranks = t.tests.map((r) => (r.truthRank === null ? "-" : String(r.truthRank + 1))).join(
      ",",
    );
    const votes = t.tests.map((r) => r.answers.slice(0, 2).map((a) => a.votes).join("/") || "-")
      .join(",");
    lines.push(
      `| ${t.name} | ${t.tests.length} | ${
        score.ks.map((k) => pct(t.passAt[k])).join(" | ")
      } | ${ranks} | ${votes} |`,
    );
  }
  return lines.join("\n") + "\n";
}

/** Scores and writes the report; returns the score. */
export async function evaluateArc(opts: EvalArcOptions): Promise<ArcScore> {
  const { identifiers, tasks } = await readTruth(opts.data);
  const outputs = await readAnyEvalOutputs(opts.outputs);
  const step = opts.writeOfficial?.step ?? Number(outputs.metadata.step ?? 0);
  if (opts.writeOfficial) {
    if (!Number.isSafeInteger(step) || step < 0) {
      throw new Error(`${opts.outputs}: step '${outputs.metadata.step}' is not a step number`);
    }
    await assertNoOfficialStep(opts.writeOfficial.dir, step); // before any report is written
  }
  const score = scoreArc(identifiers, tasks, outputs, opts.ks ?? DEFAULT_KS);
  if (opts.writeOfficial) {
    await writeArcOfficial(opts.writeOfficial.dir, step, identifiers, tasks, outputs);
  }
  await Deno.mkdir(opts.out, { recursive: true });
  await writeJsonAtomic(`${opts.out}/score.json`, scoreJson(score, opts));
  await writeFileAtomic(`${opts.out}/score.md`, scoreTable(score));
  if (opts.render !== false) {
    await Deno.mkdir(`${opts.out}/tasks`, { recursive: true });
    const results = new Map(score.tasks.map((t) => [t.name, t]));
    // A sampled evaluation's pictures show the tasks scored.
    for (const t of score.sample ? tasks.filter((t) => results.has(t.name)) : tasks) {
      await writeFileAtomic(
        `${opts.out}/tasks/${svgFileName(t.name)}`,
        taskSvg(t, results.get(t.name)),
      );
    }
    await writeFileAtomic(
      `${opts.out}/index.html`,
      indexHtml(score, `ARC evaluation: ${opts.data}`),
    );
  }
  return score;
}

/** Where a model's ARC score report goes, under its folder. */
export const ARC_SCORE_DIR = "arc_score";

/** The files of that report that the HTML report links. */
export const ARC_SCORE_FILES: ScoreFiles = {
  heading: "ARC scoring (votes over augmentations, pass@k)",
  links: [
    { text: "every task with its top-2 answers", path: `${ARC_SCORE_DIR}/index.html` },
    { text: "score table", path: `${ARC_SCORE_DIR}/score.md` },
  ],
};

/** The last score of each outputs object, so that its headline units need no second scoring. */
const scored = new WeakMap<EvalOutputs, { key: string; score: ArcScore }>();

async function scoreOnce(outputs: EvalOutputs, at: ScoreContext): Promise<ArcScore> {
  const key = `${at.outputsFile}\0${at.dataDir}\0${at.outDir}`;
  const hit = scored.get(outputs);
  if (hit?.key === key) return hit.score;
  const score = await evaluateArc({
    outputs: at.outputsFile,
    data: at.dataDir,
    out: join(at.outDir, ARC_SCORE_DIR),
    ks: DEFAULT_KS,
  });
  scored.set(outputs, { key, score });
  return score;
}

/**
 * Votes over augmentations and pass@k of a final evaluation: for each default
 * k, `pass@k_all_tests` (the paper's rule; pass@2 of it is the headline) and
 * `pass@k_fraction`; the full report goes to `<model>/arc_score/`. The scorer
 * reads the outputs again from `at.outputsFile`, as `deno task eval-arc` does.
 */
export async function scoreArcOutputs(
  outputs: EvalOutputs,
  at: ScoreContext,
): Promise<Record<string, number>> {
  return arcMetrics(await scoreOnce(outputs, at));
}

/** The headline's units: the tasks scored, each counted when all its test inputs are solved at k. */
export function arcUnits(score: ArcScore, k = 2): HeadlineUnits {
  return {
    unit: "tasks",
    names: score.tasks.map((t) => t.name),
    solved: score.tasks.map((t) => (t.passAt[k] === 1 ? 1 : 0)),
  };
}

/**
 * The units of `pass@2_all_tests` (the headline): every task scored (the
 * sampled ones of a sampled evaluation). `pass@2_fraction` is a mean of
 * per-task fractions, not a proportion of units: it gets none.
 */
export async function arcHeadlineUnits(
  outputs: EvalOutputs,
  at: ScoreContext,
): Promise<HeadlineUnits> {
  return arcUnits(await scoreOnce(outputs, at));
}
