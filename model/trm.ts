/**
 * The TRM recursion (reference: TinyRecursiveModels `models/recursive_reasoning/trm.py`,
 * `TinyRecursiveReasoningModel_ACTV1_Inner.forward`), on the same layer library as HRM
 * (layers.ts: one network `L_level` of `L_layers` post-norm blocks, attention or `mlp_t`).
 *
 * One segment from the carry (zH = the answer y, zL = the latent z) and the input
 * embedding x, with T = H_cycles and n = L_cycles:
 *
 * ```
 * no gradient, T-1 times: n times zL = net(zL, zH + x); then zH = net(zH, zL)
 * with gradient, once:    n times zL = net(zL, zH + x); then zH = net(zH, zL)
 * ```
 *
 * Embeddings, heads and the ACT wrapper are HRM's (hrm.ts, act.ts); hrm.ts dispatches its
 * `noGradCycles` / `gradCycle` here for arch 'trm'.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ModelConfig } from "./config.ts";
import { type BlockContext, type ParamMap, reasoningModule } from "./layers.ts";
import type { Hidden } from "./hrm.ts";

/** State-dict prefix of TRM's one network (the official name). */
const NET = "model.inner.L_level.";

/** One full recursion, its n latent updates and the answer update, each call tidied on its own. */
function recursion(
  c: ModelConfig,
  p: ParamMap,
  z: { zH: tf.Tensor2D; zL: tf.Tensor2D },
  x: tf.Tensor2D,
  ctx: BlockContext,
  free: (t: tf.Tensor2D) => void,
): { zH: tf.Tensor2D; zL: tf.Tensor2D } {
  let { zH, zL } = z;
  for (let l = 0; l < c.L_cycles; l++) {
    const [h, lo] = [zH, zL];
    zL = tf.tidy(() => reasoningModule(p, NET, c.L_layers, lo, tf.add(h, x), ctx));
    free(lo);
  }
  const [h, lo] = [zH, zL];
  zH = tf.tidy(() => reasoningModule(p, NET, c.L_layers, h, lo, ctx));
  free(h);
  return { zH, zL };
}

/**
 * The T-1 recursions without gradient. Replaced states are freed as soon as they are
 * replaced (the inputs are not disposed); the result is always fresh tensors.
 */
export function trmNoGradCycles(
  c: ModelConfig,
  p: ParamMap,
  z: Hidden,
  x: tf.Tensor2D,
  ctx: BlockContext,
): Hidden {
  const inputs = new Set<tf.Tensor>([z.zH, z.zL!]);
  const free = (t: tf.Tensor2D) => {
    if (!inputs.has(t)) t.dispose();
  };
  let s = { zH: z.zH, zL: z.zL! };
  for (let h = 0; h < c.H_cycles - 1; h++) s = recursion(c, p, s, x, ctx, free);
  return {
    zH: s.zH === z.zH ? tf.clone(s.zH) : s.zH,
    zL: s.zL === z.zL ? tf.clone(s.zL) : s.zL,
  };
}

/**
 * The last recursion, the one with gradient (n + 1 network calls, back-propagated whole).
 * Intermediate states stay alive for the tape; the caller's tidy frees them.
 */
export function trmGradCycle(
  c: ModelConfig,
  p: ParamMap,
  z: Hidden,
  x: tf.Tensor2D,
  ctx: BlockContext,
): Hidden {
  return recursion(c, p, { zH: z.zH, zL: z.zL! }, x, ctx, () => {});
}
