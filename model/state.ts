/**
 * Model state: trainable parameters (tf.Variables), the fixed buffers H_init /
 * L_init, and the puzzle-embedding table, all under the reference's state-dict
 * keys (`model.inner.H_level.layers.0.self_attn.qkv_proj.weight`, ...).
 *
 * The puzzle-embedding table lives on the host as a Float32Array: it can be
 * large (one row per puzzle identifier, ~1M rows for ARC), a batch only reads
 * and updates a few rows, and the reference treats it as a buffer updated by
 * its own sparse SignSGD, not by the main optimizer.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  encodeSafetensors,
  type HostTensor,
  readSafetensors,
  toFloat32,
  writeFileAtomic,
} from "../io/mod.ts";
import { type ModelConfig, puzzleEmbLen, swigluInner, totalLen, usesMlpT } from "./config.ts";
import { truncNormal } from "./init.ts";
import { type Rope, ropeTables } from "./layers.ts";
import { Rng } from "../util/mod.ts";

/** Key prefix of everything in the inner model. */
export const INNER = "model.inner.";
export const H_INIT = `${INNER}H_init`;
export const L_INIT = `${INNER}L_init`;
export const PUZZLE_EMB = `${INNER}puzzle_emb.weights`;

/** How a parameter is initialised. */
interface ParamSpec {
  key: string;
  shape: number[];
  /** Truncated-normal std; 0 = zeros. */
  std: number;
  /** Constant fill instead of random (the q-head bias). */
  fill?: number;
}

/** Module prefixes ('model.inner.H_level.' ...) and block counts for an architecture. */
export function modules(c: ModelConfig): { prefix: string; layers: number }[] {
  if (c.arch === "transformer") return [{ prefix: `${INNER}net.`, layers: c.transformer_layers }];
  if (c.arch === "trm") return [{ prefix: `${INNER}L_level.`, layers: c.L_layers }];
  return [
    { prefix: `${INNER}H_level.`, layers: c.H_layers },
    { prefix: `${INNER}L_level.`, layers: c.L_layers },
  ];
}

/** Whether the model carries a latent zL and so has an L_init buffer (HRM and TRM). */
function hasLInit(c: ModelConfig): boolean {
  return c.arch !== "transformer";
}

/** The trainable parameters of a config, in the reference's registration order. */
export function paramSpecs(c: ModelConfig): ParamSpec[] {
  const d = c.hidden_size;
  const lecun = (fanIn: number) => 1 / Math.sqrt(fanIn);
  const specs: ParamSpec[] = [
    { key: `${INNER}embed_tokens.embedding_weight`, shape: [c.vocab_size, d], std: lecun(d) },
    { key: `${INNER}lm_head.weight`, shape: [c.vocab_size, d], std: lecun(d) },
    { key: `${INNER}q_head.weight`, shape: [2, d], std: 0 },
    { key: `${INNER}q_head.bias`, shape: [2], std: 0, fill: -5 },
  ];
  if (c.pos_encodings === "learned") {
    specs.push({
      key: `${INNER}embed_pos.embedding_weight`,
      shape: [totalLen(c), d],
      std: lecun(d),
    });
  }
  const inner = swigluInner(c);
  for (const m of modules(c)) {
    for (let i = 0; i < m.layers; i++) {
      const p = `${m.prefix}layers.${i}.`;
      if (usesMlpT(c)) {
        // TRM's position MLP: a SwiGLU of width T (= positions) with its own inner size.
        const t = totalLen(c);
        const it = swigluInner({ expansion: c.expansion, hidden_size: t });
        specs.push(
          { key: `${p}mlp_t.gate_up_proj.weight`, shape: [2 * it, t], std: lecun(t) },
          { key: `${p}mlp_t.down_proj.weight`, shape: [t, it], std: lecun(it) },
        );
      } else {
        specs.push(
          { key: `${p}self_attn.qkv_proj.weight`, shape: [3 * d, d], std: lecun(d) },
          { key: `${p}self_attn.o_proj.weight`, shape: [d, d], std: lecun(d) },
        );
      }
      specs.push(
        { key: `${p}mlp.gate_up_proj.weight`, shape: [2 * inner, d], std: lecun(d) },
        { key: `${p}mlp.down_proj.weight`, shape: [d, inner], std: lecun(inner) },
      );
    }
  }
  return specs;
}

/** Number of trainable parameters (computed from shapes, nothing allocated). */
export function countParams(c: ModelConfig): number {
  return paramSpecs(c).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
}

/** Everything a forward pass and the optimizers need. */
export interface ModelState {
  config: ModelConfig;
  /** Trainable parameters by state-dict key. */
  params: Map<string, tf.Variable>;
  /** Fixed initial states, [hidden] each (L_init is unused by the transformer baseline). */
  hInit: tf.Tensor1D;
  lInit: tf.Tensor1D;
  /** Host puzzle-embedding table [num_puzzle_identifiers * puzzle_emb_ndim], or null. */
  puzzleEmb: Float32Array | null;
  /** RoPE tables when pos_encodings = 'rope'. */
  rope?: Rope;
}

function buildState(
  c: ModelConfig,
  values: (spec: ParamSpec) => Float32Array,
  hInit: Float32Array,
  lInit: Float32Array,
  puzzleEmb: Float32Array | null,
): ModelState {
  const params = new Map<string, tf.Variable>();
  for (const s of paramSpecs(c)) {
    params.set(
      s.key,
      tf.tidy(() => tf.variable(tf.tensor(values(s), s.shape))),
    );
  }
  const d = c.hidden_size;
  return {
    config: c,
    params,
    hInit: tf.tensor1d(hInit),
    lInit: tf.tensor1d(lInit),
    puzzleEmb,
    rope: c.pos_encodings === "rope" && !usesMlpT(c) // mlp_t has no attention to rotate
      ? ropeTables(d / c.num_heads, totalLen(c), c.rope_theta)
      : undefined,
  };
}

/**
 * A freshly initialised model, deterministic from `seed`: truncated-normal
 * LeCun weights, zero q-head weight, q-head bias -5, zero puzzle embeddings,
 * H_init/L_init truncated normal with std 1.
 */
export function initModel(c: ModelConfig, seed: number): ModelState {
  const root = new Rng(seed);
  // One forked stream per tensor, in a fixed order: a value does not depend on other shapes.
  const hInit = truncNormal(root.fork(), c.hidden_size, 1);
  const lInit = truncNormal(root.fork(), c.hidden_size, 1);
  const emb = c.puzzle_emb_ndim > 0
    ? new Float32Array(c.num_puzzle_identifiers * c.puzzle_emb_ndim)
    : null;
  return buildState(
    c,
    (s) => {
      const rng = root.fork();
      const n = s.shape.reduce((a, b) => a * b, 1);
      if (s.fill !== undefined) return new Float32Array(n).fill(s.fill);
      return truncNormal(rng, n, s.std);
    },
    hInit,
    lInit,
    emb,
  );
}

/** Weight dtypes `stateFromDict` accepts (all widened or narrowed to float32). */
const FLOAT_DTYPES: readonly string[] = ["f32", "bf16", "f16", "f64"];

/** Strips the `_orig_mod.` prefix torch.compile adds to state-dict keys. */
function normaliseKey(key: string): string {
  return key.startsWith("_orig_mod.") ? key.slice("_orig_mod.".length) : key;
}

/**
 * A model from a state dict (reference key names; `_orig_mod.` prefixes and
 * bf16 H_init/L_init accepted). Every expected key must be present with the
 * right shape; unknown keys are an error. `where` names the source in errors.
 */
export function stateFromDict(
  c: ModelConfig,
  dict: Map<string, HostTensor>,
  where = "state dict",
): ModelState {
  const byKey = new Map<string, HostTensor>();
  for (const [k, t] of dict) byKey.set(normaliseKey(k), t);
  const used = new Set<string>();
  const take = (key: string, shape: number[]): Float32Array => {
    const t = byKey.get(key);
    if (!t) throw new Error(`${where}: missing tensor '${key}'`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new Error(`${where}: '${key}' has shape [${t.shape}], expected [${shape}]`);
    }
    if (!FLOAT_DTYPES.includes(t.dtype)) {
      // An integer or bool tensor is never read as weights, however it converts.
      throw new Error(
        `${where}: '${key}' has dtype ${t.dtype}, expected a float (f32, bf16, f16, f64)`,
      );
    }
    used.add(key);
    return toFloat32(t);
  };
  const specs = paramSpecs(c);
  const values = new Map(specs.map((s) => [s.key, take(s.key, s.shape)]));
  const hInit = take(H_INIT, [c.hidden_size]);
  const lInit = hasLInit(c) ? take(L_INIT, [c.hidden_size]) : new Float32Array(c.hidden_size);
  if (!hasLInit(c) && byKey.has(L_INIT)) take(L_INIT, [c.hidden_size]);
  const emb = c.puzzle_emb_ndim > 0
    ? take(PUZZLE_EMB, [c.num_puzzle_identifiers, c.puzzle_emb_ndim])
    : null;
  const unknown = [...byKey.keys()].filter((k) => !used.has(k));
  if (unknown.length) {
    throw new Error(
      `${where}: unexpected tensor(s) for this config: ${unknown.slice(0, 5).join(", ")}${
        unknown.length > 5 ? ", ..." : ""
      }`,
    );
  }
  return buildState(c, (s) => values.get(s.key)!, hInit, lInit, emb);
}

/** Loads a model from a safetensors state dict. */
export async function loadState(c: ModelConfig, path: string): Promise<ModelState> {
  const st = await readSafetensors(path);
  return stateFromDict(c, st.tensors, path);
}

/**
 * The full state dict (parameters, buffers, puzzle embeddings) as host tensors. The puzzle
 * table is copied unless `shareTable` (it can be GBs; saving does not need a copy).
 */
export async function stateDict(
  m: ModelState,
  shareTable = false,
): Promise<Map<string, HostTensor>> {
  const out = new Map<string, HostTensor>();
  const keys = [...m.params.keys()];
  const values = await Promise.all(
    keys.map((k) => m.params.get(k)!.data() as Promise<Float32Array>),
  );
  keys.forEach((k, i) => {
    out.set(k, { dtype: "f32", shape: [...m.params.get(k)!.shape], data: values[i] });
  });
  const d = m.config.hidden_size;
  out.set(H_INIT, { dtype: "f32", shape: [d], data: await m.hInit.data() as Float32Array });
  if (hasLInit(m.config)) {
    out.set(L_INIT, { dtype: "f32", shape: [d], data: await m.lInit.data() as Float32Array });
  }
  if (m.puzzleEmb) {
    out.set(PUZZLE_EMB, {
      dtype: "f32",
      shape: [m.config.num_puzzle_identifiers, m.config.puzzle_emb_ndim],
      data: shareTable ? m.puzzleEmb : m.puzzleEmb.slice(),
    });
  }
  return out;
}

/** Writes the state dict as safetensors (atomically). */
export async function saveState(
  m: ModelState,
  path: string,
  metadata?: Record<string, string>,
): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(await stateDict(m, true), metadata));
}

/** Frees every tensor of a model. */
export function disposeState(m: ModelState): void {
  for (const v of m.params.values()) v.dispose();
  m.params.clear();
  m.hInit.dispose();
  m.lInit.dispose();
  m.rope?.cos.dispose();
  m.rope?.sin.dispose();
}

/** Number of prepended puzzle positions (re-exported for convenience). */
export { puzzleEmbLen };
