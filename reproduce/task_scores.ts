/**
 * Task-specific scores computed from saved evaluation outputs, beside the
 * trainer's exact accuracy:
 * - Maze: the valid-shortest-path rate (a valid path as short as the labelled
 *   one counts, though the paper's metric is exact match);
 * - Sudoku and Maze: the token accuracy split by whether a cell must change
 *   (`changedCellScores`), so that a run can be read against the trivial
 *   answer (copy the input);
 * - ARC: voting over augmentations and pass@k (`tasks/arc/score_outputs.ts`), whose
 *   pass@2 is the headline number; its own report goes to `<model>/arc_score/`.
 * @module
 */
import { join } from "node:path";
import { scoreMazePredictions } from "../tasks/maze/mod.ts";
import type { EvalOutputs } from "../io/eval_outputs.ts";
import { evaluateArc } from "../tasks/arc/score_outputs.ts";
import type { TaskPlan } from "./plan.ts";
import { headlineMetricFor } from "./report/build.ts";

/** Extra metrics and the metric that maps onto the headline table. */
export interface TaskScores {
  metrics: Record<string, number>;
  headlineMetric: string;
}

/** The pass@k values the ARC score reports. */
export const ARC_KS = [1, 2, 10, 100, 1000];

/**
 * What copying the input would score (`copy_baseline_accuracy`: the share of
 * labelled cells equal to the input) and the accuracy on the cells that must
 * change (`changed_cell_accuracy`: Sudoku's blanks, Maze's path), over cells
 * whose label is not 0 (padding / ignored). Token accuracy alone hides
 * learning: a model that copies its input scores 88% on 7x7 mazes.
 */
export function changedCellScores(
  inputs: ArrayLike<number>,
  labels: ArrayLike<number>,
  preds: ArrayLike<number>,
): { copy_baseline_accuracy: number; changed_cell_accuracy: number } {
  let cells = 0, same = 0, changed = 0, changedRight = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 0) continue;
    cells++;
    if (inputs[i] === labels[i]) {
      same++;
    } else {
      changed++;
      if (preds[i] === labels[i]) changedRight++;
    }
  }
  return {
    copy_baseline_accuracy: cells ? same / cells : 0,
    changed_cell_accuracy: changed ? changedRight / changed : 0,
  };
}

/** Scores one task's final evaluation outputs (saved by the trainer at `outputsFile`). */
export async function scoreTaskOutputs(
  plan: TaskPlan,
  outputs: EvalOutputs,
  outputsFile: string,
  outDir: string,
): Promise<TaskScores> {
  if (plan.taskModule === "maze") {
    if (!outputs.labels) throw new Error(`${outputsFile}: no labels saved`);
    const score = scoreMazePredictions(
      outputs.inputs,
      outputs.labels,
      outputs.preds,
      outputs.seqLen,
    );
    return {
      metrics: {
        valid_shortest_path_rate: score.validShortestRate,
        ...changedCellScores(outputs.inputs, outputs.labels, outputs.preds),
      },
      headlineMetric: headlineMetricFor(plan.taskModule),
    };
  }
  if (plan.taskModule === "arc") {
    const score = await evaluateArc({
      outputs: outputsFile,
      data: plan.dataDir,
      out: join(outDir, "arc_score"),
      ks: ARC_KS,
    });
    const metrics: Record<string, number> = {};
    for (const k of ARC_KS) {
      metrics[`pass@${k}`] = score.overall[k];
      metrics[`pass@${k}_all_tests`] = score.overallAllTests[k];
    }
    return { metrics, headlineMetric: headlineMetricFor(plan.taskModule) };
  }
  if (!outputs.labels) throw new Error(`${outputsFile}: no labels saved`);
  return {
    metrics: changedCellScores(outputs.inputs, outputs.labels, outputs.preds),
    headlineMetric: headlineMetricFor(plan.taskModule),
  };
}
