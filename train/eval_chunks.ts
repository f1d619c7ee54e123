/**
 * Chunked evaluation: on WebGPU one tensor must fit one storage-buffer binding
 * (the device's `maxStorageBufferBindingSize`, at most ~2 GiB in tfjs-webgpu).
 * Sequence-900 tasks (Maze, ARC at 30x30) at the paper's batch of 768 need an
 * 18.6 GiB attention-score tensor, so evaluation runs each batch as calls of
 * at most {@link rowsWithin} rows. Evaluation rows are independent (a fresh
 * carry per batch, every row runs all `halt_max_steps` segments, metrics are
 * sums over rows), so the chunks' summed metrics and concatenated outputs are
 * those of the whole batch; pad rows are kept in their chunks (the reference
 * sums `q_halt_loss` over pad rows too).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type Batch, parseModelConfig, sliceBatch } from "../model/mod.ts";
import { formatBytes, memoryLimits, rowsWithin } from "./resources.ts";

/** Rows [start, end) chunks of a batch, each at most `maxRows` rows (the batch itself when it fits). */
export function chunkBatch(batch: Batch, maxRows: number): Batch[] {
  if (!Number.isInteger(maxRows) || maxRows < 1) {
    throw new Error(`evaluation chunk rows must be a positive integer, got ${maxRows}`);
  }
  if (batch.batchSize <= maxRows) return [batch];
  const out: Batch[] = [];
  for (let start = 0; start < batch.batchSize; start += maxRows) {
    out.push(sliceBatch(batch, start, Math.min(batch.batchSize, start + maxRows)));
  }
  return out;
}

/** How a model's evaluation batches are split on the current backend. */
export interface EvalChunking {
  /** Rows per call (all processes together). */
  rows: number;
  /** One log line saying why. */
  line: string;
}

/**
 * The chunking `modelConfig` (the trainer's model, reference field names)
 * needs on the active backend with `workers` processes, or undefined when a
 * whole batch fits (always, off WebGPU). Throws one line when even one row
 * per call is too large.
 */
export function evalChunking(
  modelConfig: Record<string, unknown>,
  workers = 1,
  limit = memoryLimits(tf.getBackend()).gpuTensor,
): EvalChunking | undefined {
  if (limit === undefined) return undefined;
  const cfg = parseModelConfig(modelConfig, "model config");
  const perProcess = Math.ceil(cfg.batch_size / workers);
  const fit = rowsWithin({ ...cfg, batch_size: perProcess }, limit);
  if (fit >= perProcess) return undefined;
  if (fit < 1) {
    throw new Error(
      `evaluation: one row needs a tensor over WebGPU's ${formatBytes(limit)} per-tensor limit; ` +
        `lower the sequence length or arch.hidden_size`,
    );
  }
  const rows = fit * workers;
  return {
    rows,
    line: `evaluation: batches of ${cfg.batch_size} run as calls of at most ${rows} rows ` +
      `(no tensor over WebGPU's ${formatBytes(limit)} per-tensor limit; same results)`,
  };
}
