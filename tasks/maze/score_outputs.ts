/**
 * The maze scores of a final evaluation's saved outputs: the valid-shortest-path
 * rate (a valid path as short as the labelled one counts, though the paper's
 * metric is exact match), and the copy baseline / changed-cell accuracy.
 * @module
 */
import type { EvalOutputs } from "../../io/mod.ts";
import { changedCellScores, savedLabels } from "../scores.ts";
import type { ScoreContext } from "../task.ts";
import { scoreMazePredictions } from "./score.ts";

/** `valid_shortest_path_rate`, `copy_baseline_accuracy`, `changed_cell_accuracy`. */
export function scoreMazeOutputs(
  outputs: EvalOutputs,
  at: ScoreContext,
): Promise<Record<string, number>> {
  const labels = savedLabels(outputs, at.outputsFile);
  const score = scoreMazePredictions(outputs.inputs, labels, outputs.preds, outputs.seqLen);
  return Promise.resolve({
    valid_shortest_path_rate: score.validShortestRate,
    ...changedCellScores(outputs.inputs, labels, outputs.preds),
  });
}
