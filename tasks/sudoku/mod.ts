/**
 * The Sudoku-Extreme task: regenerated data on the official difficulty scale
 * (see docs/sudoku.md), registered with the task registry.
 * @module
 */
import { registerTask, type Task } from "../task.ts";
import { buildCommand, rateCommand, renderCommand } from "./cli.ts";
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
};

registerTask(sudokuTask);
