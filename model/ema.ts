/**
 * Exponential moving average of the weights (reference: TinyRecursiveModels `models/ema.py`
 * `EMAHelper`, as `pretrain.py` uses it with `ema: True`): registered from the weights when
 * the model is created, then after every optimizer update
 * `shadow = (1 - mu) * weights + mu * shadow` for every trainable parameter (not the puzzle
 * embedding, nor H_init / L_init, which are buffers). Evaluation runs on the shadow values with
 * the current buffers; training continues on the raw weights.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type HostTensor, toFloat32 } from "../io/mod.ts";
import type { ModelState } from "./state.ts";

/** Checkpoint key prefix of the shadow weights (`ema.model.inner.lm_head.weight`, ...). */
export const EMA_PREFIX = "ema.";

/** The EMA shadow of a model's parameters. */
export class Ema {
  /** Shadow values by state-dict key. */
  readonly shadow = new Map<string, tf.Variable>();

  /** Registers `params` (copies their current values); `rate` is mu. */
  constructor(params: Map<string, tf.Tensor>, readonly rate: number) {
    for (const [k, p] of params) this.shadow.set(k, tf.variable(p, false));
  }

  /** Re-registers: the shadow becomes a copy of `params` (new weights loaded). */
  reset(params: Map<string, tf.Tensor>): void {
    for (const [k, s] of this.shadow) {
      const p = params.get(k);
      if (!p) throw new Error(`EMA: no parameter '${k}'`);
      s.assign(p);
    }
  }

  /** One update from the current weights: shadow = (1 - mu) * p + mu * shadow. */
  update(params: Map<string, tf.Tensor>): void {
    const mu = this.rate;
    tf.tidy(() => {
      for (const [k, s] of this.shadow) {
        const p = params.get(k);
        if (!p) throw new Error(`EMA: no parameter '${k}'`);
        s.assign(tf.add(tf.mul(p, 1 - mu), tf.mul(s, mu)));
      }
    });
  }

  /** The model with the shadow values as its parameters (buffers and puzzle table shared). */
  evalModel(m: ModelState): ModelState {
    return { ...m, params: this.shadow };
  }

  /** The shadow as host tensors under `ema.<key>`. */
  async exportState(): Promise<Map<string, HostTensor>> {
    const keys = [...this.shadow.keys()];
    const values = await Promise.all(
      keys.map((k) => this.shadow.get(k)!.data() as Promise<Float32Array>),
    );
    return new Map(keys.map((k, i) => [
      `${EMA_PREFIX}${k}`,
      { dtype: "f32", shape: [...this.shadow.get(k)!.shape], data: values[i] },
    ]));
  }

  /** Restores the shadow from `ema.<key>` tensors; every key must be there with its shape. */
  importState(tensors: Map<string, HostTensor>, where: string): void {
    for (const [k, s] of this.shadow) {
      const t = tensors.get(`${EMA_PREFIX}${k}`);
      if (!t) throw new Error(`${where}: missing EMA tensor '${EMA_PREFIX}${k}' (ema=true)`);
      if (t.shape.length !== s.shape.length || t.shape.some((d, i) => d !== s.shape[i])) {
        throw new Error(
          `${where}: '${EMA_PREFIX}${k}' has shape [${t.shape}], expected [${s.shape}]`,
        );
      }
      tf.tidy(() => s.assign(tf.tensor(toFloat32(t), s.shape)));
    }
  }

  /** Frees the shadow. */
  dispose(): void {
    for (const s of this.shadow.values()) s.dispose();
    this.shadow.clear();
  }
}
