/**
 * Training and evaluation steps built on the ACT segment: one training step
 * is one segment, one loss (scaled by 1/batch as the reference's trainer),
 * one backward pass, one AdamATan2 update of the parameters and one sparse
 * SignSGD update of the touched puzzle-embedding rows.
 * @module
 */
import type { OptimConfig } from "./config.ts";
import {
  type Batch,
  type Carry,
  disposeCarry,
  initialCarry,
  segment,
  type SegmentResult,
} from "./act.ts";
import { AdamATan2, signSgdUpdate } from "./optim.ts";
import { Rng } from "../util/rng.ts";
import { cosineLr } from "./schedule.ts";
import type { ModelState } from "./state.ts";

/** A model with its optimizers and the RNG of ACT exploration. */
export interface Trainer {
  model: ModelState;
  optim: OptimConfig;
  adam: AdamATan2;
  /** Draws min_halt in training; save `rng.state()` for exact resume. */
  rng: Rng;
}

/** A trainer for a model; `seed` seeds the exploration RNG. */
export function createTrainer(model: ModelState, optim: OptimConfig, seed: number): Trainer {
  return {
    model,
    optim,
    adam: new AdamATan2(model.params, {
      beta1: optim.beta1,
      beta2: optim.beta2,
      weightDecay: optim.weight_decay,
    }),
    rng: new Rng(seed),
  };
}

/** Learning rates of one step. */
export interface StepLrs {
  lr: number;
  puzzleEmbLr: number;
}

/**
 * The reference's schedule for both optimizers at `step` (1 for the first
 * update, as the reference increments its counter before computing the lr).
 */
export function scheduledLrs(optim: OptimConfig, step: number, totalSteps: number): StepLrs {
  const at = (base: number) =>
    cosineLr(step, base, optim.lr_warmup_steps, totalSteps, optim.lr_min_ratio);
  return { lr: at(optim.lr), puzzleEmbLr: at(optim.puzzle_emb_lr) };
}

/** Options of a training step. */
export interface TrainStepOptions {
  returnLogits?: boolean;
  /** Copy every gradient to the host in the result (conformance checks). */
  returnGrads?: boolean;
}

/** A training step's result: the segment's outputs plus (optionally) host gradients. */
export interface TrainStepResult extends Omit<SegmentResult, "grads"> {
  hostGrads?: Map<string, Float32Array>;
}

/**
 * One training step: a segment in training mode, backward of loss/B, then
 * both optimizer updates. The carry passed in is consumed; use the returned one.
 */
export async function trainStep(
  t: Trainer,
  carry: Carry,
  batch: Batch,
  lrs: StepLrs,
  opts: TrainStepOptions = {},
): Promise<TrainStepResult> {
  const seg = await segment(t.model, carry, batch, {
    training: true,
    rng: t.rng,
    returnLogits: opts.returnLogits,
  });
  const { grads, ...rest } = seg;
  let hostGrads: Map<string, Float32Array> | undefined;
  try {
    if (opts.returnGrads) {
      const keys = [...grads!.keys()];
      const values = await Promise.all(
        keys.map((k) => grads!.get(k)!.data() as Promise<Float32Array>),
      );
      hostGrads = new Map(keys.map((k, i) => [k, values[i]]));
    }
    t.adam.apply(t.model.params, grads!, lrs.lr);
  } finally {
    for (const g of grads!.values()) g.dispose();
  }
  const m = t.model;
  if (m.puzzleEmb && seg.puzzleGrad && seg.puzzleIds) {
    signSgdUpdate(
      m.puzzleEmb,
      m.config.puzzle_emb_ndim,
      seg.puzzleIds,
      seg.puzzleGrad,
      lrs.puzzleEmbLr,
      t.optim.puzzle_emb_weight_decay,
    );
  }
  return { ...rest, hostGrads };
}

/** One evaluation segment (halting only at halt_max_steps, no Q target, no update). */
export function evalStep(
  m: ModelState,
  carry: Carry,
  batch: Batch,
  opts: { returnLogits?: boolean } = {},
): Promise<SegmentResult> {
  return segment(m, carry, batch, { training: false, returnLogits: opts.returnLogits });
}

/** Result of a full evaluation unroll of one batch. */
export interface EvalResult {
  /** Argmax predictions [B*S] after the last segment. */
  preds: Int32Array;
  /** Logits [B*S*V] after the last segment (when requested). */
  logits?: Float32Array;
  /** q_halt logits per row after the last segment. */
  qHalt: Float32Array;
  /** Metrics of the last segment (every row halts there). */
  metrics: SegmentResult["metrics"];
  /** Segments run (= halt_max_steps). */
  segments: number;
}

/**
 * Evaluates one batch as the reference's evaluate(): a fresh carry, then
 * segments until every row halts (always halt_max_steps in eval).
 * `onSegment` sees each segment's result (e.g. for conformance traces).
 */
export async function evaluateBatch(
  m: ModelState,
  batch: Batch,
  opts: {
    returnLogits?: boolean;
    onSegment?: (r: SegmentResult, index: number) => void;
  } = {},
): Promise<EvalResult> {
  const rows = batch.puzzleIdentifiers.length;
  let carry = initialCarry(m, rows);
  let segments = 0;
  for (;;) {
    const last = segments + 1 >= m.config.halt_max_steps;
    const r = await evalStep(m, carry, batch, {
      returnLogits: opts.returnLogits && (last || opts.onSegment !== undefined),
    });
    carry = r.carry;
    segments++;
    opts.onSegment?.(r, segments);
    if (r.carry.halted.every((h) => h === 1)) {
      disposeCarry(carry);
      return { preds: r.preds, logits: r.logits, qHalt: r.qHalt, metrics: r.metrics, segments };
    }
  }
}

/** Frees a trainer's optimizer state (the model is freed separately). */
export function disposeTrainer(t: Trainer): void {
  t.adam.dispose();
}
