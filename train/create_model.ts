/**
 * Builds the {@link TrainModel} a trainer config asks for: the model config
 * from the trainer config and the data, the optimizer settings, and where the
 * model runs: in this process (`workers=1`) or data-parallel over Deno
 * Workers (`workers=N`, train/parallel/). Both run the same step
 * (model/step.ts `trainStep`) and write the same checkpoint files.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { DatasetMetadata } from "../tasks/mod.ts";
import {
  type Arch,
  archOf,
  type BackendName,
  createTrainer,
  initModel,
  type ModelConfig,
  type OptimConfig,
  parseModelConfig,
  parseOptimConfig,
} from "../model/mod.ts";
import { puzzleEmbNdim, type TrainConfig } from "./config.ts";
import type { TrainModel } from "./model_adapter.ts";
import { LocalTrainModel } from "./local_model.ts";
import { ParallelTrainModel } from "./parallel/parallel_model.ts";
import { checkResources, memoryLimits } from "./resources.ts";

/**
 * The model variant an `arch.name` selects: the transformer baseline when it names one, TRM
 * for `recursive_reasoning.trm@...` (or `trm`), else HRM.
 */
export function variantOf(archName: string): Arch {
  return archOf(archName);
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
    // TRM's fields only when set (a model other than TRM refuses them by name).
    ...(a.mlp_t !== null ? { mlp_t: a.mlp_t } : {}),
    ...(a.puzzle_emb_len !== null ? { puzzle_emb_len: a.puzzle_emb_len } : {}),
    ...(a.no_ACT_continue !== null ? { no_ACT_continue: a.no_ACT_continue } : {}),
  }, "config (arch.*)");
}

/** The optimizer settings of a trainer config. */
export function optimConfigFor(config: TrainConfig): OptimConfig {
  return parseOptimConfig({
    lr: config.lr,
    weight_decay: config.weight_decay,
    beta1: config.beta1,
    beta2: config.beta2,
    puzzle_emb_lr: config.puzzle_emb_lr,
    puzzle_emb_weight_decay: config.puzzle_emb_weight_decay,
    lr_warmup_steps: Math.round(config.lr_warmup_steps),
    lr_min_ratio: config.lr_min_ratio,
    ema: config.ema,
    ema_rate: config.ema_rate,
  });
}

/**
 * How many workers `workers=` means on `backend`: 0 (auto) is every core on
 * wasm/cpu and 1 on webgpu (one GPU); never more than the batch has rows.
 */
export function resolveWorkers(workers: number, backend: string, batch: number): number {
  const cores = navigator.hardwareConcurrency || 1;
  const wanted = workers > 0 ? workers : backend === "webgpu" ? 1 : cores;
  return Math.max(1, Math.min(wanted, batch));
}

/** Where a model runs and how it is seeded. */
export interface PlacementOptions {
  /** Weight init seed; exploration draws use `seed + 0x5eed` (their own stream). */
  seed: number;
  /** 1: this process; more: data-parallel Deno Workers (the rows are split between them). */
  workers: number;
  /** Backend each worker initialises (this process's backend must already be set). */
  backend: BackendName;
}

/** A freshly initialised model with its optimizers, in this process or over workers. */
export async function trainModelFor(
  cfg: ModelConfig,
  optim: OptimConfig,
  opts: PlacementOptions,
): Promise<TrainModel> {
  const explorationSeed = opts.seed + 0x5eed;
  if (opts.workers > 1) {
    return await ParallelTrainModel.create(cfg, optim, {
      initSeed: opts.seed,
      explorationSeed,
      workers: opts.workers,
      backend: opts.backend,
    });
  }
  const trainer = createTrainer(initModel(cfg, opts.seed), optim, explorationSeed);
  return new LocalTrainModel(cfg, trainer);
}

/**
 * The model `config` asks for (seeded from `config.seed`, `workers=` resolved on the current backend).
 * Before any weight is allocated, a config whose memory need is beyond the machine or the backend
 * (train/resources.ts: wasm's 4 GiB heap per worker, WebGPU's per-tensor limit, the machine's
 * memory) is refused with one line naming the need, the limit and the setting to lower.
 * `purpose` "eval" checks an evaluation's need (no backward pass) instead of training's.
 */
export function createTrainModel(
  config: TrainConfig,
  meta: DatasetMetadata,
  purpose: "train" | "eval" = "train",
): Promise<TrainModel> {
  const cfg = modelConfigFor(config, meta);
  const backend = tf.getBackend() as BackendName;
  const workers = resolveWorkers(config.workers, backend, cfg.batch_size);
  try {
    checkResources({ cfg, workers, purpose, ema: config.ema, limits: memoryLimits(backend) });
  } catch (err) {
    return Promise.reject(err);
  }
  return trainModelFor(cfg, optimConfigFor(config), { seed: config.seed, workers, backend });
}
