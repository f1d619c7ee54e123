/**
 * Saved evaluation outputs: what an evaluation run writes per test-split
 * example so that scoring (`deno task eval-arc`) can run later, elsewhere.
 *
 * Format (safetensors, one file or a folder of files read in name order and
 * concatenated, like the reference's per-rank `step_N_all_preds.<rank>`):
 *
 * | tensor | dtype | shape | meaning |
 * |---|---|---|---|
 * | `puzzle_identifiers` | I32 | [N] | identifier of each row (0 = padding row, ignored) |
 * | `inputs` | U8 | [N, S] | input tokens as fed to the model |
 * | `preds` | U8 | [N, S] | predicted tokens (argmax of the logits at the final step) |
 * | `q_halt_logits` | F32 | [N] | Q-halt logit at the final step |
 * | `labels` | U8 | [N, S] | optional: target tokens (not needed when `--data` is given) |
 *
 * Header metadata: `format` = `hrm-eval-outputs`, `version` = `1`, `seq_len` = S,
 * plus any free-form string keys the writer adds (checkpoint, step, dataset).
 * Rows may come in any order (the scorer matches them by identifier and input).
 * @module
 */
import { readSafetensors, writeSafetensors } from "./safetensors.ts";
import type { HostTensor } from "./dtypes.ts";

/** Outputs of an evaluation run, row-major. */
export interface EvalOutputs {
  seqLen: number;
  puzzleIdentifiers: Int32Array;
  inputs: Uint8Array;
  preds: Uint8Array;
  qHaltLogits: Float32Array;
  labels?: Uint8Array;
  metadata: Record<string, string>;
}

/** What {@link writeEvalOutputs} accepts: tokens may be any integer array with values 0..255. */
export interface EvalOutputsInput {
  seqLen: number;
  puzzleIdentifiers: Int32Array;
  inputs: Uint8Array | Int32Array;
  preds: Uint8Array | Int32Array;
  qHaltLogits: Float32Array;
  labels?: Uint8Array | Int32Array;
  metadata?: Record<string, string>;
}

const FORMAT = "hrm-eval-outputs";

function asTokens(name: string, a: Uint8Array | Int32Array, n: number, s: number): Uint8Array {
  if (a.length !== n * s) throw new Error(`${name}: ${a.length} values, expected ${n} x ${s}`);
  if (a instanceof Uint8Array) return a;
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] < 0 || a[i] > 255) throw new Error(`${name}: token ${a[i]} at ${i} is outside 0..255`);
    out[i] = a[i];
  }
  return out;
}

/** Writes evaluation outputs to `path` (atomically). */
export async function writeEvalOutputs(path: string, o: EvalOutputsInput): Promise<void> {
  const n = o.puzzleIdentifiers.length, s = o.seqLen;
  if (o.qHaltLogits.length !== n) {
    throw new Error(`q_halt_logits: ${o.qHaltLogits.length} values, expected ${n}`);
  }
  const tensors: Record<string, HostTensor> = {
    puzzle_identifiers: { dtype: "i32", shape: [n], data: o.puzzleIdentifiers },
    inputs: { dtype: "u8", shape: [n, s], data: asTokens("inputs", o.inputs, n, s) },
    preds: { dtype: "u8", shape: [n, s], data: asTokens("preds", o.preds, n, s) },
    q_halt_logits: { dtype: "f32", shape: [n], data: o.qHaltLogits },
  };
  if (o.labels) {
    tensors.labels = { dtype: "u8", shape: [n, s], data: asTokens("labels", o.labels, n, s) };
  }
  await writeSafetensors(path, tensors, {
    ...o.metadata,
    format: FORMAT,
    version: "1",
    seq_len: String(s),
  });
}

async function readOne(path: string): Promise<EvalOutputs> {
  const { tensors: t, metadata } = await readSafetensors(path);
  if (metadata.format !== FORMAT) {
    throw new Error(`${path}: not an eval-outputs file (metadata format is '${metadata.format}')`);
  }
  const get = (name: string, dtype: string, rank: number, optional = false) => {
    const v = t.get(name);
    if (!v) {
      if (optional) return undefined;
      throw new Error(`${path}: missing tensor '${name}'`);
    }
    if (v.dtype !== dtype || v.shape.length !== rank) {
      throw new Error(
        `${path}: '${name}' is ${v.dtype} [${v.shape}], expected ${dtype} of rank ${rank}`,
      );
    }
    return v;
  };
  const ids = get("puzzle_identifiers", "i32", 1)!, q = get("q_halt_logits", "f32", 1)!;
  const inputs = get("inputs", "u8", 2)!, preds = get("preds", "u8", 2)!;
  const labels = get("labels", "u8", 2, true);
  const n = ids.shape[0], s = inputs.shape[1];
  for (const [name, v] of [["inputs", inputs], ["preds", preds], ["labels", labels]] as const) {
    if (v && (v.shape[0] !== n || v.shape[1] !== s)) {
      throw new Error(`${path}: '${name}' has shape [${v.shape}], expected [${n}, ${s}]`);
    }
  }
  if (q.shape[0] !== n) {
    throw new Error(`${path}: q_halt_logits has ${q.shape[0]} rows, expected ${n}`);
  }
  return {
    seqLen: s,
    puzzleIdentifiers: ids.data as Int32Array,
    inputs: inputs.data as Uint8Array,
    preds: preds.data as Uint8Array,
    qHaltLogits: q.data as Float32Array,
    labels: labels?.data as Uint8Array | undefined,
    metadata,
  };
}

/** Reads one outputs file, or every `*.safetensors` of a folder in name order, concatenated. */
export async function readEvalOutputs(path: string): Promise<EvalOutputs> {
  let stat: Deno.FileInfo;
  try {
    stat = await Deno.stat(path);
  } catch {
    throw new Error(`${path}: not found`);
  }
  if (!stat.isDirectory) return readOne(path);
  const names: string[] = [];
  for await (const e of Deno.readDir(path)) {
    if (e.isFile && e.name.endsWith(".safetensors")) names.push(e.name);
  }
  names.sort();
  if (!names.length) throw new Error(`${path}: no .safetensors files`);
  const parts = [];
  for (const n of names) parts.push(await readOne(`${path}/${n}`));
  const s = parts[0].seqLen;
  const bad = parts.findIndex((p) => p.seqLen !== s);
  if (bad >= 0) throw new Error(`${path}/${names[bad]}: seq_len ${parts[bad].seqLen}, others ${s}`);
  return concatEvalOutputs(parts, parts[0].metadata);
}

/**
 * Joins several outputs of one sequence length, row blocks in the order given,
 * under `metadata`. Labels are kept only when every part has them. The caller
 * checks that the sequence lengths agree (it knows the file names to blame).
 */
export function concatEvalOutputs(
  parts: EvalOutputs[],
  metadata: EvalOutputs["metadata"],
): EvalOutputs {
  const cat = <T extends Uint8Array | Int32Array | Float32Array>(
    xs: T[],
    make: (n: number) => T,
  ): T => {
    const out = make(xs.reduce((n, x) => n + x.length, 0));
    let at = 0;
    for (const x of xs) {
      out.set(x as never, at);
      at += x.length;
    }
    return out;
  };
  const withLabels = parts.every((p) => p.labels);
  return {
    seqLen: parts[0].seqLen,
    puzzleIdentifiers: cat(parts.map((p) => p.puzzleIdentifiers), (n) => new Int32Array(n)),
    inputs: cat(parts.map((p) => p.inputs), (n) => new Uint8Array(n)),
    preds: cat(parts.map((p) => p.preds), (n) => new Uint8Array(n)),
    qHaltLogits: cat(parts.map((p) => p.qHaltLogits), (n) => new Float32Array(n)),
    labels: withLabels ? cat(parts.map((p) => p.labels!), (n) => new Uint8Array(n)) : undefined,
    metadata,
  };
}
