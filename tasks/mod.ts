/**
 * Benchmark tasks behind one `Task` interface (looked up by name: data,
 * scores of saved outputs, headline metric, example pictures), and the
 * reference dataset layout they all write and the trainer reads.
 * @module
 */
export * from "./dataset.ts";
export { getTask, listTasks } from "./registry.ts";
export {
  type HeadlineUnits,
  registerTask,
  type ScoreContext,
  type ScoreFiles,
  type Task,
  type TaskDefinition,
  type TaskExample,
  type VerifyReport,
} from "./task.ts";
export { changedCellScores } from "./scores.ts";
export { CHANGE_MARK, changedCells, changeMarkSvg } from "./change_mark.ts";
export * as maze from "./maze/mod.ts";
export * as arc from "./arc/mod.ts";
export * as sudoku from "./sudoku/mod.ts";
export { type SyntheticOptions, writeSyntheticDataset } from "./synthetic.ts";
