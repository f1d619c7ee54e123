/**
 * The Sudoku-Extreme task: regenerated data on the official difficulty scale
 * (see docs/sudoku.md), registered with the task registry (with the copy
 * baseline / changed-cell scores and its example pictures).
 * @module
 */
import { changedCellScores, savedLabels } from "../scores.ts";
import { registerTask, type Task } from "../task.ts";
import { buildCommand, rateCommand, renderCommand } from "./cli.ts";
import { sudokuExampleSvg } from "./example_svg.ts";
import { isCompactDir, openCompactSplit } from "./store.ts";
import { verifySudoku } from "./verify.ts";

/** The Sudoku task object. */
export const sudokuTask: Task = {
  name: "sudoku",
  description: "Sudoku-Extreme: regenerated puzzles rated on tdoku's guess scale (81 tokens)",
  build: buildCommand,
  verify: verifySudoku,
  isCompact: isCompactDir,
  openCompact: openCompactSplit,
  recognises: (meta) => meta.seq_len === 81 && meta.vocab_size === 11,
  commands: { "sudoku-rate": rateCommand, "sudoku-render": renderCommand },
  headlineMetric: "exact_accuracy",
  scoreOutputs: (outputs, at) =>
    Promise.resolve(
      changedCellScores(outputs.inputs, savedLabels(outputs, at.outputsFile), outputs.preds),
    ),
  renderExample: sudokuExampleSvg,
};

registerTask(sudokuTask);
export { buildCommand, rateCommand, renderCommand, verifyCommand } from "./cli.ts";
