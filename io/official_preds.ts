/**
 * The reference's saved evaluation outputs, read and written: sapientinc/HRM
 * `pretrain.py` `evaluate` saves, per rank, `torch.save(all_preds,
 * f"{checkpoint_path}/step_{step}_all_preds.{rank}")`, a dict of CPU tensors
 * concatenated over the eval batches with the keys of `eval_save_outputs` in
 * the order the batch and then the model return them. `evaluate.py` asks for
 * `inputs`, `labels`, `puzzle_identifiers` (int32, labels -100 where ignored),
 * `logits` (bf16 [N, S, V]), `q_halt_logits`, `q_continue_logits` (f32 [N]);
 * `arc_eval.ipynb` reads every rank file of a step, concatenates them, drops
 * padding rows (identifier 0) and takes `logits.argmax(-1)` as the prediction.
 *
 * Reading maps such files to our {@link EvalOutputs} (argmax of the logits as
 * torch takes it, first maximum wins, NaN above all; or a `preds` tensor when
 * there are no logits); writing maps ours to that layout, with one-hot bf16
 * logits (1 at the predicted token) since our outputs keep the argmax only.
 * @module
 */
import { basename, dirname, join } from "node:path";
import { halfToFloat, type HostTensor } from "./dtypes.ts";
import { concatEvalOutputs, type EvalOutputs, readEvalOutputs } from "./eval_outputs.ts";
import { readTorchCheckpoint } from "./torch.ts";
import { torchSaveBytes } from "./torch_write.ts";
import { writeFileAtomic } from "./atomic.ts";

/** `step_<step>_all_preds.<rank>`, the reference's file name. */
export const OFFICIAL_PREDS_NAME = /^step_(\d+)_all_preds\.(\d+)$/;

/** The reference's ignore label (labels equal to it are not scored). */
export const OFFICIAL_IGNORE_LABEL = -100;

/** Largest file {@link writeOfficialPreds} writes before starting the next rank file. */
export const MAX_OFFICIAL_FILE_BYTES = 1 << 30;

/**
 * The rank files of one evaluation: `path` is one rank file (every rank of its
 * step in the same folder is taken) or a folder holding the files of exactly
 * one step. Ranks in numeric order (the notebook globs them in the file
 * system's order; rows of different ranks are independent except for ties
 * broken by first appearance, see docs/arc.md).
 */
export async function officialPredsFiles(
  path: string,
): Promise<{ step: number; files: string[] }> {
  let dir = path, want: number | null = null;
  const info = await Deno.stat(path).catch(() => null);
  if (!info) throw new Error(`${path}: not found`);
  if (!info.isDirectory) {
    const m = OFFICIAL_PREDS_NAME.exec(basename(path));
    if (!m) throw new Error(`${path}: not named step_<N>_all_preds.<rank>`);
    dir = dirname(path);
    want = Number(m[1]);
  }
  const byStep = new Map<number, { rank: number; file: string }[]>();
  for await (const e of Deno.readDir(dir)) {
    const m = e.isFile ? OFFICIAL_PREDS_NAME.exec(e.name) : null;
    if (!m) continue;
    const step = Number(m[1]);
    byStep.set(step, [...(byStep.get(step) ?? []), {
      rank: Number(m[2]),
      file: join(dir, e.name),
    }]);
  }
  if (want === null) {
    const steps = [...byStep.keys()].sort((a, b) => a - b);
    if (steps.length !== 1) {
      throw new Error(
        `${path}: expected step_<N>_all_preds.<rank> files of one step, found ` +
          (steps.length ? `steps ${steps.join(", ")} (name one file)` : "none"),
      );
    }
    want = steps[0];
  }
  const ranks = (byStep.get(want) ?? []).sort((a, b) => a.rank - b.rank);
  return { step: want, files: ranks.map((r) => r.file) };
}

/** True when `path` is an official rank file, or a folder of them with no `.safetensors`. */
export async function isOfficialPreds(path: string): Promise<boolean> {
  if (OFFICIAL_PREDS_NAME.test(basename(path))) return true;
  const info = await Deno.stat(path).catch(() => null);
  if (!info?.isDirectory) return false;
  let official = false;
  for await (const e of Deno.readDir(path)) {
    if (e.name.endsWith(".safetensors")) return false;
    if (OFFICIAL_PREDS_NAME.test(e.name)) official = true;
  }
  return official;
}

const BF16_TO_F32 = (() => {
  const out = new Float32Array(65536);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < 65536; i++) bits[i] = i << 16;
  return out;
})();

/** The float values of a float tensor as a lookup (bf16/f16 widened exactly). */
function floatGetter(t: HostTensor, what: string): (i: number) => number {
  switch (t.dtype) {
    case "f32":
    case "f64": {
      const d = t.data as Float32Array | Float64Array;
      return (i) => d[i];
    }
    case "bf16": {
      const d = t.data as Uint16Array;
      return (i) => BF16_TO_F32[d[i]];
    }
    case "f16": {
      const d = t.data as Uint16Array;
      return (i) => halfToFloat(d[i]);
    }
    default:
      throw new Error(`${what} is ${t.dtype}, expected a float tensor`);
  }
}

/**
 * `logits.argmax(-1)` as torch computes it: the first index of the largest
 * value, a NaN counting as larger than everything (the first NaN wins).
 */
export function argmaxLastAxis(t: HostTensor, what = "logits"): Uint8Array {
  const v = t.shape[t.shape.length - 1];
  if (!(v > 0) || v > 256) throw new Error(`${what}: last axis ${v}, expected 1..256 tokens`);
  const get = floatGetter(t, what);
  const rows = t.data.length / v;
  const out = new Uint8Array(rows);
  for (let r = 0, base = 0; r < rows; r++, base += v) {
    let best = 0, bestV = get(base);
    if (Number.isNaN(bestV)) continue;
    for (let j = 1; j < v; j++) {
      const x = get(base + j);
      if (Number.isNaN(x)) {
        best = j;
        break;
      }
      if (x > bestV) {
        bestV = x;
        best = j;
      }
    }
    out[r] = best;
  }
  return out;
}

/** Integer tensor values as tokens 0..255; `ignored` (e.g. -100) becomes 0. */
function tokens(t: HostTensor, what: string, ignored?: number): Uint8Array {
  if (!["i64", "i32", "i16", "i8", "u8"].includes(t.dtype)) {
    throw new Error(`${what} is ${t.dtype}, expected an integer tensor`);
  }
  const out = new Uint8Array(t.data.length);
  for (let i = 0; i < out.length; i++) {
    const x = Number(t.data[i]);
    if (x === ignored) continue;
    if (!(x >= 0 && x <= 255)) throw new Error(`${what}: token ${x} at ${i} is outside 0..255`);
    out[i] = x;
  }
  return out;
}

/** Maps one rank file's tensors to {@link EvalOutputs}; `name` appears in errors. */
export function officialToEvalOutputs(tensors: Map<string, HostTensor>, name: string): EvalOutputs {
  const need = (k: string, rank: number): HostTensor => {
    const t = tensors.get(k);
    if (!t) {
      throw new Error(
        `${name}: no '${k}' tensor (has ${[...tensors.keys()].join(", ") || "none"}); ` +
          "the reference saves it when eval_save_outputs lists it",
      );
    }
    if (t.shape.length !== rank) {
      throw new Error(`${name}: '${k}' has shape [${t.shape}], expected rank ${rank}`);
    }
    return t;
  };
  const ids = need("puzzle_identifiers", 1);
  const n = ids.shape[0];
  const inputs = need("inputs", 2);
  const s = inputs.shape[1];
  const q = need("q_halt_logits", 1);
  let preds: Uint8Array;
  if (tensors.has("logits")) {
    const l = need("logits", 3);
    if (l.shape[0] !== n || l.shape[1] !== s) {
      throw new Error(`${name}: 'logits' has shape [${l.shape}], expected [${n}, ${s}, V]`);
    }
    preds = argmaxLastAxis(l, `${name}: 'logits'`);
  } else {
    const p = tensors.get("preds");
    if (!p) throw new Error(`${name}: neither 'logits' nor 'preds' is saved`);
    preds = tokens(p, `${name}: 'preds'`);
    if (preds.length !== n * s) {
      throw new Error(`${name}: 'preds' has shape [${p.shape}], expected [${n}, ${s}]`);
    }
  }
  if (inputs.shape[0] !== n || q.shape[0] !== n) {
    throw new Error(
      `${name}: inputs/q_halt_logits have ${inputs.shape[0]}/${
        q.shape[0]
      } rows, puzzle_identifiers ${n}`,
    );
  }
  const lab = tensors.get("labels");
  if (lab && (lab.shape.length !== 2 || lab.shape[0] !== n || lab.shape[1] !== s)) {
    throw new Error(`${name}: 'labels' has shape [${lab.shape}], expected [${n}, ${s}]`);
  }
  const getQ = floatGetter(q, `${name}: 'q_halt_logits'`);
  return {
    seqLen: s,
    puzzleIdentifiers: Int32Array.from({ length: n }, (_, i) => Number(ids.data[i])),
    inputs: tokens(inputs, `${name}: 'inputs'`),
    preds,
    qHaltLogits: Float32Array.from({ length: n }, (_, i) => getQ(i)),
    labels: lab ? tokens(lab, `${name}: 'labels'`, OFFICIAL_IGNORE_LABEL) : undefined,
    metadata: { format: "hrm-official-all-preds", source: name },
  };
}

function concat(parts: EvalOutputs[], what: string): EvalOutputs {
  const s = parts[0].seqLen;
  const bad = parts.find((p) => p.seqLen !== s);
  if (bad) {
    throw new Error(
      `${what}: ${bad.metadata.source} has sequence length ${bad.seqLen}, others ${s}`,
    );
  }
  return concatEvalOutputs(parts, {
    format: "hrm-official-all-preds",
    source: what,
    files: String(parts.length),
  });
}

/**
 * Reads the reference's outputs of one evaluation (every rank of its step,
 * see {@link officialPredsFiles}), concatenated in rank order. Each file is
 * read whole: peak memory is about twice the largest rank file.
 */
export async function readOfficialPreds(path: string): Promise<EvalOutputs> {
  const { files, step } = await officialPredsFiles(path);
  const parts: EvalOutputs[] = [];
  for (const f of files) {
    const ckpt = await readTorchCheckpoint(f);
    parts.push(officialToEvalOutputs(ckpt.tensors, f));
  }
  const out = concat(parts, path);
  out.metadata.step = String(step);
  return out;
}

/** Reads saved outputs in either format: ours (safetensors) or the reference's rank files. */
export async function readAnyEvalOutputs(path: string): Promise<EvalOutputs> {
  return (await isOfficialPreds(path)) ? readOfficialPreds(path) : readEvalOutputs(path);
}

/** Bytes one row takes in the reference layout (int32 inputs and labels, bf16 logits, 2 x f32, int32 id). */
function rowBytes(s: number, vocab: number): number {
  return s * 4 * 2 + s * vocab * 2 + 4 * 3;
}

/** The reference's tensors for rows [from, to) of our outputs (labels required). */
export function evalOutputsToOfficial(
  o: EvalOutputs,
  vocab: number,
  from = 0,
  to = o.puzzleIdentifiers.length,
): [string, HostTensor][] {
  if (!o.labels) {
    throw new Error("outputs without labels cannot be written in the reference's layout");
  }
  const s = o.seqLen, n = to - from;
  const ints = (a: Uint8Array, ignore: boolean) =>
    Int32Array.from(
      a.subarray(from * s, to * s),
      (x) => (ignore && x === 0 ? OFFICIAL_IGNORE_LABEL : x),
    );
  const logits = new Uint16Array(n * s * vocab);
  for (let i = 0; i < n * s; i++) {
    const p = o.preds[from * s + i];
    if (p >= vocab) throw new Error(`prediction token ${p} is outside the vocabulary of ${vocab}`);
    logits[i * vocab + p] = 0x3f80; // bf16 1.0
  }
  return [
    ["inputs", { dtype: "i32", shape: [n, s], data: ints(o.inputs, false) }],
    ["labels", { dtype: "i32", shape: [n, s], data: ints(o.labels, true) }],
    ["puzzle_identifiers", { dtype: "i32", shape: [n], data: o.puzzleIdentifiers.slice(from, to) }],
    ["logits", { dtype: "bf16", shape: [n, s, vocab], data: logits }],
    ["q_halt_logits", { dtype: "f32", shape: [n], data: o.qHaltLogits.slice(from, to) }],
  ];
}

/**
 * Throws when `dir` already holds a rank file of `step`: a stale rank file
 * would be read with new ones as one evaluation, so they are never mixed.
 */
export async function assertNoOfficialStep(dir: string, step: number): Promise<void> {
  const entries = await Array.fromAsync(Deno.readDir(dir)).catch((err) => {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  });
  for (const e of entries) {
    const m = OFFICIAL_PREDS_NAME.exec(e.name);
    if (m && Number(m[1]) === step) {
      throw new Error(`${join(dir, e.name)} already exists: write step ${step} to another folder`);
    }
  }
}

/**
 * Writes our outputs as the reference's `step_<step>_all_preds.<rank>` files
 * in `dir` (atomically each), rank 0 first, starting a new rank file before
 * one would pass `maxFileBytes`; returns the paths. Label 0 (ignored) is
 * written as -100; no `q_continue_logits` (ours are not kept).
 */
export async function writeOfficialPreds(
  dir: string,
  step: number,
  o: EvalOutputs,
  opts: { vocab: number; maxFileBytes?: number },
): Promise<string[]> {
  const n = o.puzzleIdentifiers.length;
  const per = Math.max(
    1,
    Math.floor(
      ((opts.maxFileBytes ?? MAX_OFFICIAL_FILE_BYTES) - 4096) / rowBytes(o.seqLen, opts.vocab),
    ),
  );
  await assertNoOfficialStep(dir, step);
  await Deno.mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (let from = 0, rank = 0; from < n || rank === 0; from += per, rank++) {
    const path = join(dir, `step_${step}_all_preds.${rank}`);
    const tensors = evalOutputsToOfficial(o, opts.vocab, from, Math.min(n, from + per));
    await writeFileAtomic(path, torchSaveBytes(tensors, { archiveName: `step_${step}_all_preds` }));
    paths.push(path);
  }
  return paths;
}
