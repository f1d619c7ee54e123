/**
 * {@link TrainModel} in this process: the model, its {@link LocalOptimizer},
 * the exploration RNG and the persistent carry. A step is `trainStep` of
 * model/step.ts with the non-finite guard on (a NaN/inf loss undoes the step).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { HostTensor } from "../io/mod.ts";
import { wasmHeapBytes } from "../backends/mod.ts";
import {
  type Batch,
  type Carry,
  countParams,
  disposeCarry,
  disposeState,
  disposeTrainer,
  evaluateBatch,
  initialCarry,
  type ModelConfig,
  type ModelState,
  stateDict,
  stateFromDict,
  type Trainer,
  trainStep,
} from "../model/mod.ts";
import { Rng, type RngState } from "../util/mod.ts";
import {
  carryFromHost,
  carryToHost,
  composeState,
  evalOutputs,
  splitState,
} from "./exported_state.ts";
import type { EvalBatchResult, ExportedState, StepResult, TrainModel } from "./model_adapter.ts";

/** The metrics of a step or unroll as the trainer logs them (sums; q_continue_loss in training). */
export function metricsOf(m: StepResult["metrics"]): StepResult["metrics"] {
  const out: StepResult["metrics"] = {
    count: m.count,
    accuracy: m.accuracy,
    exact_accuracy: m.exact_accuracy,
    q_halt_accuracy: m.q_halt_accuracy,
    steps: m.steps,
    lm_loss: m.lm_loss,
    q_halt_loss: m.q_halt_loss,
  };
  if (m.q_continue_loss !== undefined) out.q_continue_loss = m.q_continue_loss;
  return out;
}

/** HRM (or the baseline) trained in this process. */
export class LocalTrainModel implements TrainModel {
  readonly modelConfig: Record<string, unknown>;
  readonly numParams: number;
  readonly workers = 1;
  private carry: Carry;

  constructor(private readonly cfg: ModelConfig, private trainer: Trainer) {
    this.modelConfig = { ...cfg };
    this.numParams = countParams(cfg);
    this.carry = initialCarry(trainer.model, cfg.batch_size);
  }

  private get model(): ModelState {
    return this.trainer.model;
  }

  async trainStep(batch: Batch, lr: number, puzzleEmbLr: number): Promise<StepResult> {
    const r = await trainStep(this.trainer, this.carry, batch, { lr, puzzleEmbLr }, {
      guardNonFinite: true,
    });
    this.carry = r.carry;
    return { loss: r.loss, metrics: metricsOf(r.metrics), finite: r.applied };
  }

  async evalBatch(batch: Batch, saveOutputs: readonly string[]): Promise<EvalBatchResult> {
    const want = new Set(saveOutputs);
    let qContinue: Float32Array | undefined;
    // With EMA, evaluation runs on the shadow weights (training continues on the raw ones).
    const ema = this.trainer.optimizer.ema;
    const r = await evaluateBatch(ema ? ema.evalModel(this.model) : this.model, batch, {
      returnLogits: want.has("logits"),
      onSegment: want.has("q_continue_logits") ? (s) => (qContinue = s.qContinue) : undefined,
    });
    return {
      metrics: metricsOf(r.metrics),
      outputs: evalOutputs(batch, r, qContinue, this.cfg.vocab_size, saveOutputs),
    };
  }

  async exportState(): Promise<ExportedState> {
    const adam = await this.trainer.optimizer.exportState();
    return {
      tensors: composeState(
        await stateDict(this.model),
        adam,
        await carryToHost(this.carry),
        await this.trainer.optimizer.ema?.exportState(),
      ),
      state: { adam_step: adam.step, rng: this.trainer.rng.state() },
    };
  }

  async importState(s: ExportedState, where: string): Promise<void> {
    const { weights, adam, carry, ema } = splitState(s.tensors);
    await this.loadWeights(weights, where);
    // Without saved shadows (a run that had ema off) the EMA restarts from the weights.
    if (ema.size) this.trainer.optimizer.ema?.importState(ema, where);
    const step = s.state.adam_step;
    if (typeof step !== "number") throw new Error(`${where}: metadata lacks the optimizer step`);
    this.trainer.optimizer.importState({ step, tensors: adam }, where);
    this.trainer.rng = Rng.fromState(s.state.rng as RngState);
    const restored = carryFromHost(carry, this.cfg.batch_size, where);
    disposeCarry(this.carry);
    this.carry = restored;
  }

  loadWeights(tensors: Map<string, HostTensor>, where: string): Promise<void> {
    const fresh = stateFromDict(this.cfg, tensors, where);
    disposeState(this.trainer.model);
    // The optimizer holds moments by key only; it reads the parameters at each update.
    this.trainer.model = fresh;
    // As the reference registers its EMA after loading: the shadow starts at the new weights.
    this.trainer.optimizer.ema?.reset(fresh.params);
    return Promise.resolve();
  }

  memory(): Promise<{ tfBytes: number; heapBytes: number }> {
    return Promise.resolve({ tfBytes: tf.memory().numBytes, heapBytes: wasmHeapBytes() });
  }

  dispose(): Promise<void> {
    disposeCarry(this.carry);
    disposeTrainer(this.trainer);
    disposeState(this.trainer.model);
    return Promise.resolve();
  }
}
