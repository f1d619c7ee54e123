/**
 * Resource limits: what a model config needs in memory to train and to
 * evaluate at its batch size, the limits of the machine and the backend, and
 * one check that refuses a config far beyond them before any weight is
 * allocated (called by `createTrainModel`), with one line naming what is
 * needed, the limit and the setting to lower.
 *
 * The estimate counts float32 values (4 bytes each) of one process (one
 * data-parallel worker when `workers > 1`; its rows are `ceil(B / workers)`).
 * With b rows, T = puzzle positions + seq_len, n = b*T, D = hidden_size,
 * F = the SwiGLU inner size, h = num_heads, s = b*h*T*T (attention scores),
 * S = seq_len, V = vocab_size, P = trainable parameters and K = the blocks the
 * gradient runs through (H_layers + L_layers: the last H and L calls of a
 * segment; transformer_layers for the baseline):
 *
 *   weights      P
 *   moments      2P (AdamATan2 m and v; a worker holds its shard, 2P / workers)
 *   carry        2nD (zH, zL; nD for the baseline)
 *   train peak   K * (58nD + 20nD [rope] + 14nF + 7.5s) + 32nD + 2P + 29bSV
 *   eval peak    35nD + 10nF + 2.25s + 8.5bSV
 *
 * The train peak is the tape of the one-step gradient (every block keeps what
 * its backward needs: tfjs keeps the inputs and outputs of most ops, so about
 * 80 values per hidden value per block) at the end of the backward pass, with
 * the gradients (P) and the logits [B, S, V] with the loss pieces and their
 * gradients (29bSV); the cycles without gradient and the evaluation free
 * each block's intermediates when it returns, so their peak is one block's
 * forward. The coefficients were measured with `tf.profile` on 16 small
 * configs varying each size in turn (batch, seq, hidden, expansion, heads,
 * vocab, layers, RoPE or learned positions, the baseline) and fit within
 * 0.97-1.04 (train) and 0.95-1.10 (eval) of the measured peak;
 * train/resources_test.ts checks two other configs against tfjs' own count
 * within a factor of 1.25 either way. The wasm heap holds a little more than
 * the tensors (its allocator, this project's packed weight panels).
 *
 * The host puzzle-embedding table (num_puzzle_identifiers * puzzle_emb_ndim
 * floats, one copy per process) is outside tfjs' memory and counts only
 * against the machine's memory.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { countParams, type ModelConfig, swigluInner, totalLen, usesMlpT } from "../model/mod.ts";

/** Bytes of one float32 value. */
const F32 = 4;
/** 1 GiB. */
const GIB = 2 ** 30;
/** wasm32's addressable memory: tfjs-backend-wasm's heap per process (per worker). */
export const WASM_HEAP_LIMIT = 4 * GIB;
/** tfjs-webgpu binds a whole tensor as one storage buffer; beyond about 2 GiB results are wrong. */
export const WEBGPU_TENSOR_LIMIT = 2 * GIB;

/** The largest single tensor of a step (what one WebGPU buffer binding must hold). */
export interface LargestTensor {
  bytes: number;
  /** What it is, with its shape, e.g. `attention scores [B*heads, T, T]`. */
  what: string;
}

/** The estimated memory of one process (one worker when data-parallel), in bytes. */
export interface MemoryEstimate {
  /** Rows of the batch this process runs. */
  rows: number;
  params: number;
  /** AdamATan2 moments held here (a worker holds its shard). */
  moments: number;
  /** The EMA shadow of the weights (`ema=True`; every worker holds a full copy), else 0. */
  ema: number;
  carry: number;
  /** Peak of a training step's activations and gradients, beyond weights, moments and carry. */
  trainActivations: number;
  /** Peak of an evaluation segment's activations. */
  evalActivations: number;
  /** Logits [rows, seq_len, vocab], included in both activation peaks. */
  logits: number;
  /** Total to train (a training run also evaluates: the larger of the two peaks). */
  train: number;
  /** Total to evaluate (the trainer's model holds the moments then too). */
  eval: number;
  /** Host puzzle-embedding table (outside tfjs; one per process). */
  puzzleTable: number;
  /** Bytes that grow with each row of the batch (train; for "lower the batch to N" advice). */
  trainPerRow: number;
  largestTensor: LargestTensor;
}

/** Blocks a training step's gradient runs through (TRM: its whole last recursion, n + 1 calls). */
function gradBlocks(c: ModelConfig): number {
  if (c.arch === "trm") return (c.L_cycles + 1) * c.L_layers;
  return c.arch === "transformer" ? c.transformer_layers : c.H_layers + c.L_layers;
}

/** Activation floats of `rows` rows: [train peak, eval peak, logits]. */
function activationFloats(c: ModelConfig, rows: number): [number, number, number] {
  const t = totalLen(c);
  const d = c.hidden_size;
  const n = rows * t;
  const nD = n * d;
  const nF = n * swigluInner(c);
  const s = rows * c.num_heads * t * t;
  const bSV = rows * c.seq_len * c.vocab_size;
  const rope = c.pos_encodings === "rope" ? 20 : 0;
  // TRM's mlp_t blocks mix positions with a SwiGLU over the T axis per channel (inner I_t)
  // where the other blocks hold attention scores [B*heads, T, T].
  const mixer = usesMlpT(c)
    ? 14 * rows * d * swigluInner({ expansion: c.expansion, hidden_size: t })
    : 7.5 * s;
  const perBlock = (58 + rope) * nD + 14 * nF + mixer;
  const train = gradBlocks(c) * perBlock + 32 * nD + 29 * bSV;
  const evalPeak = 35 * nD + 10 * nF + 2.25 * s + 8.5 * bSV;
  return [train, evalPeak, bSV];
}

/** The largest tensor of a step for `rows` rows. */
export function largestTensor(c: ModelConfig, rows: number): LargestTensor {
  const t = totalLen(c);
  const d = c.hidden_size;
  const f = swigluInner(c);
  const candidates: LargestTensor[] = [
    { bytes: rows * c.num_heads * t * t * F32, what: "attention scores [B*heads, T, T]" },
    { bytes: rows * t * 2 * f * F32, what: "MLP gate/up [B*T, 2*inner]" },
    { bytes: rows * t * 3 * d * F32, what: "qkv [B*T, 3*hidden]" },
    { bytes: rows * c.seq_len * c.vocab_size * F32, what: "logits [B*S, vocab]" },
    { bytes: 2 * f * d * F32, what: "gate_up weight [2*inner, hidden]" },
    { bytes: c.vocab_size * d * F32, what: "embedding [vocab, hidden]" },
  ];
  return candidates.reduce((a, b) => (b.bytes > a.bytes ? b : a));
}

/**
 * The most rows one call may run so that no tensor of a step passes `limit`
 * bytes (0 when even one row, or a weight, is too large). The row-wise tensors
 * grow linearly with the rows, so this is where chunked evaluation splits a batch.
 */
export function rowsWithin(cfg: ModelConfig, limit: number): number {
  if (largestTensor(cfg, 1).bytes > limit) return 0;
  let lo = 1;
  let hi = Math.max(1, cfg.batch_size);
  if (largestTensor(cfg, hi).bytes <= limit) return hi;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (largestTensor(cfg, mid).bytes <= limit) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * The memory `cfg` needs per process at its batch size (`cfg.batch_size` rows,
 * split between `workers` data-parallel workers). Nothing is allocated.
 */
export function estimateMemory(
  cfg: ModelConfig,
  opts: { workers?: number; ema?: boolean } = {},
): MemoryEstimate {
  const workers = Math.max(1, Math.min(opts.workers ?? 1, cfg.batch_size));
  const rows = Math.ceil(cfg.batch_size / workers);
  const p = countParams(cfg);
  const params = p * F32;
  const moments = Math.ceil(2 * p / workers) * F32;
  const ema = opts.ema ? params : 0;
  const carryOf = (b: number) =>
    (cfg.arch === "transformer" ? 1 : 2) * b * totalLen(cfg) * cfg.hidden_size * F32;
  const carry = carryOf(rows);
  const [trainF, evalF, logitsF] = activationFloats(cfg, rows);
  const trainActivations = (trainF + 2 * p) * F32;
  const evalActivations = evalF * F32;
  const fixed = params + moments + ema + carry;
  const [perRowTrain] = activationFloats(cfg, 1);
  return {
    rows,
    params,
    moments,
    ema,
    carry,
    trainActivations,
    evalActivations,
    logits: logitsF * F32,
    train: fixed + Math.max(trainActivations, evalActivations),
    eval: fixed + evalActivations,
    puzzleTable: cfg.puzzle_emb_ndim * cfg.num_puzzle_identifiers * F32,
    trainPerRow: perRowTrain * F32 + carryOf(1),
    largestTensor: largestTensor(cfg, rows),
  };
}

/** The limits a run is checked against. */
export interface MemoryLimits {
  backend: string;
  /** The machine's memory (Deno.systemMemoryInfo().total). */
  system: number;
  /** wasm: the heap of each process (4 GiB). */
  wasmHeap?: number;
  /** WebGPU: the largest buffer one tensor may use (device limit, at most 2 GiB). */
  gpuTensor?: number;
  /** Where `gpuTensor` comes from (`device limit` or `tfjs-webgpu`). */
  gpuTensorSource?: string;
}

/** The device's storage-buffer limits when the active backend is WebGPU. */
function webgpuDeviceLimit(): number | undefined {
  const b = tf.backend() as unknown as { device?: { limits?: Record<string, number> } };
  const l = b.device?.limits;
  if (!l) return undefined;
  const v = [l.maxStorageBufferBindingSize, l.maxBufferSize].filter((x) =>
    typeof x === "number" && x > 0
  );
  return v.length ? Math.min(...v) : undefined;
}

/** The limits for `backend` on this machine (the WebGPU device's, when it is active). */
export function memoryLimits(backend: string): MemoryLimits {
  let system = Infinity;
  try {
    system = Deno.systemMemoryInfo().total;
  } catch {
    // No permission or no information: only the backend's limits apply.
  }
  const limits: MemoryLimits = { backend, system };
  if (backend === "wasm") limits.wasmHeap = WASM_HEAP_LIMIT;
  if (backend === "webgpu") {
    const device = tf.getBackend() === "webgpu" ? webgpuDeviceLimit() : undefined;
    limits.gpuTensor = Math.min(device ?? Infinity, WEBGPU_TENSOR_LIMIT);
    limits.gpuTensorSource = device !== undefined && device < WEBGPU_TENSOR_LIMIT
      ? "the device's max buffer binding"
      : "tfjs-webgpu's ~2 GiB per tensor";
  }
  return limits;
}

/** Bytes in a short human form (`512 MiB`, `9.6 GiB`). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** What to check: the config, where it runs, and what for. */
export interface ResourceRequest {
  /** The model config (`batch_size` = the global batch). */
  cfg: ModelConfig;
  /** Data-parallel workers the batch's rows are split between (1 = this process). */
  workers: number;
  /** Train (the default; a run also evaluates) or evaluate only. */
  purpose?: "train" | "eval";
  /** The optimizer keeps an EMA shadow of the weights (TRM's `ema=True`). */
  ema?: boolean;
  limits: MemoryLimits;
}

/** The setting to lower when even one row per process is too much. */
function lowerModel(c: ModelConfig, e: MemoryEstimate): string {
  const weights = e.params + e.moments + e.ema;
  if (weights > e.train / 2) {
    return "lower arch.hidden_size or the layers (arch.H_layers, arch.L_layers" +
      (c.arch === "transformer" ? ", arch.transformer_layers)" : ")") +
      (c.vocab_size * c.hidden_size * 2 > countParams(c) / 2 ? " or the vocabulary" : "");
  }
  return "lower the sequence length (the dataset's seq_len) or arch.hidden_size";
}

/** "lower global_batch_size to at most N" for the rows that fit under `limit` per process. */
function lowerBatch(r: ResourceRequest, e: MemoryEstimate, limit: number, total: number): string {
  const fixed = total - e.rows * e.trainPerRow;
  const fit = Math.floor((limit - fixed) / e.trainPerRow);
  if (fit < 1) return lowerModel(r.cfg, e);
  return `lower global_batch_size to at most ${fit * r.workers}`;
}

/**
 * The one-line reason `req` cannot run within its limits, or undefined when
 * it fits: what is needed, the limit and the setting to lower.
 */
export function resourceProblem(req: ResourceRequest): string | undefined {
  const { cfg, workers, limits } = req;
  const purpose = req.purpose ?? "train";
  const e = estimateMemory(cfg, { workers, ema: req.ema });
  const need = purpose === "train" ? e.train : e.eval;
  const what = `${purpose === "train" ? "training" : "evaluating"} at global_batch_size ` +
    `${cfg.batch_size}` + (workers > 1 ? ` (${e.rows} rows per worker, ${workers} workers)` : "");
  const parts = `weights ${formatBytes(e.params)}, optimizer ${formatBytes(e.moments)}, ` +
    (e.ema ? `EMA ${formatBytes(e.ema)}, ` : "") +
    `activations ${
      formatBytes(
        purpose === "train" ? need - e.params - e.moments - e.ema : e.evalActivations + e.carry,
      )
    }`;
  const each = workers > 1 ? " per worker" : "";
  const gpuHint = limits.backend === "webgpu" ? "" : " (or train on a GPU: backend=webgpu)";
  if (limits.wasmHeap !== undefined && need > limits.wasmHeap) {
    return `${what} needs about ${formatBytes(need)}${each} (${parts}); the wasm backend's heap ` +
      `is ${formatBytes(limits.wasmHeap)} per process: ` +
      `${lowerBatch(req, e, limits.wasmHeap, e.train)}${gpuHint}`;
  }
  if (limits.gpuTensor !== undefined && e.largestTensor.bytes > limits.gpuTensor) {
    const t = e.largestTensor;
    const fit = rowsWithin({ ...cfg, batch_size: e.rows }, limits.gpuTensor);
    // Evaluation splits its batches into calls of `fit` rows (train/eval_chunks.ts); a training
    // step is not split (micro-batches would sum the gradient in another order: docs/gpu.md).
    if (purpose === "eval" && fit >= 1) return undefined;
    const lower = fit >= 1
      ? `lower global_batch_size to at most ${fit * workers} (training steps are not split ` +
        `into micro-batches: docs/gpu.md; or train with the official code: --print-official)`
      : lowerModel(cfg, e);
    return `${what} needs a ${formatBytes(t.bytes)} tensor (${t.what}); WebGPU's limit is ` +
      `${formatBytes(limits.gpuTensor)} per tensor (${limits.gpuTensorSource}): ${lower}`;
  }
  const processes = workers;
  const host = limits.backend === "webgpu" ? 0 : need;
  const system = processes * (host + e.puzzleTable);
  if (system > limits.system) {
    const table = e.puzzleTable > host
      ? `; the puzzle-embedding table is ${formatBytes(e.puzzleTable)} per process`
      : "";
    const lower = e.puzzleTable > host
      ? "lower arch.puzzle_emb_ndim" + (workers > 1 ? " or workers" : "")
      : lowerBatch(req, e, limits.system / processes - e.puzzleTable, e.train);
    return `${what} needs about ${formatBytes(system)} of memory` +
      (processes > 1 ? ` in ${processes} processes` : "") + ` (${parts}${table}); this ` +
      `machine has ${formatBytes(limits.system)}: ${lower}`;
  }
  return undefined;
}

/** Throws {@link resourceProblem}'s line as an Error when `req` does not fit. */
export function checkResources(req: ResourceRequest): void {
  const problem = resourceProblem(req);
  if (problem) throw new Error(problem);
}
