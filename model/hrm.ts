/**
 * The inner model (reference: HierarchicalReasoningModel_ACTV1_Inner): input
 * embeddings with prepended puzzle-embedding positions, the H/L recurrence,
 * and the output heads. Hidden states are 2-D [B*T, D] with T = puzzle
 * positions + seq_len.
 *
 * One segment runs H_cycles x L_cycles: every module call but the last L and
 * the last H runs without gradient (`noGradCycles`), then `gradCycle` runs
 * `zL = L(zL, zH + x); zH = H(zH, zL)` with gradient (the one-step gradient).
 * The transformer baseline (arch 'transformer') has one module called once
 * per segment, `z = M(z, x)`, with full gradient. TRM (arch 'trm') runs its own
 * recursion (trm.ts): the one place the architectures are dispatched is here.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type ModelConfig, puzzleEmbLen, totalLen, usesMlpT } from "./config.ts";
import { type BlockContext, linear, param, type ParamMap, reasoningModule } from "./layers.ts";
import { INNER, type ModelState } from "./state.ts";
import { trmGradCycle, trmNoGradCycles } from "./trm.ts";

/** The reference's 1/sqrt(2) constant for learned positions (a Python literal). */
const INV_SQRT2 = 0.707106781;

/** The context the blocks of a batch of `batch` rows share. */
export function blockContext(m: ModelState, batch: number): BlockContext {
  const c = m.config;
  return {
    batch,
    positions: totalLen(c),
    heads: c.num_heads,
    eps: c.rms_norm_eps,
    rope: m.rope,
    mlpT: usesMlpT(c),
  };
}

/**
 * Input embeddings [B*T, D]: token embedding, puzzle-embedding rows (local
 * copies [B, puzzle_emb_ndim], zero-padded to whole positions) prepended,
 * learned positions added and scaled by 1/sqrt(2), all scaled by sqrt(D).
 */
export function inputEmbeddings(
  c: ModelConfig,
  p: ParamMap,
  inputs: tf.Tensor1D,
  puzzleLocal: tf.Tensor2D | null,
): tf.Tensor2D {
  const d = c.hidden_size;
  const b = inputs.shape[0] / c.seq_len;
  const t = totalLen(c);
  // A one-hot matmul instead of gather: exact (one non-zero term per row), its gradient is a
  // matmul (wasm has no UnsortedSegmentSum kernel for gather's gradient), and vocabularies are small.
  // (oneHot then cast: wasm's oneHot with a float32 dtype writes integer bits.)
  const oneHot = tf.cast(tf.oneHot(inputs, c.vocab_size), "float32") as tf.Tensor2D;
  let e: tf.Tensor = tf.matMul(oneHot, param(p, `${INNER}embed_tokens.embedding_weight`));
  const pLen = puzzleEmbLen(c);
  if (pLen > 0) {
    if (!puzzleLocal) throw new Error("puzzle embedding rows are required for this config");
    const pad = pLen * d - c.puzzle_emb_ndim;
    const rows = pad > 0 ? tf.pad(puzzleLocal, [[0, 0], [0, pad]]) : puzzleLocal;
    e = tf.concat([tf.reshape(rows, [b, pLen, d]), tf.reshape(e, [b, c.seq_len, d])], 1);
  }
  if (c.pos_encodings === "learned") {
    const pos = param(p, `${INNER}embed_pos.embedding_weight`);
    e = tf.mul(INV_SQRT2, tf.add(tf.reshape(e, [b, t, d]), pos));
  }
  return tf.reshape(tf.mul(e, Math.sqrt(d)), [b * t, d]);
}

/** Carry states of one segment, [B*T, D] each (zL is null for the transformer baseline). */
export interface Hidden {
  zH: tf.Tensor2D;
  zL: tf.Tensor2D | null;
}

/**
 * The module calls of a segment that run without gradient (all but the last L and H). Each call
 * runs in its own tidy and replaced states are freed at once, so the peak memory is one module
 * call's activations, not the whole loop's. The input states are not disposed.
 */
export function noGradCycles(
  m: ModelState,
  p: ParamMap,
  z: Hidden,
  x: tf.Tensor2D,
  ctx: BlockContext,
): Hidden {
  const c = m.config;
  if (c.arch === "transformer") return { zH: tf.clone(z.zH), zL: null };
  if (c.arch === "trm") return trmNoGradCycles(c, p, z, x, ctx);
  let zH = z.zH;
  let zL = z.zL!;
  const replace = (old: tf.Tensor2D, next: tf.Tensor2D, input: tf.Tensor2D | null) => {
    if (old !== input) old.dispose();
    return next;
  };
  const hP = `${INNER}H_level.`;
  const lP = `${INNER}L_level.`;
  // One tidy per module call: without it every block's intermediates stay alive
  // until the caller's tidy ends (GBs at seq 900 on wasm, whose heap never shrinks).
  for (let h = 0; h < c.H_cycles; h++) {
    for (let l = 0; l < c.L_cycles; l++) {
      if (h === c.H_cycles - 1 && l === c.L_cycles - 1) continue;
      const next = tf.tidy(() => reasoningModule(p, lP, c.L_layers, zL, tf.add(zH, x), ctx));
      zL = replace(zL, next, z.zL);
    }
    if (h !== c.H_cycles - 1) {
      const next = tf.tidy(() => reasoningModule(p, hP, c.H_layers, zH, zL, ctx));
      zH = replace(zH, next, z.zH);
    }
  }
  // Always return fresh tensors, so the caller can free inputs and outputs independently.
  return { zH: zH === z.zH ? tf.clone(zH) : zH, zL: zL === z.zL ? tf.clone(zL) : zL };
}

/** The module calls that carry gradient: `zL = L(zL, zH + x); zH = H(zH, zL)` (or `z = M(z, x)`). */
export function gradCycle(
  m: ModelState,
  p: ParamMap,
  z: Hidden,
  x: tf.Tensor2D,
  ctx: BlockContext,
): Hidden {
  const c = m.config;
  if (c.arch === "transformer") {
    return {
      zH: reasoningModule(p, `${INNER}net.`, c.transformer_layers, z.zH, x, ctx),
      zL: null,
    };
  }
  if (c.arch === "trm") return trmGradCycle(c, p, z, x, ctx);
  const zL = reasoningModule(p, `${INNER}L_level.`, c.L_layers, z.zL!, tf.add(z.zH, x), ctx);
  const zH = reasoningModule(p, `${INNER}H_level.`, c.H_layers, z.zH, zL, ctx);
  return { zH, zL };
}

/** Output heads of a segment. */
export interface Heads {
  /** [B*S, V], puzzle positions dropped. */
  logits: tf.Tensor2D;
  /** [B, 2]: (q_halt, q_continue) from zH at position 0. */
  q: tf.Tensor2D;
}

/** lm head on the token positions of zH, Q head on zH[:, 0]. */
export function heads(m: ModelState, p: ParamMap, zH: tf.Tensor2D, batch: number): Heads {
  const c = m.config;
  const d = c.hidden_size;
  const t = totalLen(c);
  const pLen = puzzleEmbLen(c);
  const z3 = tf.reshape(zH, [batch, t, d]);
  const tokens = pLen > 0 ? tf.slice(z3, [0, pLen, 0], [batch, c.seq_len, d]) : z3;
  const logits = linear(
    tf.reshape(tokens, [batch * c.seq_len, d]),
    param(p, `${INNER}lm_head.weight`),
  );
  const first = tf.reshape(tf.slice(z3, [0, 0, 0], [batch, 1, d]), [batch, d]);
  const q = linear(
    first as tf.Tensor2D,
    param(p, `${INNER}q_head.weight`),
    param<tf.Tensor1D>(p, `${INNER}q_head.bias`),
  );
  return { logits, q };
}

/** A full inner forward without gradient: the new carry and the heads (inputs not disposed). */
export function innerForward(
  m: ModelState,
  p: ParamMap,
  z: Hidden,
  x: tf.Tensor2D,
  batch: number,
): Hidden & Heads {
  const ctx = blockContext(m, batch);
  const mid = noGradCycles(m, p, z, x, ctx);
  const pair = tf.tidy(() => {
    const g = gradCycle(m, p, mid, x, ctx);
    return g.zL ? [g.zH, g.zL] : [g.zH];
  }) as tf.Tensor2D[];
  const next: Hidden = { zH: pair[0], zL: pair[1] ?? null };
  mid.zH.dispose();
  mid.zL?.dispose();
  return { ...next, ...heads(m, p, next.zH, batch) };
}

/** The parameters of a model as a ParamMap (variables are tensors). */
export function paramMap(m: ModelState): ParamMap {
  return m.params as ParamMap;
}
