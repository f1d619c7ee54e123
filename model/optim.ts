/**
 * The reference's two optimizers.
 *
 * AdamATan2 (all trainable parameters), per step t:
 *   p *= 1 - lr*wd;  m = lerp(m, g, 1-b1);  v = lerp(v, g^2, 1-b2);
 *   p -= (lr / (1 - b1^t)) * atan2(m, sqrt(v) / sqrt(1 - b2^t))      (no epsilon)
 *
 * Sparse SignSGD with decoupled weight decay (puzzle-embedding rows the batch
 * touched; gradients of duplicate ids summed first):
 *   p = p * (1 - lr*wd) - lr * sign(g)
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { HostTensor } from "../io/mod.ts";

/** AdamATan2 hyper-parameters (lr is passed per step). */
export interface AdamATan2Options {
  beta1: number;
  beta2: number;
  weightDecay: number;
}

/** Exported optimizer state: the step count and the moments as host tensors (`m.<key>`, `v.<key>`). */
export interface AdamATan2State {
  step: number;
  tensors: Map<string, HostTensor>;
}

/** AdamATan2 over a fixed set of named parameters. */
export class AdamATan2 {
  step = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(params: Map<string, tf.Variable>, readonly options: AdamATan2Options) {
    for (const [k, p] of params) {
      this.m.set(k, tf.tidy(() => tf.variable(tf.zeros(p.shape), false)));
      this.v.set(k, tf.tidy(() => tf.variable(tf.zeros(p.shape), false)));
    }
  }

  /** One update of every parameter that has a gradient in `grads`. */
  apply(params: Map<string, tf.Variable>, grads: Map<string, tf.Tensor>, lr: number): void {
    const { beta1: b1, beta2: b2, weightDecay: wd } = this.options;
    this.step++;
    const stepSize = lr / (1 - b1 ** this.step);
    const bc2Sqrt = Math.sqrt(1 - b2 ** this.step);
    tf.tidy(() => {
      for (const [k, p] of params) {
        const g = grads.get(k);
        if (!g) continue;
        const m = this.m.get(k)!;
        const v = this.v.get(k)!;
        const decayed = tf.mul(p, 1 - lr * wd);
        m.assign(tf.add(m, tf.mul(tf.sub(g, m), 1 - b1)));
        v.assign(tf.add(v, tf.mul(tf.sub(tf.square(g), v), 1 - b2)));
        const update = tf.atan2(m, tf.div(tf.sqrt(v), bc2Sqrt));
        p.assign(tf.sub(decayed, tf.mul(update, stepSize)));
      }
    });
  }

  /** The state as host tensors (for checkpoints). */
  async exportState(): Promise<AdamATan2State> {
    const tensors = new Map<string, HostTensor>();
    for (const [name, map] of [["m", this.m], ["v", this.v]] as const) {
      for (const [k, t] of map) {
        tensors.set(`${name}.${k}`, {
          dtype: "f32",
          shape: [...t.shape],
          data: await t.data() as Float32Array,
        });
      }
    }
    return { step: this.step, tensors };
  }

  /** Restores a state saved by `exportState` (keys and shapes must match). */
  importState(s: AdamATan2State, where = "optimizer state"): void {
    for (const [name, map] of [["m", this.m], ["v", this.v]] as const) {
      for (const [k, t] of map) {
        const h = s.tensors.get(`${name}.${k}`);
        if (!h) throw new Error(`${where}: missing '${name}.${k}'`);
        if (h.shape.join(",") !== t.shape.join(",")) {
          throw new Error(`${where}: '${name}.${k}' has shape [${h.shape}], expected [${t.shape}]`);
        }
        const v = tf.tensor(h.data as Float32Array, t.shape);
        t.assign(v);
        v.dispose();
      }
    }
    this.step = s.step;
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}

/**
 * atan2(y, x) for x >= 0 (AdamATan2's case: x is a square root) in float32
 * precision, with one division and no trigonometric call: atan on [0, 1] as
 * a * P(a^2), P of degree 8 fitted for relative error (max 1.6e-8 there),
 * and pi/2 - atan(1/t) above 1. Several times faster than `Math.atan2` in V8.
 */
export function atan2NonNegX(y: number, x: number): number {
  const ay = Math.abs(y);
  const flip = ay > x;
  const hi = flip ? ay : x;
  if (hi === 0) return y; // atan2(+-0, 0) = +-0
  const a = (flip ? x : ay) / hi;
  const z = a * a;
  let r = a * (0.9999999847929929 +
    z * (-0.3333307347640884 +
        z * (0.1999262123530038 +
            z * (-0.14203656069623222 +
                z * (0.10640972723813791 +
                    z * (-0.07504367724012895 +
                        z *
                          (0.04269230730898356 +
                            z * (-0.016069079122657717 + z * 0.0028499954937996896))))))));
  if (flip) r = Math.PI / 2 - r;
  return y < 0 ? -r : r;
}

/** The float32 constants of one AdamATan2 step (shared by the host and wasm loops). */
export function adamATan2Constants(step: number, lr: number, o: AdamATan2Options): {
  decay: number;
  c1: number;
  c2: number;
  stepSize: number;
  bc2Sqrt: number;
} {
  const f = Math.fround;
  return {
    decay: f(1 - lr * o.weightDecay),
    c1: f(1 - o.beta1),
    c2: f(1 - o.beta2),
    stepSize: f(lr / (1 - o.beta1 ** step)),
    bc2Sqrt: f(Math.sqrt(1 - o.beta2 ** step)),
  };
}

/**
 * AdamATan2 on host arrays, fused into one pass (the data-parallel workers'
 * update of their parameter shard): the same float32 arithmetic, operation by
 * operation, as {@link AdamATan2.apply}, except atan2 ({@link atan2NonNegX},
 * within about one float32 ulp of the wasm kernel's). `p`, `m`, `v` are updated
 * in place; `g` is the gradient.
 */
export function adamATan2Host(
  p: Float32Array,
  m: Float32Array,
  v: Float32Array,
  g: Float32Array,
  step: number,
  lr: number,
  o: AdamATan2Options,
): void {
  const f = Math.fround;
  const { decay, c1, c2, stepSize, bc2Sqrt } = adamATan2Constants(step, lr, o);
  for (let j = 0; j < p.length; j++) {
    const gj = g[j];
    const mj = f(m[j] + f(f(gj - m[j]) * c1));
    const vj = f(v[j] + f(f(f(gj * gj) - v[j]) * c2));
    m[j] = mj;
    v[j] = vj;
    const update = f(atan2NonNegX(mj, f(f(Math.sqrt(vj)) / bc2Sqrt)));
    p[j] = f(f(p[j] * decay) - f(update * stepSize));
  }
}

/**
 * Sparse SignSGD on a host table [rows, dim] (row-major) in place: the rows in
 * `ids` (duplicates allowed: their gradients [ids.length, dim] are summed
 * first) get p = p*(1 - lr*wd) - lr*sign(g). float32 arithmetic as the reference.
 */
export function signSgdUpdate(
  table: Float32Array,
  dim: number,
  ids: Int32Array,
  grad: Float32Array,
  lr: number,
  weightDecay: number,
): void {
  const rows = new Map<number, Float32Array>();
  for (let i = 0; i < ids.length; i++) {
    let acc = rows.get(ids[i]);
    if (!acc) rows.set(ids[i], acc = new Float32Array(dim));
    for (let j = 0; j < dim; j++) acc[j] += grad[i * dim + j];
  }
  const f = Math.fround;
  const decay = f(1 - lr * weightDecay);
  for (const [id, g] of rows) {
    const base = id * dim;
    for (let j = 0; j < dim; j++) {
      table[base + j] = f(f(table[base + j] * decay) - f(lr * Math.sign(g[j])));
    }
  }
}
