/**
 * The ACT wrapper (reference: HierarchicalReasoningModel_ACTV1.forward) and
 * one segment's forward (and, in training, backward) pass.
 *
 * The carry persists across segments: rows that halted at the previous
 * segment are reset to H_init/L_init, their step counter to 0, and take the
 * new batch's row; the others keep their data and state. After the segment,
 * steps += 1; a row halts at halt_max_steps, or in training when q_halt >
 * q_continue and steps >= min_halt (min_halt drawn uniformly from
 * 2..halt_max_steps with probability halt_exploration_prob, else 0). In
 * training a second inner forward from the new carry gives the Q-learning
 * target for q_continue. TRM (no_ACT_continue) halts on q_halt > 0 instead and
 * has no Q target.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type ModelConfig, puzzleEmbLen, totalLen } from "./config.ts";
import {
  blockContext,
  gradCycle,
  heads,
  type Hidden,
  innerForward,
  inputEmbeddings,
  noGradCycles,
  paramMap,
} from "./hrm.ts";
import { noGrad, type ParamMap } from "./layers.ts";
import { actLoss, computeMetrics, type Metrics, seqCorrectness } from "./loss.ts";
import type { Rng } from "../util/mod.ts";
import type { ModelState } from "./state.ts";
import type { BatchRows } from "./batch.ts";

/** The persistent ACT carry. The tensors are owned by the carry (see `disposeCarry`). */
export interface Carry {
  /** [B*T, D] hidden states (zL is null for the transformer baseline). */
  zH: tf.Tensor2D;
  zL: tf.Tensor2D | null;
  /** Segments run by each row since its reset. */
  steps: Int32Array;
  /** 1 where the row halted at the last segment (it is reset at the next one). */
  halted: Uint8Array;
  /** The data each row is working on. */
  data: BatchRows;
}

/** A fresh carry for `batch` rows: every row halted, so the first segment resets them all. */
export function initialCarry(m: ModelState, batch: number): Carry {
  const c = m.config;
  const n = batch * totalLen(c);
  return {
    zH: tf.zeros([n, c.hidden_size]),
    zL: c.arch === "transformer" ? null : tf.zeros([n, c.hidden_size]),
    steps: new Int32Array(batch),
    halted: new Uint8Array(batch).fill(1),
    data: {
      inputs: new Int32Array(batch * c.seq_len),
      labels: new Int32Array(batch * c.seq_len),
      puzzleIdentifiers: new Int32Array(batch),
    },
  };
}

/** Frees a carry's tensors. */
export function disposeCarry(carry: Carry): void {
  carry.zH.dispose();
  carry.zL?.dispose();
}

/** Checks a host batch against the config; one clear line on mismatch. */
export function checkBatch(m: ModelState, batch: BatchRows, rows: number): void {
  const c = m.config;
  const need = rows * c.seq_len;
  if (batch.inputs.length !== need || batch.labels.length !== need) {
    throw new Error(
      `batch: inputs/labels must have ${rows} x ${c.seq_len} = ${need} entries, got ${batch.inputs.length}/${batch.labels.length}`,
    );
  }
  if (batch.puzzleIdentifiers.length !== rows) {
    throw new Error(`batch: puzzle_identifiers must have ${rows} entries`);
  }
  for (const id of batch.puzzleIdentifiers) {
    if (id < 0 || id >= c.num_puzzle_identifiers) {
      throw new Error(`batch: puzzle identifier ${id} outside 0..${c.num_puzzle_identifiers - 1}`);
    }
  }
  for (const t of batch.inputs) {
    if (t < 0 || t >= c.vocab_size) {
      throw new Error(`batch: input token ${t} outside 0..${c.vocab_size - 1}`);
    }
  }
}

/** What the reset at the start of a segment produces. */
interface Prepared {
  hidden: Hidden;
  steps: Int32Array;
  data: BatchRows;
}

/** Resets halted rows (state, steps, data); consumes the carry's tensors. */
function prepare(m: ModelState, carry: Carry, batch: BatchRows): Prepared {
  const c = m.config;
  const b = carry.halted.length;
  checkBatch(m, batch, b);
  const s = c.seq_len;
  const data: BatchRows = {
    inputs: carry.data.inputs.slice(),
    labels: carry.data.labels.slice(),
    puzzleIdentifiers: carry.data.puzzleIdentifiers.slice(),
  };
  const steps = carry.steps.slice();
  for (let r = 0; r < b; r++) {
    if (!carry.halted[r]) continue;
    steps[r] = 0;
    data.inputs.set(batch.inputs.subarray(r * s, (r + 1) * s), r * s);
    data.labels.set(batch.labels.subarray(r * s, (r + 1) * s), r * s);
    data.puzzleIdentifiers[r] = batch.puzzleIdentifiers[r];
  }
  const t = totalLen(c);
  const hidden = tf.tidy(() => {
    const shape: [number, number] = [b * t, c.hidden_size];
    const halted = carry.halted.reduce((n, h) => n + (h ? 1 : 0), 0);
    // Same values as the masked select below, without building and applying a
    // full-size mask when no row or every row restarts (every evaluation segment).
    const reset = (init: tf.Tensor, z: tf.Tensor2D): tf.Tensor2D => {
      if (halted === 0) return tf.clone(z);
      if (halted === b) return tf.broadcastTo(init, shape) as tf.Tensor2D;
      const rowMask = new Uint8Array(b * t);
      for (let r = 0; r < b; r++) rowMask.fill(carry.halted[r], r * t, (r + 1) * t);
      const mask = tf.tile(tf.tensor2d(rowMask, [b * t, 1], "bool"), [1, c.hidden_size]);
      return tf.where(mask, tf.broadcastTo(init, shape), z) as tf.Tensor2D;
    };
    const zH = reset(m.hInit, carry.zH);
    const zL = carry.zL ? reset(m.lInit, carry.zL) : null;
    return zL ? { zH, zL } : { zH };
  }) as { zH: tf.Tensor2D; zL?: tf.Tensor2D };
  disposeCarry(carry);
  return { hidden: { zH: hidden.zH, zL: hidden.zL ?? null }, steps, data };
}

/** Local copies [B, puzzle_emb_ndim] of the puzzle-embedding rows of a batch (host gather). */
export function gatherPuzzleRows(m: ModelState, ids: Int32Array): Float32Array | null {
  const nd = m.config.puzzle_emb_ndim;
  if (!m.puzzleEmb || nd === 0) return null;
  const out = new Float32Array(ids.length * nd);
  for (let r = 0; r < ids.length; r++) {
    out.set(m.puzzleEmb.subarray(ids[r] * nd, (ids[r] + 1) * nd), r * nd);
  }
  return out;
}

/**
 * Which rows halt after a segment: at halt_max_steps always; in training (with
 * halt_max_steps > 1) also when q_halt > q_continue (TRM: q_halt > 0), but never before min_halt,
 * drawn per row from 2..halt_max_steps with probability halt_exploration_prob
 * (else 0). Draws two numbers from `rng` per row whenever exploration is on.
 */
export function haltDecision(
  c: Pick<ModelConfig, "halt_max_steps" | "halt_exploration_prob"> & { arch?: ModelConfig["arch"] },
  newSteps: Int32Array,
  qHalt: Float32Array,
  qContinue: Float32Array,
  training: boolean,
  rng?: Rng,
): Uint8Array {
  const halted = new Uint8Array(newSteps.length);
  for (let r = 0; r < newSteps.length; r++) {
    let h = newSteps[r] >= c.halt_max_steps;
    if (training && c.halt_max_steps > 1) {
      // TRM (no_ACT_continue): q_halt > 0; HRM: q_halt > q_continue.
      h = h || qHalt[r] > (c.arch === "trm" ? 0 : qContinue[r]);
      let minHalt = 0;
      if (c.halt_exploration_prob > 0) {
        if (!rng) throw new Error("training with halt_exploration_prob > 0 needs an rng");
        const explore = rng.uniform() < c.halt_exploration_prob;
        const draw = 2 + rng.int(c.halt_max_steps - 1);
        minHalt = explore ? draw : 0;
      }
      h = h && newSteps[r] >= minHalt;
    }
    halted[r] = h ? 1 : 0;
  }
  return halted;
}

/** Options of one segment. */
export interface SegmentOptions {
  /** Training mode: halting with exploration, Q target, gradients. */
  training: boolean;
  /** Source of min_halt draws (training with halt_exploration_prob > 0). */
  rng?: Rng;
  /** Copy logits [B*S*V] to the host in the result. */
  returnLogits?: boolean;
}

/** The result of one segment. */
export interface SegmentResult {
  carry: Carry;
  /** Argmax predictions [B*S]. */
  preds: Int32Array;
  qHalt: Float32Array;
  qContinue: Float32Array;
  /** Q-learning target (training with halt_max_steps > 1). */
  targetQContinue?: Float32Array;
  /** Total loss summed over the batch (not divided), and the reference's metrics. */
  loss: number;
  metrics: Metrics;
  logits?: Float32Array;
  /** Training only: gradients of loss / B by parameter key (tensors owned by the caller). */
  grads?: Map<string, tf.Tensor>;
  /** Training only: gradient [B, puzzle_emb_ndim] of the local puzzle rows, and their ids. */
  puzzleGrad?: Float32Array;
  puzzleIds?: Int32Array;
}

/** Device outputs of a segment, kept until read back. */
interface Kept {
  zH: tf.Tensor2D;
  zL: tf.Tensor2D | null;
  logits: tf.Tensor2D;
  preds: tf.Tensor;
  q: tf.Tensor2D;
  target?: tf.Tensor1D;
  losses: tf.Tensor1D;
}

/** Runs one ACT segment. The carry passed in is consumed (its tensors disposed). */
export async function segment(
  m: ModelState,
  carry: Carry,
  batch: BatchRows,
  opts: SegmentOptions,
): Promise<SegmentResult> {
  const c = m.config;
  const b = carry.halted.length;
  const prep = prepare(m, carry, batch);
  const newSteps = prep.steps.map((s) => s + 1);
  const isLast = newSteps.map((s) => (s >= c.halt_max_steps ? 1 : 0));
  const withTarget = opts.training && c.halt_max_steps > 1 && c.arch !== "trm";
  const rowsHost = gatherPuzzleRows(m, prep.data.puzzleIdentifiers);
  const inputs = tf.tensor1d(prep.data.inputs, "int32");
  const labels = tf.tensor1d(prep.data.labels, "int32");
  const rows = rowsHost ? tf.tensor2d(rowsHost, [b, c.puzzle_emb_ndim]) : null;
  const lastMask = tf.tensor1d(isLast, "bool");
  const ctx = blockContext(m, b);
  const keys = [...m.params.keys()];

  // Everything after the no-grad cycles: the gradient cycle, heads, Q target, loss.
  let keptOut: Kept | undefined;
  const tail = (p: ParamMap, puzzle: tf.Tensor2D | null, z: Hidden): tf.Scalar => {
    const x = inputEmbeddings(c, p, inputs, puzzle);
    const next = gradCycle(m, p, z, x, ctx);
    const h = heads(m, p, next.zH, b);
    const seqCorrect = noGrad(
      (lg) => seqCorrectness(lg as tf.Tensor2D, labels, b),
      h.logits,
    ) as tf.Tensor1D;
    let target: tf.Tensor1D | undefined;
    if (withTarget) {
      const ins = next.zL ? [next.zH, next.zL, x] : [next.zH, x];
      target = noGrad((...t) => {
        const z2: Hidden = next.zL ? { zH: t[0] as tf.Tensor2D, zL: t[1] as tf.Tensor2D } : {
          zH: t[0] as tf.Tensor2D,
          zL: null,
        };
        const out = innerForward(m, p, z2, t[t.length - 1] as tf.Tensor2D, b);
        const [qh, qc] = tf.split(out.q, 2, 1).map((q) => tf.reshape(q, [b]));
        return tf.sigmoid(tf.where(lastMask, qh, tf.maximum(qh, qc)));
      }, ...ins) as tf.Tensor1D;
    }
    const parts = actLoss(h.logits, labels, h.q, seqCorrect, b, c.loss_type, target);
    const losses = tf.stack([parts.lmLoss, parts.qHaltLoss, parts.qContinueLoss ?? tf.scalar(0)]);
    const kept: Kept = {
      zH: next.zH,
      zL: next.zL,
      logits: h.logits,
      preds: tf.argMax(h.logits, -1),
      q: h.q,
      target,
      losses: losses as tf.Tensor1D,
    };
    for (const t of Object.values(kept)) if (t) tf.keep(t as tf.Tensor);
    keptOut = kept;
    return tf.mul(parts.total, 1 / b) as tf.Scalar;
  };

  let grads: Map<string, tf.Tensor> | undefined;
  let puzzleGradT: tf.Tensor | undefined;
  try {
    // The cycles without gradient run outside any tape.
    const z = tf.tidy(() => {
      const x = inputEmbeddings(c, paramMap(m), inputs, rows);
      const r = noGradCycles(m, paramMap(m), prep.hidden, x, ctx);
      return r.zL ? [r.zH, r.zL] : [r.zH];
    });
    const hidden: Hidden = { zH: z[0] as tf.Tensor2D, zL: (z[1] as tf.Tensor2D) ?? null };
    try {
      if (opts.training) {
        const args: tf.Tensor[] = keys.map((k) => m.params.get(k)!);
        if (rows) args.push(rows);
        const { value, grads: g } = tf.valueAndGrads((...ts: tf.Tensor[]) => {
          const p: ParamMap = new Map(keys.map((k, i) => [k, ts[i]]));
          return tail(p, rows ? ts[keys.length] as tf.Tensor2D : null, hidden);
        })(args);
        value.dispose();
        grads = new Map(keys.map((k, i) => [k, g[i]]));
        if (rows) puzzleGradT = g[keys.length];
      } else {
        tf.tidy(() => tail(paramMap(m), rows, hidden)).dispose();
      }
    } finally {
      hidden.zH.dispose();
      hidden.zL?.dispose();
    }
  } finally {
    for (const t of [inputs, labels, rows, lastMask, prep.hidden.zH, prep.hidden.zL]) t?.dispose();
  }

  const kept = keptOut!;
  // Read back the small outputs (asynchronously: WebGPU under Deno cannot read synchronously).
  const [q, predsRaw, lossVals, targetRaw, logitsRaw, puzzleRaw] = await Promise.all([
    kept.q.data() as Promise<Float32Array>,
    kept.preds.data() as Promise<Int32Array>,
    kept.losses.data() as Promise<Float32Array>,
    kept.target?.data() as Promise<Float32Array> | undefined,
    opts.returnLogits ? kept.logits.data() as Promise<Float32Array> : undefined,
    puzzleGradT?.data() as Promise<Float32Array> | undefined,
  ]);
  for (const t of [kept.logits, kept.preds, kept.q, kept.target, kept.losses, puzzleGradT]) {
    t?.dispose();
  }
  const qHalt = new Float32Array(b);
  const qContinue = new Float32Array(b);
  for (let r = 0; r < b; r++) {
    qHalt[r] = q[2 * r];
    qContinue[r] = q[2 * r + 1];
  }
  const preds = Int32Array.from(predsRaw);
  const targetQContinue = targetRaw;
  const logits = logitsRaw;
  const puzzleGrad = puzzleRaw;

  const halted = haltDecision(c, newSteps, qHalt, qContinue, opts.training, opts.rng);

  const losses = {
    lm: lossVals[0],
    qHalt: lossVals[1],
    qContinue: withTarget ? lossVals[2] : undefined,
  };
  const metrics = computeMetrics(preds, prep.data.labels, qHalt, halted, newSteps, losses);
  const loss = losses.lm + 0.5 * (losses.qHalt + (losses.qContinue ?? 0));
  return {
    carry: { zH: kept.zH, zL: kept.zL, steps: newSteps, halted, data: prep.data },
    preds,
    qHalt,
    qContinue,
    targetQContinue,
    loss,
    metrics,
    logits,
    grads,
    puzzleGrad,
    puzzleIds: puzzleGrad ? prep.data.puzzleIdentifiers.slice() : undefined,
  };
}

/** Number of prepended puzzle positions (for callers slicing carries). */
export { puzzleEmbLen };
