/**
 * Data-parallel training and evaluation over Deno Workers, one TensorFlow.js
 * instance each: the way to use more than one core on the wasm backend (tfjs'
 * own wasm threads are disabled under Deno).
 *
 * A training step splits the batch's rows between the workers. Each worker
 * keeps the ACT carry of its rows, runs the segment and writes the gradients
 * of (its loss) / (its rows) into its slot of shared memory. Every worker then
 * combines the slots weighted by rows, sum_w (rows_w / B) g_w (the gradient of
 * loss / B of the whole batch, as in the reference trainer) for its shard of
 * the parameters (about 1/N of them; its AdamATan2 state covers only that
 * shard), updates it and publishes it in a shared parameter buffer, from
 * which the other workers load it before their next use: every copy ends
 * with the same weights, each update computed once. SignSGD on the touched
 * puzzle-embedding rows (a host table) runs in every worker, identically. No
 * gradient or weight goes through messages or the main thread. The min_halt exploration draws are made here in
 * the single-worker order, so halting is identical too. Results match a
 * one-worker run up to float rounding (`parallel_test.ts`).
 * @module
 */
import type { Batch } from "../../model/act.ts";
import type { BackendName } from "../../backends/select.ts";
import {
  type ModelConfigInput,
  type OptimConfigInput,
  parseModelConfig,
} from "../../model/config.ts";
import type { Metrics } from "../../model/loss.ts";
import { Rng } from "../../util/rng.ts";
import { paramSpecs } from "../../model/state.ts";
import type { StepLrs } from "../../model/step.ts";
import type { WorkerReply, WorkerRequest } from "./protocol.ts";

/** Options of a data-parallel trainer. */
export interface ParallelOptions {
  config: ModelConfigInput;
  optim: OptimConfigInput;
  /** Model init and exploration seed (as `initModel` / `createTrainer`). */
  seed: number;
  /** Training batch size (rows), split between the workers. */
  batch: number;
  workers: number;
  backend: BackendName;
}

/** A step's combined result. */
export interface ParallelStepResult {
  /** Total loss summed over the batch (as `trainStep`). */
  loss: number;
  /** Metrics summed over the workers (the reference's sums). */
  metrics: Metrics;
  halted: Uint8Array;
  /** Where the step's time went (ms): slowest worker's segment, gradient read-back,
   * puzzle-row concatenation here, slowest combine+update, and the whole step. */
  timings: { segment: number; read: number; combine: number; apply: number; total: number };
}

/** A combined evaluation result. */
export interface ParallelEvalResult {
  preds: Int32Array;
  qHalt: Float32Array;
  metrics: Metrics;
  segments: number;
}

type Reply<T extends WorkerReply["type"]> = Extract<WorkerReply, { type: T }>;

class WorkerHandle {
  readonly worker: Worker;
  private pending?: { resolve: (r: WorkerReply) => void; reject: (e: Error) => void };

  constructor() {
    this.worker = new Worker(new URL("./worker.ts", import.meta.url).href, {
      type: "module",
    });
    this.worker.onmessage = (e: MessageEvent<WorkerReply>) => {
      const p = this.pending;
      this.pending = undefined;
      if (!p) return;
      if (e.data.type === "error") p.reject(new Error(`worker: ${e.data.message}`));
      else p.resolve(e.data);
    };
    this.worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      const p = this.pending;
      this.pending = undefined;
      p?.reject(new Error(`worker failed: ${e.message}`));
    };
  }

  request<T extends WorkerReply["type"]>(
    msg: WorkerRequest,
    expect: T,
    transfer: Transferable[] = [],
  ): Promise<Reply<T>> {
    if (this.pending) throw new Error("worker busy");
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(msg, transfer);
    }).then((r) => {
      if (r.type !== expect) throw new Error(`worker replied '${r.type}', expected '${expect}'`);
      return r as Reply<T>;
    });
  }
}

/** Row ranges [start, end) of each worker: as equal as possible, in order. */
export function splitRows(rows: number, workers: number): [number, number][] {
  const out: [number, number][] = [];
  for (let w = 0; w < workers; w++) {
    out.push([Math.floor((w * rows) / workers), Math.floor(((w + 1) * rows) / workers)]);
  }
  return out;
}

/** Rows [start, end) of a host batch (copies). */
export function sliceBatch(batch: Batch, start: number, end: number): Batch {
  const rows = batch.puzzleIdentifiers.length;
  const seq = batch.inputs.length / rows;
  return {
    inputs: batch.inputs.slice(start * seq, end * seq),
    labels: batch.labels.slice(start * seq, end * seq),
    puzzleIdentifiers: batch.puzzleIdentifiers.slice(start, end),
  };
}

function sumMetrics(parts: Metrics[]): Metrics {
  const out = { ...parts[0] };
  for (const m of parts.slice(1)) {
    for (const k of Object.keys(out) as (keyof Metrics)[]) {
      out[k] = (out[k] ?? 0) + (m[k] ?? 0);
    }
  }
  return out;
}

function concat<T extends Int32Array | Float32Array | Uint8Array>(parts: T[]): T {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new (parts[0].constructor as { new (n: number): T })(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** A model trained data-parallel on `workers` Deno Workers. */
export class DataParallelTrainer {
  private constructor(
    private readonly handles: WorkerHandle[],
    private readonly ranges: [number, number][],
    private readonly rng: Rng,
    private readonly draws: { enabled: boolean; intRange: number },
  ) {}

  /** Starts the workers and initialises identical models on each. */
  static async create(opts: ParallelOptions): Promise<DataParallelTrainer> {
    if (opts.workers < 1 || opts.workers > opts.batch) {
      throw new Error(`workers must be in 1..batch (${opts.batch}), got ${opts.workers}`);
    }
    const c = parseModelConfig(opts.config);
    const ranges = splitRows(opts.batch, opts.workers);
    const size = paramSpecs(c).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
    const slots = ranges.map(() => new SharedArrayBuffer(size * 4));
    const params = new SharedArrayBuffer(size * 4);
    const handles = ranges.map(() => new WorkerHandle());
    try {
      await Promise.all(handles.map((h, w) =>
        h.request({
          type: "init",
          config: opts.config,
          optim: opts.optim,
          seed: opts.seed,
          backend: opts.backend,
          rows: ranges[w][1] - ranges[w][0],
          index: w,
          slots,
          params,
        }, "ready")
      ));
    } catch (e) {
      for (const h of handles) h.worker.terminate();
      throw e;
    }
    return new DataParallelTrainer(handles, ranges, new Rng(opts.seed), {
      enabled: c.halt_max_steps > 1 && c.halt_exploration_prob > 0,
      intRange: c.halt_max_steps - 1,
    });
  }

  /** Number of workers. */
  get workers(): number {
    return this.handles.length;
  }

  /** One training step on the whole batch: every worker's segment, then one update. */
  async trainStep(batch: Batch, lrs: StepLrs): Promise<ParallelStepResult> {
    const started = performance.now();
    const total = batch.puzzleIdentifiers.length;
    // min_halt draws in the single-worker order: per row one uniform, one integer.
    const uniforms = new Float64Array(this.draws.enabled ? total : 0);
    const ints = new Int32Array(this.draws.enabled ? total : 0);
    for (let r = 0; r < uniforms.length; r++) {
      uniforms[r] = this.rng.uniform();
      ints[r] = this.rng.int(this.draws.intRange);
    }
    const replies = await Promise.all(this.handles.map((h, w) => {
      const [s, e] = this.ranges[w];
      const msg: WorkerRequest = {
        type: "grads",
        batch: sliceBatch(batch, s, e),
        uniforms: uniforms.length ? uniforms.slice(s, e) : uniforms,
        ints: ints.length ? ints.slice(s, e) : ints,
      };
      return h.request(msg, "grads");
    }));
    const combineStart = performance.now();
    // The workers combine the gradient slots themselves: sum_w (rows_w / B) * g_w.
    const weights = this.ranges.map(([s, e]) => Math.fround((e - s) / total));
    let puzzleIds: Int32Array | undefined;
    let puzzleGrad: Float32Array | undefined;
    if (replies[0].puzzleGrad && replies[0].puzzleIds) {
      puzzleIds = concat(replies.map((r) => r.puzzleIds!));
      // Same 1/B scale as a one-worker run (only the sign is used, but keep it exact).
      puzzleGrad = concat(replies.map((r, w) => {
        const scale = (this.ranges[w][1] - this.ranges[w][0]) / total;
        return r.puzzleGrad!.map((v) => v * scale);
      }));
    }
    const combine = performance.now() - combineStart;
    const applied = await Promise.all(this.handles.map((h) =>
      h.request({
        type: "apply",
        weights,
        puzzleIds,
        puzzleGrad,
        lr: lrs.lr,
        puzzleEmbLr: lrs.puzzleEmbLr,
      }, "applied")
    ));
    return {
      loss: replies.reduce((s, r) => s + r.loss, 0),
      metrics: sumMetrics(replies.map((r) => r.metrics)),
      halted: concat(replies.map((r) => r.halted)),
      timings: {
        segment: Math.max(...replies.map((r) => r.segmentMs)),
        read: Math.max(...replies.map((r) => r.readMs)),
        combine,
        apply: Math.max(...applied.map((a) => a.applyMs)),
        total: performance.now() - started,
      },
    };
  }

  /**
   * Evaluates a batch (full halt_max_steps unroll), its rows split between
   * the workers; any number of rows >= workers.
   */
  async evaluate(batch: Batch): Promise<ParallelEvalResult> {
    const ranges = splitRows(batch.puzzleIdentifiers.length, this.handles.length)
      .filter(([s, e]) => e > s);
    const replies = await Promise.all(
      ranges.map(([s, e], w) =>
        this.handles[w].request({ type: "eval", batch: sliceBatch(batch, s, e) }, "eval")
      ),
    );
    return {
      preds: concat(replies.map((r) => r.preds)),
      qHalt: concat(replies.map((r) => r.qHalt)),
      metrics: sumMetrics(replies.map((r) => r.metrics)),
      segments: replies[0].segments,
    };
  }

  /** The parameters (host copies, from worker 0) and the puzzle-embedding table. */
  async parameters(): Promise<
    { params: Map<string, Float32Array>; puzzleEmb: Float32Array | null }
  > {
    const r = await this.handles[0].request({ type: "params" }, "params");
    return { params: new Map(Object.entries(r.params)), puzzleEmb: r.puzzleEmb };
  }

  /** Bytes held by tfjs and wasm heap sizes, per worker. */
  async memory(): Promise<{ tfBytes: number; heapBytes: number }[]> {
    return await Promise.all(this.handles.map((h) => h.request({ type: "memory" }, "memory")));
  }

  /** Frees the workers' models and stops them. */
  async close(): Promise<void> {
    await Promise.allSettled(this.handles.map((h) => h.request({ type: "close" }, "closed")));
    for (const h of this.handles) h.worker.terminate();
  }
}
