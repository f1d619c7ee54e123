/**
 * # The HRM and TRM models: public API
 *
 * HRM (Wang et al. 2025), its "Direct pred" transformer baseline and TRM
 * (Jolicoeur-Martineau 2025, `arch: "trm"`) in TensorFlow.js, numerically
 * matching the official PyTorch code (checked by `deno task conform`). Everything else in the
 * project (trainer, evaluation, benchmarks) should import from here.
 *
 * ```ts
 * import * as hrm from "./mod.ts";
 * await hrm.useBackend("cpu");
 * const B = 2, S = 4, total = 3;
 * const model = hrm.createModel({
 *   batch_size: B, seq_len: S, vocab_size: 5, num_puzzle_identifiers: 2,
 *   hidden_size: 16, num_heads: 2, H_layers: 1, L_layers: 1, // paper defaults for the rest
 * }, 0);
 * const trainer = hrm.createTrainer(model, hrm.parseOptimConfig({ lr: 1e-3 }), 0);
 * let carry = hrm.initialCarry(model, B);            // every row halted: reset on first step
 * const batch = hrm.batchOf({                        // Int32Array [B*S], [B*S], [B]
 *   inputs: Int32Array.from([1, 2, 3, 4, 4, 3, 2, 1]),
 *   labels: Int32Array.from([2, 3, 4, 1, 1, 2, 3, -100]), // -100: not scored
 *   puzzleIdentifiers: Int32Array.from([0, 1]),
 * });
 * for (let step = 1; step <= total; step++) {
 *   const r = await hrm.trainStep(trainer, carry, batch,
 *     hrm.scheduledLrs(trainer.optim, step, total));
 *   carry = r.carry;                                 // the old carry is consumed
 *   // r.metrics: sums as the reference: count, accuracy, exact_accuracy, q_halt_accuracy,
 *   // steps, lm_loss, q_halt_loss, q_continue_loss
 *   if (!Number.isFinite(r.loss)) throw new Error("loss");
 * }
 * hrm.disposeCarry(carry);
 * const ev = await hrm.evaluateBatch(model, batch); // full unroll: preds, qHalt, metrics
 * if (ev.preds.length !== B * S) throw new Error("preds");
 * const path = await Deno.makeTempFile({ suffix: ".safetensors" });
 * await hrm.saveState(model, path);                 // reference key names
 * hrm.disposeTrainer(trainer);
 * hrm.disposeState(model);
 * await Deno.remove(path);
 * ```
 *
 * Conventions:
 * - Batches are host arrays: `inputs`, `labels` Int32Array [B*S] row-major
 *   (labels -100 = ignored), `puzzleIdentifiers` Int32Array [B]. Rows of a
 *   batch that a running (not halted) carry row does not need are ignored, as
 *   in the reference.
 * - Steps are async (WebGPU under Deno can only read data asynchronously).
 * - Tensors are owned: a carry passed to a step is consumed and a new one
 *   returned; `disposeCarry`, `disposeState`, `disposeTrainer` free the rest.
 *   The number of live tensors does not grow from step to step.
 * - Metrics are sums over rows that halted this step (divide by `count`), loss
 *   values are sums over the batch (divide by B), exactly as the reference's
 *   loss head returns them.
 * - All randomness is seeded: `createModel(config, seed)` for weights, the
 *   trainer's `rng` (save `rng.state()`) for ACT exploration.
 * - Checkpointing a trainer: `await saveState(model, path)`,
 *   `await trainer.optimizer.exportState()` / `importState`, `trainer.rng.state()`;
 *   restore the model with `loadState(config, path)`.
 * @module
 */
import { type ModelConfig, type ModelConfigInput, parseModelConfig } from "./config.ts";
import { initModel, type ModelState } from "./state.ts";

export {
  type Arch,
  archOf,
  ARCHS,
  formatIssues,
  type ModelConfig,
  type ModelConfigInput,
  ModelConfigSchema,
  type OptimConfig,
  type OptimConfigInput,
  OptimConfigSchema,
  parseModelConfig,
  parseOptimConfig,
  puzzleEmbLen,
  swigluInner,
  totalLen,
  TRM_PUZZLE_EMB_LEN,
  usesMlpT,
} from "./config.ts";
export { Rng, type RngState } from "../util/mod.ts";
export {
  countParams,
  disposeState,
  initModel,
  loadState,
  type ModelState,
  paramSpecs,
  saveState,
  stateDict,
  stateFromDict,
} from "./state.ts";
export {
  type Carry,
  checkBatch,
  disposeCarry,
  haltDecision,
  initialCarry,
  segment,
  type SegmentOptions,
  type SegmentResult,
} from "./act.ts";
export { type LossType, type Metrics } from "./loss.ts";
export { type Batch, batchOf, type BatchRows, IGNORE_LABEL_ID, sliceBatch } from "./batch.ts";
export { AdamATan2, type AdamATan2State, signSgdUpdate } from "./optim.ts";
export { cosineLr } from "./schedule.ts";
export { Ema, EMA_PREFIX } from "./ema.ts";
export {
  createTrainer,
  disposeTrainer,
  type EvalResult,
  evalStep,
  evaluateBatch,
  scheduledLrs,
  type StepLrs,
  type Trainer,
  trainStep,
  type TrainStepOptions,
  type TrainStepResult,
} from "./step.ts";
export {
  type BackendChoice,
  type BackendInfo,
  type BackendName,
  describeBackend,
  parseBackend,
  useBackend,
} from "../backends/mod.ts";

/** A freshly initialised model from a (partial) config and a seed; throws one line on bad config. */
export function createModel(config: ModelConfigInput | ModelConfig, seed: number): ModelState {
  return initModel(parseModelConfig(config), seed);
}
export { adamATan2Constants, adamATan2Host, type AdamATan2Options } from "./optim.ts";
export { type StepGradients, type StepOptimizer } from "./step.ts";
