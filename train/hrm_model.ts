/**
 * {@link TrainModel} on the HRM core (model/): builds the model config from
 * the trainer config and the data, keeps the persistent carry, guards the
 * update against a non-finite loss (the step is undone: the carry and RNG
 * go back to their state before it, and no optimizer update is applied), and
 * exports/imports the complete state for checkpoints.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { HostTensor } from "../io/dtypes.ts";
import type { DatasetMetadata } from "../tasks/dataset.ts";
import {
  type Carry,
  countParams,
  createTrainer,
  disposeCarry,
  disposeState,
  disposeTrainer,
  evaluateBatch,
  initialCarry,
  initModel,
  type ModelConfig,
  type ModelState,
  parseModelConfig,
  parseOptimConfig,
  Rng,
  type RngState,
  segment,
  signSgdUpdate,
  stateDict,
  stateFromDict,
  type Trainer,
} from "../model/mod.ts";
import { puzzleEmbNdim, type TrainConfig } from "./config.ts";
import type {
  EvalResult,
  ExportedState,
  StepResult,
  SumMetrics,
  TrainModel,
} from "./model_adapter.ts";
import type { Batch } from "./sampler.ts";

/** The model variant an `arch.name` selects: the transformer baseline when it names one. */
export function variantOf(archName: string): "hrm" | "transformer" {
  return /transformer/i.test(archName) ? "transformer" : "hrm";
}

/** The model config (reference field names) for a trainer config and the train split. */
export function modelConfigFor(config: TrainConfig, meta: DatasetMetadata): ModelConfig {
  const a = config.arch;
  return parseModelConfig({
    arch: variantOf(a.name),
    batch_size: config.global_batch_size,
    seq_len: meta.seq_len,
    puzzle_emb_ndim: puzzleEmbNdim(a),
    num_puzzle_identifiers: meta.num_puzzle_identifiers,
    vocab_size: meta.vocab_size,
    H_cycles: a.H_cycles,
    L_cycles: a.L_cycles,
    H_layers: a.H_layers,
    L_layers: a.L_layers,
    transformer_layers: a.transformer_layers,
    hidden_size: a.hidden_size,
    expansion: a.expansion,
    num_heads: a.num_heads,
    pos_encodings: a.pos_encodings,
    rms_norm_eps: a.rms_norm_eps,
    rope_theta: a.rope_theta,
    halt_max_steps: a.halt_max_steps,
    halt_exploration_prob: a.halt_exploration_prob,
    loss_type: a.loss.loss_type,
  }, "config (arch.*)");
}

const f32 = async (t: tf.Tensor): Promise<HostTensor> => ({
  dtype: "f32",
  shape: [...t.shape],
  data: await t.data() as Float32Array,
});

function metricsOf(m: SumMetrics): SumMetrics {
  const out: SumMetrics = {
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

/** HRM with its optimizers, exploration RNG and persistent carry. */
class HrmTrainModel implements TrainModel {
  readonly modelConfig: Record<string, unknown>;
  readonly numParams: number;
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
    const t = this.trainer;
    // The segment consumes the carry; clones share its buffers, so keeping the
    // pre-step carry for a rollback costs no copy.
    const before: Carry = {
      ...this.carry,
      zH: tf.clone(this.carry.zH),
      zL: this.carry.zL ? tf.clone(this.carry.zL) : null,
    };
    const rngBefore = t.rng.state();
    const seg = await segment(t.model, this.carry, batch, { training: true, rng: t.rng });
    const grads = seg.grads!;
    const finite = Number.isFinite(seg.loss);
    try {
      if (finite) {
        t.adam.apply(t.model.params, grads, lr);
        if (t.model.puzzleEmb && seg.puzzleGrad && seg.puzzleIds) {
          signSgdUpdate(
            t.model.puzzleEmb,
            this.cfg.puzzle_emb_ndim,
            seg.puzzleIds,
            seg.puzzleGrad,
            puzzleEmbLr,
            t.optim.puzzle_emb_weight_decay,
          );
        }
      }
    } finally {
      for (const g of grads.values()) g.dispose();
    }
    if (finite) {
      disposeCarry(before);
      this.carry = seg.carry;
    } else {
      disposeCarry(seg.carry);
      this.carry = before;
      t.rng = Rng.fromState(rngBefore);
    }
    return { loss: seg.loss, metrics: metricsOf(seg.metrics), finite };
  }

  async evalBatch(batch: Batch, saveOutputs: readonly string[]): Promise<EvalResult> {
    const want = new Set(saveOutputs);
    let qContinue: Float32Array | undefined;
    const r = await evaluateBatch(this.model, batch, {
      returnLogits: want.has("logits"),
      onSegment: want.has("q_continue_logits") ? (s) => (qContinue = s.qContinue) : undefined,
    });
    const B = batch.batchSize;
    const S = batch.seqLen;
    const outputs = new Map<string, HostTensor>();
    const add = (k: string, t: HostTensor) => want.has(k) && outputs.set(k, t);
    add("inputs", { dtype: "i32", shape: [B, S], data: batch.inputs });
    add("labels", { dtype: "i32", shape: [B, S], data: batch.labels });
    add("puzzle_identifiers", { dtype: "i32", shape: [B], data: batch.puzzleIdentifiers });
    add("preds", { dtype: "i32", shape: [B, S], data: r.preds });
    add("q_halt_logits", { dtype: "f32", shape: [B], data: r.qHalt });
    if (r.logits) {
      add("logits", { dtype: "f32", shape: [B, S, this.cfg.vocab_size], data: r.logits });
    }
    if (qContinue) add("q_continue_logits", { dtype: "f32", shape: [B], data: qContinue });
    return { metrics: metricsOf(r.metrics), outputs };
  }

  async exportState(): Promise<ExportedState> {
    const tensors = await stateDict(this.model);
    const adam = await this.trainer.adam.exportState();
    for (const [k, t] of adam.tensors) tensors.set(`optim.adam.${k}`, t);
    const c = this.carry;
    const B = c.halted.length;
    tensors.set("carry.z_H", await f32(c.zH));
    if (c.zL) tensors.set("carry.z_L", await f32(c.zL));
    tensors.set("carry.steps", { dtype: "i32", shape: [B], data: c.steps.slice() });
    tensors.set("carry.halted", { dtype: "u8", shape: [B], data: c.halted.slice() });
    const S = this.cfg.seq_len;
    tensors.set("carry.inputs", { dtype: "i32", shape: [B, S], data: c.data.inputs.slice() });
    tensors.set("carry.labels", { dtype: "i32", shape: [B, S], data: c.data.labels.slice() });
    tensors.set("carry.puzzle_identifiers", {
      dtype: "i32",
      shape: [B],
      data: c.data.puzzleIdentifiers.slice(),
    });
    return { tensors, state: { adam_step: adam.step, rng: this.trainer.rng.state() } };
  }

  importState(s: ExportedState, where: string): void {
    const weights = new Map<string, HostTensor>();
    const adam = new Map<string, HostTensor>();
    const carry = new Map<string, HostTensor>();
    for (const [k, t] of s.tensors) {
      if (k.startsWith("optim.adam.")) adam.set(k.slice("optim.adam.".length), t);
      else if (k.startsWith("carry.")) carry.set(k.slice("carry.".length), t);
      else weights.set(k, t);
    }
    this.loadWeights(weights, where);
    const step = s.state.adam_step;
    const rng = s.state.rng;
    if (typeof step !== "number") throw new Error(`${where}: metadata lacks the optimizer step`);
    this.trainer.adam.importState({ step, tensors: adam }, where);
    this.trainer.rng = Rng.fromState(rng as RngState);
    const need = (k: string) => {
      const t = carry.get(k);
      if (!t) throw new Error(`${where}: missing 'carry.${k}'`);
      return t;
    };
    const B = this.cfg.batch_size;
    const steps = need("steps");
    if (steps.shape[0] !== B) {
      throw new Error(
        `${where}: the carry holds ${steps.shape[0]} rows but global_batch_size is ${B}`,
      );
    }
    const zH = need("z_H");
    const zL = carry.get("z_L");
    disposeCarry(this.carry);
    this.carry = {
      zH: tf.tensor2d(zH.data as Float32Array, zH.shape as [number, number]),
      zL: zL ? tf.tensor2d(zL.data as Float32Array, zL.shape as [number, number]) : null,
      steps: Int32Array.from(steps.data as Int32Array),
      halted: Uint8Array.from(need("halted").data as Uint8Array),
      data: {
        inputs: Int32Array.from(need("inputs").data as Int32Array),
        labels: Int32Array.from(need("labels").data as Int32Array),
        puzzleIdentifiers: Int32Array.from(need("puzzle_identifiers").data as Int32Array),
      },
    };
  }

  loadWeights(tensors: Map<string, HostTensor>, where: string): void {
    const fresh = stateFromDict(this.cfg, tensors, where);
    disposeState(this.trainer.model);
    // The optimizer holds moments by key only; the parameters are passed at each update.
    this.trainer.model = fresh;
  }

  dispose(): void {
    disposeCarry(this.carry);
    disposeTrainer(this.trainer);
    disposeState(this.trainer.model);
  }
}

/** A freshly initialised HRM (seeded from `config.seed`) with optimizers for `config`. */
export function createTrainModel(config: TrainConfig, meta: DatasetMetadata): Promise<TrainModel> {
  const cfg = modelConfigFor(config, meta);
  const optim = parseOptimConfig({
    lr: config.lr,
    weight_decay: config.weight_decay,
    beta1: config.beta1,
    beta2: config.beta2,
    puzzle_emb_lr: config.puzzle_emb_lr,
    puzzle_emb_weight_decay: config.puzzle_emb_weight_decay,
    lr_warmup_steps: Math.round(config.lr_warmup_steps),
    lr_min_ratio: config.lr_min_ratio,
  });
  const model = initModel(cfg, config.seed);
  // Exploration draws get their own stream, distinct from the init stream.
  const trainer = createTrainer(model, optim, config.seed + 0x5eed);
  return Promise.resolve(new HrmTrainModel(cfg, trainer));
}
