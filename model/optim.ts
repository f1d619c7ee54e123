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
import type { HostTensor } from "../io/dtypes.ts";

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
