/**
 * The narrow model interface the trainer, the evaluator and the bench use, so the loop reads
 * top to bottom without tensor bookkeeping. `createTrainModel` builds it on
 * model/mod.ts; it also holds the persistent training carry and exports /
 * imports everything a checkpoint needs (weights, optimizer moments, carry,
 * RNG) as host tensors plus JSON.
 * @module
 */
import type { HostTensor } from "../io/mod.ts";
import type { Batch, Metrics } from "../model/mod.ts";

/**
 * Sums over the rows that halted this segment, as the reference's loss head
 * returns them (the model's own {@link Metrics}, so the two cannot drift).
 */
export type SumMetrics = Metrics;

/** One optimizer step's outcome. */
export interface StepResult {
  /** The ACT loss (summed over the batch, before the 1/batch scale). */
  loss: number;
  metrics: SumMetrics;
  /** False when the loss was NaN/inf: the update was NOT applied (the state is the last good one). */
  finite: boolean;
  /** Where the step's time went (ms), when the model measures it (data-parallel: per phase). */
  timings?: Record<string, number>;
}

/** One evaluation batch's outcome (after all halt_max_steps segments). */
export interface EvalBatchResult {
  metrics: SumMetrics;
  /** Requested per-example outputs (`inputs`, `labels`, `puzzle_identifiers`, `logits`, `preds`, `q_halt_logits`, `q_continue_logits`). */
  outputs: Map<string, HostTensor>;
}

/** Complete exportable state (checkpoint contents). */
export interface ExportedState {
  /** `model.inner.*` weights (reference names), `optim.*` moments, `carry.*`. */
  tensors: Map<string, HostTensor>;
  /** JSON scalars: RNG state, optimizer step count, whether a carry exists. */
  state: Record<string, unknown>;
}

/** A model being trained or evaluated. */
export interface TrainModel {
  /** The model config (reference field names), saved in checkpoints. */
  readonly modelConfig: Record<string, unknown>;
  /** Number of parameters (weights and puzzle embeddings). */
  readonly numParams: number;
  /** Processes the batch's rows are split over (1: this one; more: data-parallel Deno Workers). */
  readonly workers: number;
  /** One ACT segment, loss, backward and both optimizer updates, with the persistent carry. */
  trainStep(batch: Batch, lr: number, puzzleEmbLr: number): Promise<StepResult>;
  /** Runs a batch from a fresh carry for halt_max_steps segments. */
  evalBatch(batch: Batch, saveOutputs: readonly string[]): Promise<EvalBatchResult>;
  exportState(): Promise<ExportedState>;
  importState(s: ExportedState, where: string): Promise<void>;
  /** Replaces the weights (reference state dict; `_orig_mod.` prefixes accepted). */
  loadWeights(tensors: Map<string, HostTensor>, where: string): Promise<void>;
  /** Bytes tfjs holds and the wasm heap size, summed over the workers. */
  memory(): Promise<{ tfBytes: number; heapBytes: number }>;
  /** Frees everything (and stops the workers). */
  dispose(): Promise<void>;
}
