/**
 * Scores any grid task can compute from saved evaluation outputs
 * (io/eval_outputs.ts), beside the trainer's exact accuracy.
 * @module
 */
import type { EvalOutputs } from "../io/mod.ts";

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

/** The saved labels, or an error naming the file when the evaluation saved none. */
export function savedLabels(outputs: EvalOutputs, outputsFile: string): Uint8Array {
  if (!outputs.labels) throw new Error(`${outputsFile}: no labels saved`);
  return outputs.labels;
}
