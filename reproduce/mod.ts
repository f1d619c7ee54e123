/**
 * # `deno task reproduce`: the paper's tables from one command
 *
 * Profiles (smoke, cpu, paper), the pipeline (data -> training -> evaluation
 * -> scoring -> reports, resumable, models side by side with `--jobs`), the
 * paper's numbers as data, and the reports (reproduce/report/) that put ours
 * beside them. Everything a task knows comes from its `Task` (tasks/).
 * @module
 */
export { CPU_MAZE_SIZE, CPU_SETTINGS } from "./profile_small.ts";
export { checkRunInside, writeRunReports } from "./report/write.ts";
export { analyzeRun, type AnalyzeRunOptions, REPRODUCE_ANALYSIS_SAMPLES } from "./analyze_run.ts";
export { type ProfileName, PROFILES } from "./profiles.ts";
export { parseCheckpoints, reproduce } from "./reproduce.ts";
export { realPipeline, workerPipeline } from "./pipeline.ts";
export { TASK_IDS, type TaskId } from "./report/schema.ts";
export { parseSeeds } from "./seeds.ts";
export { sweep, type SweepOptions } from "./sweep.ts";
export { parseGridAxis, readGridFile } from "./sweep_grid.ts";
export { getPreset, SWEEP_PRESETS, type SweepPreset } from "./sweep_presets.ts";
export { writeSweepReports } from "./sweep_report.ts";
export { officialCommandLines, officialCommands } from "./official_command.ts";
export { paperWallTime, THROUGHPUT } from "./paper_walltime.ts";
