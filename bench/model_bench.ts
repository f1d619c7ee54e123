/**
 * Times one configuration on one backend through the trainer's own model
 * (train/ `trainModelFor`, what `deno task train workers=N` runs): training
 * steps (one full ACT segment with the Q-target pass, backward, AdamATan2 and
 * SignSGD updates, the non-finite guard) and evaluation unrolls
 * (halt_max_steps segments), in this process or data-parallel over Deno
 * Workers.
 * @module
 */
import { type Batch, batchOf, parseModelConfig, parseOptimConfig } from "../model/mod.ts";
import {
  type BackendInfo,
  type BackendName,
  fastWasmKernelsInstalled,
  useBackend,
} from "../backends/mod.ts";
import { trainModelFor } from "../train/mod.ts";
import { Rng } from "../util/mod.ts";
import type { BenchConfig } from "./configs.ts";
import { peakRssMb, rates, summarize, type Summary } from "./stats.ts";

/** The optimizer settings of the paper's Sudoku/Maze runs (only their cost matters here). */
export const BENCH_OPTIM = {
  lr: 1e-4,
  weight_decay: 1.0,
  puzzle_emb_lr: 1e-4,
  puzzle_emb_weight_decay: 1.0,
  lr_warmup_steps: 0,
};

/** What one (config, backend) measurement reports. */
export interface ModelBenchResult {
  config: string;
  backend: BackendName;
  adapter?: string;
  workers: number;
  batch: number;
  /** "fast" (backends/wasm/kernels.ts) or "stock" wasm kernels; absent off wasm. */
  wasm_kernels?: "fast" | "stock";
  train_steps_per_s: number;
  train_examples_per_s: number;
  train_step_s: Summary;
  eval_puzzles_per_s: number;
  eval_unroll_s: Summary;
  eval_segments: number;
  peak_rss_mb: number;
  /** Peak of tf.memory().numBytes (summed over workers). */
  tf_bytes_peak_mb: number;
  /** wasm heap reserved (summed over workers), wasm backend only. */
  wasm_heap_mb?: number;
}

/** Seeded random puzzles of the config's shape (token values only matter for halting). */
export function randomBatch(c: BenchConfig, rows: number, seed: number): Batch {
  const m = parseModelConfig(c.model);
  const rng = new Rng(seed);
  const tok = () => 1 + rng.int(m.vocab_size - 1);
  return batchOf({
    inputs: Int32Array.from({ length: rows * m.seq_len }, tok),
    labels: Int32Array.from({ length: rows * m.seq_len }, tok),
    puzzleIdentifiers: Int32Array.from({ length: rows }, () => rng.int(m.num_puzzle_identifiers)),
  });
}

/** A note on where a data-parallel step's time went. */
function timingNote(t: Record<string, number> | undefined): string | undefined {
  if (!t) return undefined;
  const s = (ms: number) => (ms / 1000).toFixed(2);
  return `segment ${s(t.segment)} s, read grads ${s(t.read)} s, combine ${s(t.combine)} s, ` +
    `update ${s(t.apply)} s`;
}

/** Options of one measurement. */
export interface ModelBenchOptions {
  backend: BackendName;
  batch: number;
  /** The trainer's `workers=`: 1 = in this process; more = data-parallel Deno Workers. */
  workers: number;
  trainRuns: number;
  evalRuns: number;
  seed?: number;
  /** Called with a short line as each phase ends (progress). */
  log?: (line: string) => void;
}

/** Measures one configuration; the backend is initialised here (and in each worker). */
export async function benchModel(
  config: BenchConfig,
  opts: ModelBenchOptions,
): Promise<ModelBenchResult> {
  const seed = opts.seed ?? 0;
  const log = opts.log ?? (() => {});
  const model = { ...config.model, batch_size: opts.batch };
  const info: BackendInfo = await useBackend(opts.backend);
  // Exactly what `deno task train workers=N` runs.
  const optim = parseOptimConfig({ ...BENCH_OPTIM, ...config.optim });
  const runner = await trainModelFor(parseModelConfig(model), optim, {
    seed,
    workers: opts.workers,
    backend: info.backend,
  });
  const lr = BENCH_OPTIM.lr;
  const step = async (b: Batch) => timingNote((await runner.trainStep(b, lr, lr)).timings);
  let tfPeak = 0;
  let heap = 0;
  const sample = async () => {
    const m = await runner.memory();
    tfPeak = Math.max(tfPeak, m.tfBytes);
    heap = Math.max(heap, m.heapBytes);
  };
  const batch = randomBatch(config, opts.batch, seed + 1);
  try {
    const t0 = performance.now();
    await step(batch); // warm-up: kernel setup, weight packing, JIT
    log(`warm-up step ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const trainS: number[] = [];
    for (let i = 0; i < opts.trainRuns; i++) {
      const t = performance.now();
      const note = await step(batch);
      trainS.push((performance.now() - t) / 1000);
      await sample();
      log(
        `train step ${i + 1}/${opts.trainRuns}: ${trainS[i].toFixed(2)} s${
          note ? ` (${note})` : ""
        }`,
      );
    }
    // No separate evaluation warm-up: the training steps above already ran the forward
    // kernels at this batch shape (the PyTorch peer has none either), so a first-use cost,
    // if any, counts against us.
    const evalS: number[] = [];
    let segments = 0;
    for (let i = 0; i < opts.evalRuns; i++) {
      const t = performance.now();
      await runner.evalBatch(batch, []);
      segments = parseModelConfig(model).halt_max_steps;
      evalS.push((performance.now() - t) / 1000);
      await sample();
      log(`eval unroll ${i + 1}/${opts.evalRuns}: ${evalS[i].toFixed(2)} s`);
    }
    const train = summarize(trainS);
    const evalSummary = summarize(evalS);
    return {
      config: config.name,
      backend: info.backend,
      adapter: info.adapter,
      workers: opts.workers,
      batch: opts.batch,
      wasm_kernels: info.backend === "wasm"
        ? (fastWasmKernelsInstalled() ? "fast" : "stock")
        : undefined,
      train_steps_per_s: rates(trainS, 1).median,
      train_examples_per_s: rates(trainS, opts.batch).median,
      train_step_s: train,
      eval_puzzles_per_s: rates(evalS, opts.batch).median,
      eval_unroll_s: evalSummary,
      eval_segments: segments,
      peak_rss_mb: peakRssMb(),
      tf_bytes_peak_mb: tfPeak / 2 ** 20,
      wasm_heap_mb: info.backend === "wasm" ? heap / 2 ** 20 : undefined,
    };
  } finally {
    await runner.dispose();
  }
}
