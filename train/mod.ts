/**
 * Training and evaluation of HRM, programmatically (what `deno task train`
 * and `deno task eval` run).
 *
 * ```ts
 * import { configFromArgs, runTraining, runEvaluation } from "./train/mod.ts";
 *
 * // Same key=value syntax and names as the official trainer (plus backend=, seed=, run_dir=, max_steps=).
 * const config = configFromArgs(["data_path=data/sudoku-1k", "epochs=200", "eval_interval=100",
 *   "global_batch_size=32", "arch.hidden_size=64", "backend=wasm", "run_dir=runs/s1"]);
 * const summary = await runTraining(config, {
 *   onRecord: (r) => console.log(r),   // every metrics.jsonl record as written
 *   quiet: true,                       // no progress output
 *   signal: abortController.signal,    // stop at the next step, checkpoint first
 * });
 * // summary: { runDir, steps, totalSteps, lastTrain, lastEval: {set: metrics}, checkpoint, backend, interrupted }
 *
 * const ev = await runEvaluation({ checkpoint: summary.checkpoint!, overrides: ["backend=wasm"] });
 * // ev: { sets: {all: {count, accuracy, exact_accuracy, q_halt_accuracy, steps, lm_loss, q_halt_loss}},
 * //       step, outDir, outputsDir (hrm-eval-outputs, io/eval_outputs.ts), backend }
 * ```
 *
 * Resume: `configFromArgs([..., "resume=true"])` (or `trainConfigFromArgs`,
 * which also takes the config from the checkpoint when only `resume=<path>`
 * is given). Files of a run folder: `config.json`, `metrics.jsonl`,
 * `checkpoints/latest.safetensors` (periodic) and `checkpoints/step_<N>.safetensors`
 * (evaluations), `eval_outputs/step_<N>/`. See docs/training.md.
 * @module
 */
export {
  type ArchConfig,
  configFromArgs,
  OUTPUT_KEYS,
  parseTrainConfig,
  resolvedConfig,
  schemaKeys,
  type TrainConfig,
  TrainConfigSchema,
} from "./config.ts";
export { parseEvalArgs, savedConfigFor, trainConfigFromArgs } from "./args.ts";
export { resolveRunDir, runTraining, type TrainOptions, type TrainSummary } from "./trainer.ts";
export { type EvalRequest, type EvalSummary, runEvaluation } from "./eval_run.ts";
export { evaluateSplit, type SetMetrics } from "./evaluate.ts";
export { detectFormat, openSplit, openSplitMetadata } from "./data.ts";
export { type Batch, IGNORE_LABEL_ID } from "../model/mod.ts";
export { evalBatches, totalSteps, type TrainPosition, TrainSampler } from "./sampler.ts";
export {
  MetricsLog,
  type MetricsRecord,
  readMetrics,
  TIMING_FIELDS,
  withoutTimings,
} from "./metrics_log.ts";
export {
  type CheckpointMeta,
  findLatestCheckpoint,
  readCheckpoint,
  readCheckpointMeta,
  writeCheckpoint,
} from "./checkpoint.ts";
export { formatDuration, Progress, type ProgressOptions } from "../util/mod.ts";
export {
  createTrainModel,
  modelConfigFor,
  optimConfigFor,
  resolveWorkers,
  trainModelFor,
} from "./create_model.ts";
export type { EvalBatchResult, StepResult, TrainModel } from "./model_adapter.ts";
export { describeConfigKeys } from "./help.ts";
