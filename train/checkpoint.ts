/**
 * Checkpoints: one safetensors file per checkpoint, written atomically (temp
 * file + rename). Tensors: the model weights under the reference's state-dict
 * names (`model.inner.H_level.layers.0.self_attn.qkv_proj.weight`, ...), the
 * optimizer state under `optim.*` and the persistent training carry under
 * `carry.*`. The `__metadata__` entry `hrm_checkpoint` holds JSON: the
 * resolved config, step, epoch, sampler position, RNG state, optimizer
 * scalars and the metrics line count (see {@link CheckpointMeta}).
 *
 * Layout in a run folder: `checkpoints/latest.safetensors` (the periodic one,
 * replaced each time) and `checkpoints/step_<N>.safetensors` (one per
 * evaluation, kept). Files whose metadata lacks `hrm_checkpoint` (e.g. from
 * `deno task convert`) and PyTorch `.pt` files (the released official
 * checkpoints, read by io/torch.ts without executing anything) are plain weights.
 * @module
 */
import {
  type HostTensor,
  parseSafetensors,
  parseTorchCheckpoint,
  writeSafetensors,
} from "../io/mod.ts";
import type { TrainPosition } from "./sampler.ts";

/** Identifies this project's training checkpoints. */
export const CHECKPOINT_FORMAT = "hrm-ts-checkpoint";
export const CHECKPOINT_VERSION = 1;

/** The JSON metadata of a training checkpoint. */
export interface CheckpointMeta {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  /** Why it was written. */
  kind: "periodic" | "eval" | "final" | "nonfinite";
  /** The resolved trainer config of the run. */
  config: Record<string, unknown>;
  /** The model config the weights belong to (data shape included). */
  model_config: Record<string, unknown>;
  /** Optimizer steps done. */
  step: number;
  total_steps: number;
  epoch: number;
  /** The next training batch. */
  position: TrainPosition;
  /** Everything else the model needs to continue exactly (RNG state, optimizer scalars). */
  state: Record<string, unknown>;
  /** metrics.jsonl lines written when the checkpoint was taken. */
  metrics_lines: number;
  backend: string;
}

const META_KEY = "hrm_checkpoint";

/** PyTorch's `torch.save` files are zip archives ("PK\x03\x04"). */
function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** Writes a checkpoint atomically. */
export async function writeCheckpoint(
  path: string,
  tensors: Map<string, HostTensor>,
  meta: CheckpointMeta,
): Promise<void> {
  await writeSafetensors(path, tensors, { [META_KEY]: JSON.stringify(meta), format: "pt" });
}

/** A checkpoint read back: all tensors, and the metadata when it is one of ours. */
export interface LoadedCheckpoint {
  tensors: Map<string, HostTensor>;
  meta?: CheckpointMeta;
  /** The file's other safetensors metadata (e.g. a converter's `config`). */
  extra: Record<string, string>;
}

function parseMeta(path: string, text: string | undefined): CheckpointMeta | undefined {
  if (text === undefined) return undefined;
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(text);
  } catch {
    throw new Error(`${path}: checkpoint metadata is not valid JSON`);
  }
  if (meta.format !== CHECKPOINT_FORMAT) {
    throw new Error(`${path}: unknown checkpoint format '${meta.format}'`);
  }
  if (meta.version !== CHECKPOINT_VERSION) {
    throw new Error(
      `${path}: checkpoint version ${meta.version}, this trainer reads version ${CHECKPOINT_VERSION}`,
    );
  }
  return meta;
}

/** Reads a checkpoint (ours, a plain safetensors of weights, or a PyTorch state dict). */
export async function readCheckpoint(path: string): Promise<LoadedCheckpoint> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new Error(`${path}: checkpoint not found`);
    if (err instanceof Deno.errors.IsADirectory) {
      throw new Error(`${path}: is a folder; give a checkpoint file or use resume=<run_dir>`);
    }
    throw err;
  }
  if (isZip(bytes)) {
    // A PyTorch checkpoint (the released official files): read without executing its pickle.
    return { tensors: parseTorchCheckpoint(bytes, path).tensors, extra: {} };
  }
  const { tensors, metadata } = parseSafetensors(bytes, path);
  const { [META_KEY]: metaText, ...extra } = metadata;
  return { tensors, meta: parseMeta(path, metaText), extra };
}

/** Reads only the header of a checkpoint file (cheap for large files). */
export async function readCheckpointMeta(path: string): Promise<CheckpointMeta | undefined> {
  const file = await Deno.open(path, { read: true });
  try {
    const head = new Uint8Array(8);
    if ((await file.read(head)) !== 8) throw new Error(`${path}: not a valid safetensors file`);
    if (isZip(head)) return undefined; // a PyTorch checkpoint: weights only
    const len = Number(new DataView(head.buffer).getBigUint64(0, true));
    if (len > 100_000_000) throw new Error(`${path}: not a valid safetensors file`);
    const header = new Uint8Array(len);
    let off = 0;
    while (off < len) {
      const n = await file.read(header.subarray(off));
      if (n === null) throw new Error(`${path}: truncated safetensors header`);
      off += n;
    }
    let json: { __metadata__?: Record<string, string> };
    try {
      json = JSON.parse(new TextDecoder().decode(header));
    } catch {
      throw new Error(`${path}: not a valid safetensors file (header is not JSON)`);
    }
    return parseMeta(path, json.__metadata__?.[META_KEY]);
  } finally {
    file.close();
  }
}

/** Later in the run: higher step, then later position, then more metrics lines (after eval). */
function newer(a: CheckpointMeta, b: CheckpointMeta): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.position.iteration !== b.position.iteration) {
    return a.position.iteration > b.position.iteration;
  }
  return a.metrics_lines > b.metrics_lines;
}

/** The checkpoint folder of a run. */
export function checkpointDir(runDir: string): string {
  return `${runDir}/checkpoints`;
}

/**
 * The newest training checkpoint (highest step; at equal steps the one taken
 * later in the loop: after evaluation moved the position on or logged its lines) in a run folder or its
 * `checkpoints/` folder, or undefined when there is none.
 */
export async function findLatestCheckpoint(
  runDir: string,
): Promise<{ path: string; meta: CheckpointMeta } | undefined> {
  let best: { path: string; meta: CheckpointMeta } | undefined;
  for (const dir of [checkpointDir(runDir), runDir]) {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(dir)];
    } catch {
      continue;
    }
    for (const e of entries) {
      if (!e.isFile || !e.name.endsWith(".safetensors")) continue;
      const path = `${dir}/${e.name}`;
      const meta = await readCheckpointMeta(path).catch(() => undefined);
      if (!meta) continue;
      if (!best || newer(meta, best.meta)) best = { path, meta };
    }
  }
  return best;
}

/** Resolves `resume=true|<path>` to a checkpoint file, with a one-line error when none exists. */
export async function resolveResume(
  resume: true | string,
  runDir: string,
): Promise<{ path: string; meta: CheckpointMeta }> {
  const target = resume === true ? runDir : resume;
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(target);
  } catch {
    throw new Error(`resume: ${target} not found`);
  }
  if (info.isDirectory) {
    const found = await findLatestCheckpoint(target);
    if (!found) throw new Error(`resume: no training checkpoint in ${target}`);
    return found;
  }
  const meta = await readCheckpointMeta(target);
  if (!meta) {
    throw new Error(
      `resume: ${target} holds weights only (no training state); evaluate it with ` +
        `deno task eval checkpoint=${target}`,
    );
  }
  return { path: target, meta };
}
