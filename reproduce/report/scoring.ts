/**
 * What each model's numbers were scored on, in words, for the reports: the
 * checkpoint and the rule that chose it (`--score-checkpoint`), a training run
 * that stopped early on a non-finite loss (marked), and a sampled test set
 * (`--eval-sample`) with its Wilson interval.
 * @module
 */
import type { TaskReport } from "./schema.ts";

type ReportModel = TaskReport["models"][number];

const pct1 = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The mark of a model whose training (any seed) stopped early, or undefined. */
export function stoppedMark(m: ReportModel): string | undefined {
  const seeds = (m.seeds ?? []).filter((s) => s.stopped);
  if (seeds.length > 1 || (seeds.length === 1 && (m.seeds?.length ?? 0) > 1)) {
    return "training stopped early (" +
      seeds.map((s) => `seed ${s.seed}: ${s.stopped}, scored step ${s.scored_step}`).join("; ") +
      "): the last good checkpoint was scored";
  }
  if (m.training) {
    return `training stopped early (${m.training.stopped}): the last good checkpoint ` +
      `(step ${m.training.scored_step}) was scored`;
  }
  return undefined;
}

/** One line per fact about a model's scoring (checkpoint rule, early stop, sample). */
export function scoringLines(report: TaskReport): string[] {
  const out: string[] = [];
  for (const m of report.models) {
    if (m.status !== "done") continue;
    const c = m.scoredCheckpoint;
    if (c) {
      const steps = (m.seeds ?? []).map((s) => s.scored_step);
      const perSeed = steps.length > 1 && new Set(steps).size > 1
        ? ` (steps by seed: ${
          (m.seeds ?? []).map((s) => `${s.seed}: ${s.scored_step}`).join(", ")
        })`
        : "";
      out.push(`${m.model}: scored checkpoint (${c.rule}): ${c.note}${perSeed}`);
    } else if (m.givenCheckpoint) {
      out.push(`${m.model}: scored the given checkpoint (evaluated, not trained)`);
    }
    const stop = stoppedMark(m);
    if (stop) out.push(`${m.model}: ${stop}`);
    if (m.sample) {
      const s = m.sample;
      const h = s.headline;
      out.push(
        `${m.model}: scored on a sample of the test set: ${s.text}; exact accuracy ` +
          `${s.correct}/${s.rows} = ${pct1(s.rows ? s.correct / s.rows : 0)}, Wilson 95% ` +
          `[${pct1(s.ci95[0])}, ${pct1(s.ci95[1])}]` +
          (h
            ? `; ${h.metric} ${h.correct}/${h.n} ${h.unit} = ${pct1(h.n ? h.correct / h.n : 0)}, ` +
              `Wilson 95% [${pct1(h.ci95[0])}, ${pct1(h.ci95[1])}] (${h.unit} as the units)`
            : ""),
      );
    }
  }
  return out;
}

/** The run-level marks (early stops, samples) of every task, for the summaries. */
export function runMarks(reports: TaskReport[]): string[] {
  const out: string[] = [];
  for (const r of reports) {
    for (const m of r.models) {
      if (m.status !== "done") continue;
      const stop = stoppedMark(m);
      if (stop) out.push(`${r.task.task}/${m.model}: ${stop}`);
      if (m.sample) out.push(`${r.task.task}/${m.model}: scored on a sample: ${m.sample.text}`);
      const c = m.scoredCheckpoint;
      if (c && c.rule !== "last") out.push(`${r.task.task}/${m.model}: scored ${c.note}`);
    }
  }
  return out;
}
