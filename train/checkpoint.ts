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
import { createHash } from "node:crypto";
import { z } from "zod";
import {
  encodeSafetensors,
  type HostTensor,
  parseSafetensors,
  parseTorchCheckpoint,
  typedArrayBytes,
  writeFileAtomic,
} from "../io/mod.ts";
import { issueLine } from "../util/mod.ts";
import type { TrainPosition } from "./sampler.ts";

/** Identifies this project's training checkpoints. */
export const CHECKPOINT_FORMAT = "hrm-ts-checkpoint";
/** The metadata version this trainer writes and reads. */
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
  /** The dataset folder's digest (io digestDir) when the run was trained on it; absent in older files. */
  dataset_fingerprint?: string;
}

const count = z.number().int().nonnegative();
/** The schema {@link CheckpointMeta} is validated with on every read. */
export const CheckpointMetaSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.literal(CHECKPOINT_VERSION),
  kind: z.enum(["periodic", "eval", "final", "nonfinite"]),
  config: z.record(z.string(), z.unknown()),
  model_config: z.record(z.string(), z.unknown()),
  step: count,
  total_steps: count,
  epoch: z.number().nonnegative(),
  position: z.object({ iteration: count, set: count, batch: count }),
  state: z.record(z.string(), z.unknown()),
  metrics_lines: count,
  backend: z.string(),
  dataset_fingerprint: z.string().optional(),
});

const META_KEY = "hrm_checkpoint";
/** The safetensors metadata entry holding the checksums (JSON, {@link CheckpointChecksum}). */
export const CHECKSUM_KEY = "hrm_checksum";

/** Checksums written beside the metadata: sha256 of the metadata text, and of everything. */
export interface CheckpointChecksum {
  /** sha256 (hex) of the `hrm_checkpoint` metadata text (checked by header-only reads). */
  meta_sha256: string;
  /** sha256 (hex) of every tensor (name, dtype, shape, bytes) and every other metadata entry. */
  sha256: string;
}

/** A checkpoint that fails its checks (damaged, truncated, empty, bad metadata); names the file. */
export class CheckpointIntegrityError extends Error {}

/** PyTorch's `torch.save` files are zip archives ("PK\x03\x04"). */
function isZip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * sha256 over the other metadata entries (sorted) and every tensor in name
 * order: `[name, dtype, shape]` as JSON, then its raw little-endian bytes.
 */
function contentDigest(tensors: Map<string, HostTensor>, metadata: Record<string, string>): string {
  const hash = createHash("sha256");
  const meta = Object.keys(metadata).filter((k) => k !== CHECKSUM_KEY).sort();
  hash.update(JSON.stringify(meta.map((k) => [k, metadata[k]])) + "\n");
  for (const name of [...tensors.keys()].sort()) {
    const t = tensors.get(name)!;
    hash.update(JSON.stringify([name, t.dtype, t.shape]) + "\n");
    hash.update(typedArrayBytes(t.data));
  }
  return hash.digest("hex");
}

/** Writes a checkpoint atomically and durably (fsync of file and folder), with its checksums. */
export async function writeCheckpoint(
  path: string,
  tensors: Map<string, HostTensor>,
  meta: CheckpointMeta,
): Promise<void> {
  const metaText = JSON.stringify(meta);
  const metadata: Record<string, string> = { [META_KEY]: metaText, format: "pt" };
  const checksum: CheckpointChecksum = {
    meta_sha256: sha256Hex(metaText),
    sha256: contentDigest(tensors, metadata),
  };
  metadata[CHECKSUM_KEY] = JSON.stringify(checksum);
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata), { durable: true });
}

/** A checkpoint read back: all tensors, and the metadata when it is one of ours. */
export interface LoadedCheckpoint {
  tensors: Map<string, HostTensor>;
  meta?: CheckpointMeta;
  /** The file's other safetensors metadata (e.g. a converter's `config`). */
  extra: Record<string, string>;
  /**
   * `verified`: our checkpoint, checksums match; `unchecked`: ours but written
   * before checksums existed (loaded as is); `none`: not ours (plain weights).
   */
  checksum: "verified" | "unchecked" | "none";
}

function parseChecksum(path: string, text: string | undefined): CheckpointChecksum | undefined {
  if (text === undefined) return undefined;
  const parsed = z.object({ meta_sha256: z.string(), sha256: z.string() }).safeParse(
    (() => {
      try {
        return JSON.parse(text);
      } catch {
        return undefined;
      }
    })(),
  );
  if (!parsed.success) {
    throw new CheckpointIntegrityError(
      `${path}: damaged checkpoint: metadata '${CHECKSUM_KEY}' is not {meta_sha256, sha256}`,
    );
  }
  return parsed.data;
}

function parseMeta(
  path: string,
  text: string | undefined,
  checksum: CheckpointChecksum | undefined,
): CheckpointMeta | undefined {
  if (text === undefined) return undefined;
  if (checksum && sha256Hex(text) !== checksum.meta_sha256) {
    throw new CheckpointIntegrityError(
      `${path}: damaged checkpoint: the metadata does not match its checksum`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new CheckpointIntegrityError(`${path}: checkpoint metadata is not valid JSON`);
  }
  const head = raw as { format?: unknown; version?: unknown } | null;
  if (head?.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointIntegrityError(
      `${path}: unknown checkpoint format '${
        String(head?.format)
      }' (expected ${CHECKPOINT_FORMAT})`,
    );
  }
  if (head.version !== CHECKPOINT_VERSION) {
    throw new CheckpointIntegrityError(
      `${path}: checkpoint version ${String(head.version)}, this trainer reads version ` +
        `${CHECKPOINT_VERSION}`,
    );
  }
  const parsed = CheckpointMetaSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CheckpointIntegrityError(
      issueLine(parsed.error, {
        where: `${path}: checkpoint metadata`,
        field: (p) => `field '${p || "(root)"}'`,
      }),
    );
  }
  return parsed.data as CheckpointMeta;
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
  if (bytes.length === 0) {
    throw new CheckpointIntegrityError(`${path}: empty file (0 bytes), expected a checkpoint`);
  }
  if (isZip(bytes)) {
    // A PyTorch checkpoint (the released official files): read without executing its pickle.
    return { tensors: parseTorchCheckpoint(bytes, path).tensors, extra: {}, checksum: "none" };
  }
  const { tensors, metadata } = parseSafetensors(bytes, path);
  const { [META_KEY]: metaText, [CHECKSUM_KEY]: sumText, ...extra } = metadata;
  const checksum = parseChecksum(path, sumText);
  const meta = parseMeta(path, metaText, checksum);
  if (checksum && contentDigest(tensors, metadata) !== checksum.sha256) {
    throw new CheckpointIntegrityError(
      `${path}: damaged checkpoint: the tensors or metadata do not match the checksum ` +
        `written with them`,
    );
  }
  return {
    tensors,
    meta,
    extra,
    checksum: checksum ? "verified" : meta ? "unchecked" : "none",
  };
}

/** Reads only the header of a checkpoint file (cheap for large files); checks the metadata's checksum. */
export async function readCheckpointMeta(path: string): Promise<CheckpointMeta | undefined> {
  const file = await Deno.open(path, { read: true });
  try {
    const size = (await file.stat()).size;
    const bad = (why: string) =>
      new CheckpointIntegrityError(`${path}: not a valid safetensors file: ${why}`);
    if (size === 0) {
      throw new CheckpointIntegrityError(`${path}: empty file (0 bytes), expected a checkpoint`);
    }
    const head = new Uint8Array(8);
    if (size < 8 || (await readFull(file, head)) !== 8) {
      throw bad("shorter than the 8-byte header length");
    }
    if (isZip(head)) return undefined; // a PyTorch checkpoint: weights only
    const len = Number(new DataView(head.buffer).getBigUint64(0, true));
    if (len > 100_000_000 || 8 + len > size) {
      throw bad(`header length ${len} exceeds the file size ${size} (truncated?)`);
    }
    const header = new Uint8Array(len);
    if ((await readFull(file, header)) !== len) throw bad("truncated header");
    let json: { __metadata__?: Record<string, unknown> };
    try {
      json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(header));
    } catch {
      throw bad("header is not valid UTF-8 JSON");
    }
    const metadata = json?.__metadata__;
    const text = (key: string): string | undefined => {
      const v = metadata?.[key];
      if (v === undefined) return undefined;
      if (typeof v !== "string") throw bad(`__metadata__ value of '${key}' is not a string`);
      return v;
    };
    return parseMeta(path, text(META_KEY), parseChecksum(path, text(CHECKSUM_KEY)));
  } finally {
    file.close();
  }
}

async function readFull(file: Deno.FsFile, into: Uint8Array): Promise<number> {
  let off = 0;
  while (off < into.length) {
    const n = await file.read(into.subarray(off));
    if (n === null) break;
    off += n;
  }
  return off;
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

/** The `.safetensors` files of a run, newest first; those whose header fails come with the error. */
export interface CheckpointListing {
  /** Training checkpoints whose header (metadata, its checksum) reads, newest first. */
  valid: { path: string; meta: CheckpointMeta }[];
  /** Files that could not be read as checkpoints, with the one-line reason. */
  damaged: { path: string; error: string }[];
}

/**
 * Every `.safetensors` file in a run folder and its `checkpoints/` folder:
 * training checkpoints newest first (highest step; at equal steps the one taken
 * later in the loop: after evaluation moved the position on or logged its
 * lines), and the damaged ones. Weights-only files are in neither list.
 */
export async function listCheckpoints(runDir: string): Promise<CheckpointListing> {
  const out: CheckpointListing = { valid: [], damaged: [] };
  for (const dir of [checkpointDir(runDir), runDir]) {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(dir)];
    } catch {
      continue;
    }
    entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    for (const e of entries) {
      if (!e.isFile || !e.name.endsWith(".safetensors")) continue;
      const path = `${dir}/${e.name}`;
      try {
        const meta = await readCheckpointMeta(path);
        if (meta) out.valid.push({ path, meta });
      } catch (err) {
        out.damaged.push({ path, error: (err as Error).message.split("\n")[0] });
      }
    }
  }
  out.valid.sort((a, b) => newer(a.meta, b.meta) ? -1 : newer(b.meta, a.meta) ? 1 : 0);
  return out;
}

/**
 * The newest training checkpoint (by its header; see {@link listCheckpoints})
 * in a run folder or its `checkpoints/` folder, or undefined when there is none.
 */
export async function findLatestCheckpoint(
  runDir: string,
): Promise<{ path: string; meta: CheckpointMeta } | undefined> {
  return (await listCheckpoints(runDir)).valid[0];
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
    const found = await listCheckpoints(target);
    if (!found.valid.length) throw new Error(noCheckpointLine(target, found));
    return found.valid[0];
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

function noCheckpointLine(dir: string, found: CheckpointListing): string {
  if (!found.damaged.length) return `resume: no training checkpoint in ${dir}`;
  return `resume: no intact training checkpoint in ${dir} (damaged: ` +
    found.damaged.map((d) => d.error).join("; ") + ")";
}

/**
 * Loads the checkpoint to resume from, verified in full (checksums). With a
 * run folder (`resume=true` or `resume=<folder>`), a damaged newest checkpoint
 * is reported through `note` and the previous good one is used (saying so);
 * when none is intact the error lists why. A named file is never replaced by
 * another: its damage is the error. A checkpoint without checksums (written
 * before they existed) loads with a note.
 */
export async function loadResumeCheckpoint(
  resume: true | string,
  runDir: string,
  note: (line: string) => void,
): Promise<{ path: string; checkpoint: LoadedCheckpoint & { meta: CheckpointMeta } }> {
  const target = resume === true ? runDir : resume;
  const info = await Deno.stat(target).catch(() => undefined);
  if (!info) throw new Error(`resume: ${target} not found`);
  const unchecked = (path: string, ck: LoadedCheckpoint) => {
    if (ck.checksum === "unchecked") {
      note(`resume: ${path} has no checksum (written before checksums); loaded unverified`);
    }
  };
  if (!info.isDirectory) {
    const { path } = await resolveResume(target, runDir);
    const ck = await readCheckpoint(path);
    unchecked(path, ck);
    return { path, checkpoint: ck as LoadedCheckpoint & { meta: CheckpointMeta } };
  }
  const found = await listCheckpoints(target);
  for (const d of found.damaged) note(`resume: skipping a damaged checkpoint: ${d.error}`);
  const failed: string[] = [];
  for (const { path } of found.valid) {
    let ck: LoadedCheckpoint;
    try {
      ck = await readCheckpoint(path);
    } catch (err) {
      const why = (err as Error).message.split("\n")[0];
      failed.push(why);
      note(`resume: ${why}; falling back to the previous checkpoint`);
      continue;
    }
    if (failed.length || found.damaged.length) {
      note(`resume: using ${path} (step ${ck.meta!.step}), the newest intact checkpoint`);
    }
    unchecked(path, ck);
    return { path, checkpoint: ck as LoadedCheckpoint & { meta: CheckpointMeta } };
  }
  const all = {
    valid: [],
    damaged: [...found.damaged, ...failed.map((e) => ({ path: "", error: e }))],
  };
  throw new Error(noCheckpointLine(target, all));
}
