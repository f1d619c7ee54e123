/**
 * The training step, the one place where a step happens: one ACT segment in
 * training mode, the loss scaled by 1/batch as the reference's trainer, one
 * backward pass, then the update: AdamATan2 on the parameters and sparse
 * SignSGD on the touched puzzle-embedding rows. Conformance, `deno task
 * train` (one process or data-parallel workers) and the bench all call
 * {@link trainStep}; what differs between them is only the
 * {@link StepOptimizer} that applies the gradients (the whole model here, a
 * parameter shard in a data-parallel worker) and whether a non-finite loss
 * undoes the step.
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { OptimConfig } from "./config.ts";
import { type Carry, disposeCarry, initialCarry, segment, type SegmentResult } from "./act.ts";
import type { BatchRows } from "./batch.ts";
import { AdamATan2, type AdamATan2State, signSgdUpdate } from "./optim.ts";
import { Ema } from "./ema.ts";
import { Rng } from "../util/mod.ts";
import { cosineLr } from "./schedule.ts";
import type { ModelState } from "./state.ts";

/** What a step hands its optimizer. The gradient tensors belong to the step (freed after). */
export interface StepGradients {
  /** Gradient of (loss / rows) for every parameter, by state-dict key. */
  grads: Map<string, tf.Tensor>;
  /** Puzzle-embedding rows the batch touched and their gradients [ids.length, dim]. */
  puzzleIds?: Int32Array;
  puzzleGrad?: Float32Array;
  /** The segment's loss (summed over its rows). */
  loss: number;
  /** Rows of the segment. */
  rows: number;
}

/**
 * Applies one step's gradients. Resolves true when the update was applied;
 * false when `guard` is set and the step must be undone (its loss, or any
 * data-parallel worker's, is not finite): nothing is then changed.
 */
export interface StepOptimizer {
  apply(g: StepGradients, lrs: StepLrs, guard: boolean): Promise<boolean>;
  /**
   * The EMA of the weights (`ema: true`), updated by every applied step; evaluation uses it.
   * In a data-parallel worker it is current once the other shards are loaded.
   */
  readonly ema?: Ema;
  /** The moments and step count (`m.<key>`, `v.<key>`: those this optimizer holds). */
  exportState(): Promise<AdamATan2State>;
  importState(s: AdamATan2State, where: string): void;
  dispose(): void;
}

/**
 * AdamATan2 on every parameter and SignSGD on the puzzle embedding, in this process; then the
 * EMA update when `optim.ema` (as the reference's trainer: optimizers, then `ema_helper.update`).
 */
export class LocalOptimizer implements StepOptimizer {
  readonly adam: AdamATan2;
  readonly ema?: Ema;

  constructor(private readonly model: () => ModelState, private readonly optim: OptimConfig) {
    this.adam = new AdamATan2(model().params, {
      beta1: optim.beta1,
      beta2: optim.beta2,
      weightDecay: optim.weight_decay,
    });
    if (optim.ema) this.ema = new Ema(model().params, optim.ema_rate);
  }

  apply(g: StepGradients, lrs: StepLrs, guard: boolean): Promise<boolean> {
    if (guard && !Number.isFinite(g.loss)) return Promise.resolve(false);
    const m = this.model();
    this.adam.apply(m.params, g.grads, lrs.lr);
    if (m.puzzleEmb && g.puzzleGrad && g.puzzleIds) {
      signSgdUpdate(
        m.puzzleEmb,
        m.config.puzzle_emb_ndim,
        g.puzzleIds,
        g.puzzleGrad,
        lrs.puzzleEmbLr,
        this.optim.puzzle_emb_weight_decay,
      );
    }
    this.ema?.update(m.params);
    return Promise.resolve(true);
  }

  exportState(): Promise<AdamATan2State> {
    return this.adam.exportState();
  }

  importState(s: AdamATan2State, where: string): void {
    this.adam.importState(s, where);
  }

  dispose(): void {
    this.adam.dispose();
    this.ema?.dispose();
  }
}

/** A model with its optimizer and the RNG of ACT exploration. */
export interface Trainer {
  model: ModelState;
  optim: OptimConfig;
  optimizer: StepOptimizer;
  /** Draws min_halt in training; save `rng.state()` for exact resume. */
  rng: Rng;
}

/**
 * A trainer for a model; `seed` seeds the exploration RNG. The optimizer is
 * the {@link LocalOptimizer} unless one is given (a data-parallel worker's shard).
 */
export function createTrainer(
  model: ModelState,
  optim: OptimConfig,
  seed: number,
  optimizer?: StepOptimizer,
): Trainer {
  const t: Trainer = { model, optim, rng: new Rng(seed) } as Trainer;
  t.optimizer = optimizer ?? new LocalOptimizer(() => t.model, optim);
  return t;
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
  /**
   * Undo the step when the loss is not finite (NaN/inf): no update, and the
   * carry and the exploration RNG go back to their state before it. Off, the
   * step is the reference's (which applies whatever the gradients are).
   */
  guardNonFinite?: boolean;
}

/** A training step's result: the segment's outputs plus (optionally) host gradients. */
export interface TrainStepResult extends Omit<SegmentResult, "grads"> {
  hostGrads?: Map<string, Float32Array>;
  /** False when the guard undid the step (`carry` is then the one before it). */
  applied: boolean;
}

/**
 * One training step: a segment in training mode, backward of loss/B, then
 * the trainer's optimizer. The carry passed in is consumed; use the returned one.
 */
export async function trainStep(
  t: Trainer,
  carry: Carry,
  batch: BatchRows,
  lrs: StepLrs,
  opts: TrainStepOptions = {},
): Promise<TrainStepResult> {
  const guard = opts.guardNonFinite ?? false;
  // The segment consumes the carry; clones share its buffers, so keeping the
  // pre-step carry for a rollback costs no copy.
  const before = guard ? cloneCarry(carry) : undefined;
  const rngBefore = guard ? t.rng.state() : undefined;
  const seg = await segment(t.model, carry, batch, {
    training: true,
    rng: t.rng,
    returnLogits: opts.returnLogits,
  });
  const { grads, ...rest } = seg;
  let hostGrads: Map<string, Float32Array> | undefined;
  let applied: boolean;
  try {
    if (opts.returnGrads) {
      const keys = [...grads!.keys()];
      const values = await Promise.all(
        keys.map((k) => grads!.get(k)!.data() as Promise<Float32Array>),
      );
      hostGrads = new Map(keys.map((k, i) => [k, values[i]]));
    }
    applied = await t.optimizer.apply(
      {
        grads: grads!,
        puzzleIds: seg.puzzleIds,
        puzzleGrad: seg.puzzleGrad,
        loss: seg.loss,
        rows: batch.puzzleIdentifiers.length,
      },
      lrs,
      guard,
    );
  } finally {
    for (const g of grads!.values()) g.dispose();
  }
  if (!applied && before && rngBefore) {
    disposeCarry(seg.carry);
    t.rng = Rng.fromState(rngBefore);
    return { ...rest, carry: before, hostGrads, applied };
  }
  if (before) disposeCarry(before);
  return { ...rest, hostGrads, applied };
}

/** A carry whose tensors are clones (same buffers) and whose arrays are shared. */
function cloneCarry(c: Carry): Carry {
  return { ...c, zH: c.zH.clone(), zL: c.zL ? c.zL.clone() : null };
}

/** One evaluation segment (halting only at halt_max_steps, no Q target, no update). */
export function evalStep(
  m: ModelState,
  carry: Carry,
  batch: BatchRows,
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
  batch: BatchRows,
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
  t.optimizer.dispose();
}
