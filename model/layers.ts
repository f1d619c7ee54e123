/**
 * The building blocks of HRM, as in the reference's models/layers.py, written
 * for TensorFlow.js with hidden states kept 2-D ([rows, hidden], rows = batch *
 * positions): every weight multiply is a plain 2-D matmul (tfjs 4.22's batched
 * broadcasting matmul is wrong for some shapes, and wasm is fast only in 2-D),
 * and no tensor goes above rank 4. Weights keep PyTorch's [out, in] layout.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Parameters by the reference's state-dict key. */
export type ParamMap = Map<string, tf.Tensor>;

/** Looks a parameter up, with a clear error when the key is missing. */
export function param<T extends tf.Tensor = tf.Tensor2D>(p: ParamMap, key: string): T {
  const t = p.get(key);
  if (!t) throw new Error(`missing parameter '${key}'`);
  return t as T;
}

/** Bias-free linear layer: x [n, in] times W [out, in] transposed -> [n, out]. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  const y = tf.matMul(x, w, false, true) as tf.Tensor2D;
  return bias ? tf.add(y, bias) as tf.Tensor2D : y;
}

/** Weightless RMSNorm over the last axis, computed in float32 (as the reference). */
export function rmsNorm<T extends tf.Tensor>(x: T, eps: number): T {
  const variance = tf.mean(tf.square(x), -1, true);
  return tf.mul(x, tf.rsqrt(tf.add(variance, eps))) as T;
}

/** Precomputed RoPE tables, [positions, head_dim] each, float32. */
export interface Rope {
  cos: tf.Tensor2D;
  sin: tf.Tensor2D;
}

/**
 * RoPE tables as the reference's RotaryEmbedding: inv_freq = 1/base^(2i/dim)
 * in float32, angles t*inv_freq, duplicated (rotate-half layout).
 */
export function ropeTables(headDim: number, positions: number, base: number): Rope {
  const half = headDim / 2;
  const f = Math.fround;
  const invFreq = new Float32Array(half);
  for (let i = 0; i < half; i++) invFreq[i] = f(1 / f(f(base) ** f((2 * i) / headDim)));
  const cos = new Float32Array(positions * headDim);
  const sin = new Float32Array(positions * headDim);
  for (let t = 0; t < positions; t++) {
    for (let i = 0; i < half; i++) {
      const angle = f(t * invFreq[i]);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[t * headDim + i] = cos[t * headDim + i + half] = c;
      sin[t * headDim + i] = sin[t * headDim + i + half] = s;
    }
  }
  return {
    cos: tf.tensor2d(cos, [positions, headDim]),
    sin: tf.tensor2d(sin, [positions, headDim]),
  };
}

/** x*cos + rotate_half(x)*sin for x [B, T, H, hd] and tables [T, hd] (broadcast over B, H). */
function applyRope(x: tf.Tensor4D, rope: Rope): tf.Tensor4D {
  const [, t, , hd] = x.shape;
  const cos = tf.reshape(rope.cos, [t, 1, hd]);
  const sin = tf.reshape(rope.sin, [t, 1, hd]);
  const [x1, x2] = tf.split(x, 2, 3);
  const rotated = tf.concat([tf.neg(x2), x1], 3);
  return tf.add(tf.mul(x, cos), tf.mul(rotated, sin));
}

/** Shapes an attention call needs. */
export interface AttnShape {
  batch: number;
  positions: number;
  heads: number;
}

/**
 * Bidirectional multi-head attention on x [B*T, D]: one qkv projection whose
 * 2-D result is split, optional RoPE on q and k, softmax(q k^T / sqrt(hd)) v,
 * output projection. Returns [B*T, D].
 */
export function attention(
  x: tf.Tensor2D,
  wQkv: tf.Tensor2D,
  wO: tf.Tensor2D,
  s: AttnShape,
  rope?: Rope,
): tf.Tensor2D {
  const { batch: b, positions: t, heads: h } = s;
  const d = x.shape[1];
  const hd = d / h;
  const qkv = tf.reshape(linear(x, wQkv), [b, t, 3 * h, hd]);
  let [q, k, v] = tf.split(qkv, 3, 2) as tf.Tensor4D[];
  if (rope) {
    q = applyRope(q, rope);
    k = applyRope(k, rope);
  }
  // [B, T, H, hd] -> [B*H, T, hd] for a same-batch 3-D matmul (no broadcasting).
  const heads = (z: tf.Tensor4D) => tf.reshape(tf.transpose(z, [0, 2, 1, 3]), [b * h, t, hd]);
  const scores = tf.mul(tf.matMul(heads(q), heads(k), false, true), 1 / Math.sqrt(hd));
  const out = tf.matMul(tf.softmax(scores, -1), heads(v)); // [B*H, T, hd]
  const merged = tf.reshape(tf.transpose(tf.reshape(out, [b, h, t, hd]), [0, 2, 1, 3]), [
    b * t,
    d,
  ]);
  return linear(merged as tf.Tensor2D, wO);
}

/** SwiGLU MLP on x [n, D]: down(silu(gate) * up), gate/up from one projection. */
export function swiglu(x: tf.Tensor2D, wGateUp: tf.Tensor2D, wDown: tf.Tensor2D): tf.Tensor2D {
  const [gate, up] = tf.split(linear(x, wGateUp), 2, 1) as tf.Tensor2D[];
  // silu(g) = g * sigmoid(g)
  return linear(tf.mul(tf.mul(gate, tf.sigmoid(gate)), up), wDown);
}

/** Context shared by the blocks of one forward pass. */
export interface BlockContext extends AttnShape {
  eps: number;
  rope?: Rope;
  /** TRM's `mlp_t`: positions are mixed by {@link positionMlp} instead of attention. */
  mlpT?: boolean;
}

/**
 * TRM's `mlp_t` token mixing on x [B*T, D]: per channel, a SwiGLU across the T positions
 * (weights [2 I_t, T], [T, I_t]) with the residual and the RMSNorm taken over the position
 * axis, i.e. rms(h + swiglu(h)) on h = x^T [B, D, T]. Returns [B*T, D].
 */
export function positionMlp(
  x: tf.Tensor2D,
  wGateUp: tf.Tensor2D,
  wDown: tf.Tensor2D,
  s: AttnShape,
  eps: number,
): tf.Tensor2D {
  const { batch: b, positions: t } = s;
  const d = x.shape[1];
  const h = tf.reshape(tf.transpose(tf.reshape(x, [b, t, d]), [0, 2, 1]), [
    b * d,
    t,
  ]) as tf.Tensor2D;
  const mixed = rmsNorm(tf.add(h, swiglu(h, wGateUp, wDown)), eps);
  return tf.reshape(tf.transpose(tf.reshape(mixed, [b, d, t]), [0, 2, 1]), [b * t, d]);
}

/**
 * Post-norm block: x = rms(x + attn(x)) (TRM `mlp_t`: the position MLP instead);
 * x = rms(x + swiglu(x)). `prefix` ends with '.'.
 */
export function block(p: ParamMap, prefix: string, x: tf.Tensor2D, ctx: BlockContext): tf.Tensor2D {
  if (ctx.mlpT) {
    x = positionMlp(
      x,
      param(p, `${prefix}mlp_t.gate_up_proj.weight`),
      param(p, `${prefix}mlp_t.down_proj.weight`),
      ctx,
      ctx.eps,
    );
  } else {
    const a = attention(
      x,
      param(p, `${prefix}self_attn.qkv_proj.weight`),
      param(p, `${prefix}self_attn.o_proj.weight`),
      ctx,
      ctx.rope,
    );
    x = rmsNorm(tf.add(x, a), ctx.eps);
  }
  const m = swiglu(
    x,
    param(p, `${prefix}mlp.gate_up_proj.weight`),
    param(p, `${prefix}mlp.down_proj.weight`),
  );
  return rmsNorm(tf.add(x, m), ctx.eps);
}

/** A reasoning module call M(z, injection): add the injection, then run `layers` blocks. */
export function reasoningModule(
  p: ParamMap,
  prefix: string,
  layers: number,
  z: tf.Tensor2D,
  injection: tf.Tensor2D,
  ctx: BlockContext,
): tf.Tensor2D {
  let h = tf.add(z, injection) as tf.Tensor2D;
  // One tidy per block: a block's intermediates are freed as soon as it returns
  // (tensors a gradient needs are kept by the tape, which clones them), so a
  // segment's peak memory is about one block's, not all of them (the paper's
  // Maze model at seq 900 otherwise exceeds wasm's 4 GB).
  for (let i = 0; i < layers; i++) {
    const hi = h;
    h = tf.tidy(() => block(p, `${prefix}layers.${i}.`, hi, ctx));
  }
  return h;
}

/**
 * Stops gradients: the value of `fn(...inputs)`, with zero gradient to every
 * input. Inside a gradient computation, the ops `fn` runs are not recorded on
 * the tape (tfjs runs a custom-gradient forward as one kernel), so this is
 * also the way to run a no-grad sub-computation (as torch.no_grad).
 */
export function noGrad(fn: (...xs: tf.Tensor[]) => tf.Tensor, ...inputs: tf.Tensor[]): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xs = args.slice(0, inputs.length) as tf.Tensor[];
    return {
      value: fn(...xs),
      gradFunc: () => xs.map((x) => tf.zerosLike(x)),
    };
  });
  return op(...inputs);
}
