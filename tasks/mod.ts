/**
 * Benchmark tasks behind one `Task` interface (looked up by name), and the
 * reference dataset layout they all write and the trainer reads.
 * @module
 */
export * from "./dataset.ts";
export { getTask, listTasks } from "./registry.ts";
export { registerTask, type Task, type VerifyReport } from "./task.ts";
export * as maze from "./maze/mod.ts";
export * as arc from "./arc/mod.ts";
export * as sudoku from "./sudoku/mod.ts";
