/**
 * Training and evaluation of HRM, programmatically (what `deno task train`
 * and `deno task eval` run).
 *
 * ```ts
 * import { configFromArgs, runEvaluation, runTraining } from "./mod.ts";
 * import { writeSyntheticDataset } from "../tasks/mod.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await writeSyntheticDataset(`${dir}/data`); // a tiny task in the reference layout
 * // Same key=value syntax and names as the official trainer (plus backend=, workers=, seed=,
 * // run_dir=, max_steps=, ...).
 * const config = configFromArgs([`data_path=${dir}/data`, "epochs=2", "eval_interval=2",
 *   "global_batch_size=4", "arch.hidden_size=16", "arch.num_heads=2", "arch.H_layers=1",
 *   "arch.L_layers=1", "backend=cpu", "workers=1", `run_dir=${dir}/run`]);
 * const stop = new AbortController();
 * const summary = await runTraining(config, {
 *   onRecord: (r) => r.kind === "eval" && console.log(r), // every metrics.jsonl record
 *   quiet: true,                                         // no progress output
 *   signal: stop.signal,                                 // stop at the next step, checkpoint first
 * });
 * // summary: { runDir, steps, totalSteps, lastTrain, lastEval: {set: metrics}, checkpoint, backend, interrupted }
 *
 * const ev = await runEvaluation({ checkpoint: summary.checkpoint!, overrides: ["backend=cpu"] });
 * // ev: { sets: {all: {count, accuracy, exact_accuracy, q_halt_accuracy, steps, lm_loss, q_halt_loss}},
 * //       step, outDir, outputsDir (hrm-eval-outputs, io/eval_outputs.ts), backend }
 * if (!(ev.sets.all.count > 0)) throw new Error("evaluated nothing");
 * await Deno.remove(dir, { recursive: true });
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
export {
  NonFiniteLossError,
  resolveRunDir,
  runTraining,
  type TrainOptions,
  type TrainSummary,
} from "./trainer.ts";
export {
  chooseCheckpoint,
  evaluationSteps,
  ordinal,
  parseScoreRule,
  ruleText,
  type ScoredCheckpoint,
  type ScoreRule,
  trainAccuracyByEvaluation,
} from "./score_checkpoint.ts";
export { type EvalRequest, type EvalSummary, runEvaluation } from "./eval_run.ts";
export { evaluateSplit, type SetMetrics } from "./evaluate.ts";
export { evaluationWeights } from "./exported_state.ts";
export {
  checkSampleSize,
  countGroups,
  type EvalSampleInfo,
  type EvalSampleRequest,
  parseEvalSample,
  sampleGroupIndices,
  sampleSplit,
  sampleText,
} from "./eval_sample.ts";
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
export {
  checkResources,
  estimateMemory,
  formatBytes,
  type LargestTensor,
  type MemoryEstimate,
  type MemoryLimits,
  memoryLimits,
  resourceProblem,
  type ResourceRequest,
  WASM_HEAP_LIMIT,
  WEBGPU_TENSOR_LIMIT,
} from "./resources.ts";
export type { EvalBatchResult, StepResult, TrainModel } from "./model_adapter.ts";
export { describeConfigKeys } from "./help.ts";
