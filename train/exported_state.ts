/**
 * The host form of a training state, shared by the one-process and the
 * data-parallel models so their checkpoints are the same files: the ACT carry
 * as `carry.*` tensors, optimizer moments as `optim.adam.*`, the EMA shadow as `ema.*`,
 * weights under the reference's names; and the per-example evaluation outputs.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { countNonFinite, type HostTensor } from "../io/mod.ts";
import {
  type AdamATan2State,
  type Batch,
  type Carry,
  EMA_PREFIX,
  type EvalResult,
} from "../model/mod.ts";

/** The carry as host tensors (`z_H`, `z_L`, `steps`, `halted`, `inputs`, `labels`, `puzzle_identifiers`). */
export async function carryToHost(c: Carry): Promise<Map<string, HostTensor>> {
  const B = c.halted.length;
  const S = B ? c.data.inputs.length / B : 0;
  const out = new Map<string, HostTensor>();
  const f32 = async (t: tf.Tensor): Promise<HostTensor> => ({
    dtype: "f32",
    shape: [...t.shape],
    data: await t.data() as Float32Array,
  });
  out.set("z_H", await f32(c.zH));
  if (c.zL) out.set("z_L", await f32(c.zL));
  out.set("steps", { dtype: "i32", shape: [B], data: c.steps.slice() });
  out.set("halted", { dtype: "u8", shape: [B], data: c.halted.slice() });
  out.set("inputs", { dtype: "i32", shape: [B, S], data: c.data.inputs.slice() });
  out.set("labels", { dtype: "i32", shape: [B, S], data: c.data.labels.slice() });
  out.set("puzzle_identifiers", {
    dtype: "i32",
    shape: [B],
    data: c.data.puzzleIdentifiers.slice(),
  });
  return out;
}

/** A carry from {@link carryToHost}'s tensors, checked to hold `rows` rows. */
export function carryFromHost(carry: Map<string, HostTensor>, rows: number, where: string): Carry {
  const need = (k: string) => {
    const t = carry.get(k);
    if (!t) throw new Error(`${where}: missing 'carry.${k}'`);
    return t;
  };
  const steps = need("steps");
  if (steps.shape[0] !== rows) {
    throw new Error(
      `${where}: the carry holds ${steps.shape[0]} rows but global_batch_size is ${rows}`,
    );
  }
  const zH = need("z_H");
  const zL = carry.get("z_L");
  return {
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

/** Rows [start, end) of host carry tensors (every carry tensor is row-major by batch row). */
export function sliceCarryHost(
  carry: Map<string, HostTensor>,
  start: number,
  end: number,
  rows: number,
): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const [k, t] of carry) {
    const per = t.data.length / rows;
    const shape = [...t.shape];
    shape[0] = (shape[0] / rows) * (end - start);
    out.set(k, { dtype: t.dtype, shape, data: t.data.slice(start * per, end * per) } as HostTensor);
  }
  return out;
}

/** Host carry tensors of consecutive row ranges joined into one (the inverse of slicing). */
export function concatCarryHost(parts: Map<string, HostTensor>[]): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const [k, first] of parts[0]) {
    const pieces = parts.map((p) => p.get(k)!);
    const n = pieces.reduce((s, p) => s + p.data.length, 0);
    const data = new (first.data.constructor as { new (n: number): HostTensor["data"] })(n);
    let o = 0;
    for (const p of pieces) {
      (data as Float32Array).set(p.data as Float32Array, o);
      o += p.data.length;
    }
    const shape = [...first.shape];
    shape[0] = pieces.reduce((s, p) => s + p.shape[0], 0);
    out.set(k, { dtype: first.dtype, shape, data } as HostTensor);
  }
  return out;
}

/**
 * Checkpoint tensors from weights, optimizer state and carry (`optim.adam.*`, `carry.*`),
 * and the EMA shadow when training keeps one (`ema.*`, as the model's `Ema.exportState` names them).
 */
export function composeState(
  weights: Map<string, HostTensor>,
  adam: AdamATan2State,
  carry: Map<string, HostTensor>,
  ema?: Map<string, HostTensor>,
): Map<string, HostTensor> {
  const tensors = new Map(weights);
  for (const [k, t] of adam.tensors) tensors.set(`optim.adam.${k}`, t);
  for (const [k, t] of carry) tensors.set(`carry.${k}`, t);
  for (const [k, t] of ema ?? []) tensors.set(k, t);
  return tensors;
}

/** The inverse of {@link composeState} (`ema` keeps its `ema.` keys; empty without EMA). */
export function splitState(tensors: Map<string, HostTensor>): {
  weights: Map<string, HostTensor>;
  adam: Map<string, HostTensor>;
  carry: Map<string, HostTensor>;
  ema: Map<string, HostTensor>;
} {
  const weights = new Map<string, HostTensor>();
  const adam = new Map<string, HostTensor>();
  const carry = new Map<string, HostTensor>();
  const ema = new Map<string, HostTensor>();
  for (const [k, t] of tensors) {
    if (k.startsWith("optim.adam.")) adam.set(k.slice("optim.adam.".length), t);
    else if (k.startsWith("carry.")) carry.set(k.slice("carry.".length), t);
    else if (k.startsWith(EMA_PREFIX)) ema.set(k, t);
    else weights.set(k, t);
  }
  return { weights, adam, carry, ema };
}

/**
 * NaN and infinite values among a checkpoint's weights, buffers and EMA shadow (optimizer
 * state and carry aside): how many, and the first key holding one.
 */
export function nonFiniteWeights(
  tensors: Map<string, HostTensor>,
): { count: number; first?: string } {
  let count = 0;
  let first: string | undefined;
  for (const [k, t] of tensors) {
    if (k.startsWith("optim.") || k.startsWith("carry.")) continue;
    const n = countNonFinite(t);
    if (n && first === undefined) first = k;
    count += n;
  }
  return first === undefined ? { count } : { count, first };
}

/**
 * The weights an evaluation of a checkpoint uses: the EMA shadow in place of each trained
 * parameter when the checkpoint has one (as the trainer's own evaluation, and as the
 * reference saves its checkpoints), with the buffers (H_init, L_init, puzzle table) as saved.
 */
export function evaluationWeights(tensors: Map<string, HostTensor>): Map<string, HostTensor> {
  const { weights, ema } = splitState(tensors);
  for (const [k, t] of ema) weights.set(k.slice(EMA_PREFIX.length), t);
  return weights;
}

/**
 * The requested per-example outputs of one evaluated batch (`inputs`,
 * `labels`, `puzzle_identifiers`, `preds`, `q_halt_logits`, `logits`,
 * `q_continue_logits`).
 */
export function evalOutputs(
  batch: Batch,
  r: Pick<EvalResult, "preds" | "qHalt" | "logits">,
  qContinue: Float32Array | undefined,
  vocab: number,
  saveOutputs: readonly string[],
): Map<string, HostTensor> {
  const want = new Set(saveOutputs);
  const B = batch.batchSize;
  const S = batch.seqLen;
  const outputs = new Map<string, HostTensor>();
  const add = (k: string, t: HostTensor) => want.has(k) && outputs.set(k, t);
  add("inputs", { dtype: "i32", shape: [B, S], data: batch.inputs });
  add("labels", { dtype: "i32", shape: [B, S], data: batch.labels });
  add("puzzle_identifiers", { dtype: "i32", shape: [B], data: batch.puzzleIdentifiers });
  add("preds", { dtype: "i32", shape: [B, S], data: r.preds });
  add("q_halt_logits", { dtype: "f32", shape: [B], data: r.qHalt });
  if (r.logits) add("logits", { dtype: "f32", shape: [B, S, vocab], data: r.logits });
  if (qContinue) add("q_continue_logits", { dtype: "f32", shape: [B], data: qContinue });
  return outputs;
}
