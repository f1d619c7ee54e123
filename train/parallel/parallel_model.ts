/**
 * {@link TrainModel} data-parallel over Deno Workers, one TensorFlow.js
 * instance each: the way to use more than one core on the wasm backend (tfjs'
 * own wasm threads are disabled under Deno). `deno task train workers=N`.
 *
 * A step splits the batch's rows between the workers. Each worker keeps the
 * ACT carry of its rows and runs model/step.ts `trainStep` on them; its
 * optimizer writes the gradients of (its loss) / (its rows) into its slot of
 * shared memory and waits. Here the losses are checked (a non-finite one
 * anywhere undoes the step everywhere) and the puzzle-embedding rows joined;
 * then every worker combines the slots weighted by rows, sum_w (rows_w / B)
 * g_w (the gradient of loss / B of the whole batch, as in the reference
 * trainer), for its shard of the parameters (about 1/N of them; its
 * AdamATan2 state covers only that shard), updates it and publishes it in a
 * shared parameter buffer, from which the other workers load it before their
 * next use: every copy ends with the same weights, each update computed once.
 * The min_halt exploration draws are made here in the one-process order, so
 * halting is identical too. Results match `workers=1` up to float rounding,
 * and checkpoints are the same files (`parallel_model_test.ts`).
 * @module
 */
import type { HostTensor } from "../../io/mod.ts";
import type { BackendName } from "../../backends/mod.ts";
import {
  type Batch,
  countParams,
  type Metrics,
  type ModelConfig,
  type OptimConfig,
  paramSpecs,
  sliceBatch,
} from "../../model/mod.ts";
import { Rng, type RngState, WorkerClient } from "../../util/mod.ts";
import {
  composeState,
  concatCarryHost,
  evalOutputs,
  sliceCarryHost,
  splitState,
} from "../exported_state.ts";
import { metricsOf } from "../local_model.ts";
import type { EvalBatchResult, ExportedState, StepResult, TrainModel } from "../model_adapter.ts";
import type { WorkerReply, WorkerRequest } from "./protocol.ts";

/**
 * One data-parallel worker and its single request in flight (`request`, and
 * `next` for the second reply of a step); `worker` posts a step's `apply`.
 */
class WorkerHandle extends WorkerClient<WorkerRequest, WorkerReply> {
  constructor() {
    super(new URL("./worker.ts", import.meta.url));
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

/** Seeds and placement of a data-parallel model. */
export interface ParallelOptions {
  /** Weight init seed (as `initModel`). */
  initSeed: number;
  /** Seed of the min_halt exploration draws (as `createTrainer`). */
  explorationSeed: number;
  workers: number;
  backend: BackendName;
}

/** HRM (or the baseline) trained data-parallel on `workers` Deno Workers. */
export class ParallelTrainModel implements TrainModel {
  readonly modelConfig: Record<string, unknown>;
  readonly numParams: number;

  private constructor(
    private readonly cfg: ModelConfig,
    private readonly handles: WorkerHandle[],
    private readonly ranges: [number, number][],
    private rng: Rng,
  ) {
    this.modelConfig = { ...cfg };
    this.numParams = countParams(cfg);
  }

  /** Starts the workers and initialises identical models on each. */
  static async create(
    cfg: ModelConfig,
    optim: OptimConfig,
    opts: ParallelOptions,
  ): Promise<ParallelTrainModel> {
    const batch = cfg.batch_size;
    if (opts.workers < 1 || opts.workers > batch) {
      throw new Error(`workers must be in 1..global_batch_size (${batch}), got ${opts.workers}`);
    }
    const ranges = splitRows(batch, opts.workers);
    const size = paramSpecs(cfg).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
    const slots = ranges.map(() => new SharedArrayBuffer(size * 4));
    const params = new SharedArrayBuffer(size * 4);
    const handles = ranges.map(() => new WorkerHandle());
    try {
      await Promise.all(handles.map((h, w) =>
        h.request({
          type: "init",
          config: cfg,
          optim,
          seed: opts.initSeed,
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
    return new ParallelTrainModel(cfg, handles, ranges, new Rng(opts.explorationSeed));
  }

  /** Number of workers. */
  get workers(): number {
    return this.handles.length;
  }

  async trainStep(batch: Batch, lr: number, puzzleEmbLr: number): Promise<StepResult> {
    const started = performance.now();
    const total = batch.batchSize;
    const c = this.cfg;
    const rngBefore = this.rng.state();
    // min_halt draws in the one-process order: per row one uniform, one integer.
    const explore = c.halt_max_steps > 1 && c.halt_exploration_prob > 0;
    const uniforms = new Float64Array(explore ? total : 0);
    const ints = new Int32Array(explore ? total : 0);
    for (let r = 0; r < uniforms.length; r++) {
      uniforms[r] = this.rng.uniform();
      ints[r] = this.rng.int(c.halt_max_steps - 1);
    }
    const grads = await Promise.all(this.handles.map((h, w) => {
      const [s, e] = this.ranges[w];
      const { inputs, labels, puzzleIdentifiers } = sliceBatch(batch, s, e);
      return h.request({
        type: "step",
        batch: { inputs, labels, puzzleIdentifiers },
        uniforms: uniforms.length ? uniforms.slice(s, e) : uniforms,
        ints: ints.length ? ints.slice(s, e) : ints,
        lr,
        puzzleEmbLr,
        guard: true,
      }, "grads");
    }));
    const combineStart = performance.now();
    const proceed = grads.every((g) => Number.isFinite(g.loss));
    const weights = this.ranges.map(([s, e]) => Math.fround((e - s) / total));
    let puzzleIds: Int32Array | undefined;
    let puzzleGrad: Float32Array | undefined;
    if (proceed && grads[0].puzzleGrad && grads[0].puzzleIds) {
      puzzleIds = concat(grads.map((g) => g.puzzleIds!));
      // Same 1/B scale as a one-process run (only the sign is used, but keep it exact).
      puzzleGrad = concat(grads.map((g, w) => {
        const scale = (this.ranges[w][1] - this.ranges[w][0]) / total;
        return g.puzzleGrad!.map((v) => v * scale);
      }));
    }
    const combine = performance.now() - combineStart;
    const stepped = await Promise.all(this.handles.map((h) => {
      const done = h.next("stepped");
      h.worker.postMessage(
        { type: "apply", proceed, weights, puzzleIds, puzzleGrad } satisfies WorkerRequest,
      );
      return done;
    }));
    if (!proceed) this.rng = Rng.fromState(rngBefore);
    return {
      loss: stepped.reduce((s, r) => s + r.loss, 0),
      metrics: metricsOf(sumMetrics(stepped.map((r) => r.metrics))),
      finite: proceed,
      timings: {
        segment: Math.max(...grads.map((r) => r.segmentMs)),
        read: Math.max(...grads.map((r) => r.readMs)),
        combine,
        apply: Math.max(...stepped.map((a) => a.applyMs)),
        total: performance.now() - started,
      },
    };
  }

  /**
   * Evaluates a batch (full halt_max_steps unroll), its rows split between
   * the workers.
   */
  async evalBatch(batch: Batch, saveOutputs: readonly string[]): Promise<EvalBatchResult> {
    const want = new Set(saveOutputs);
    const ranges = splitRows(batch.batchSize, this.handles.length).filter(([s, e]) => e > s);
    const replies = await Promise.all(ranges.map(([s, e], w) => {
      const { inputs, labels, puzzleIdentifiers } = sliceBatch(batch, s, e);
      return this.handles[w].request({
        type: "eval",
        batch: { inputs, labels, puzzleIdentifiers },
        logits: want.has("logits"),
        qContinue: want.has("q_continue_logits"),
      }, "eval");
    }));
    const r = {
      preds: concat(replies.map((x) => x.preds)),
      qHalt: concat(replies.map((x) => x.qHalt)),
      logits: want.has("logits") ? concat(replies.map((x) => x.logits!)) : undefined,
    };
    const qContinue = want.has("q_continue_logits")
      ? concat(replies.map((x) => x.qContinue!))
      : undefined;
    return {
      metrics: metricsOf(sumMetrics(replies.map((x) => x.metrics))),
      outputs: evalOutputs(batch, r, qContinue, this.cfg.vocab_size, saveOutputs),
    };
  }

  async exportState(): Promise<ExportedState> {
    const parts = await Promise.all(
      this.handles.map((h) => h.request({ type: "export" }, "exported")),
    );
    const moments = new Map<string, HostTensor>();
    for (const p of parts) for (const [k, t] of p.moments) moments.set(k, t);
    const step = parts[0].step;
    return {
      tensors: composeState(
        parts[0].weights!,
        { step, tensors: moments },
        concatCarryHost(
          parts.map((p) => p.carry),
        ),
        parts[0].ema,
      ),
      state: { adam_step: step, rng: this.rng.state() },
    };
  }

  async importState(s: ExportedState, where: string): Promise<void> {
    const { weights, adam, carry, ema } = splitState(s.tensors);
    const step = s.state.adam_step;
    if (typeof step !== "number") throw new Error(`${where}: metadata lacks the optimizer step`);
    const B = this.cfg.batch_size;
    const steps = carry.get("steps");
    if (!steps) throw new Error(`${where}: missing 'carry.steps'`);
    if (steps.shape[0] !== B) {
      throw new Error(
        `${where}: the carry holds ${steps.shape[0]} rows but global_batch_size is ${B}`,
      );
    }
    await Promise.all(this.handles.map((h, w) =>
      h.request({
        type: "import",
        where,
        weights,
        moments: adam,
        step,
        carry: sliceCarryHost(carry, this.ranges[w][0], this.ranges[w][1], B),
        ema,
      }, "imported")
    ));
    this.rng = Rng.fromState(s.state.rng as RngState);
  }

  async loadWeights(tensors: Map<string, HostTensor>, where: string): Promise<void> {
    await Promise.all(
      this.handles.map((h) => h.request({ type: "import", where, weights: tensors }, "imported")),
    );
  }

  async memory(): Promise<{ tfBytes: number; heapBytes: number }> {
    const m = await Promise.all(this.handles.map((h) => h.request({ type: "memory" }, "memory")));
    return {
      tfBytes: m.reduce((s, x) => s + x.tfBytes, 0),
      heapBytes: m.reduce((s, x) => s + x.heapBytes, 0),
    };
  }

  async dispose(): Promise<void> {
    // A worker still busy (a failed step) is simply stopped.
    await Promise.allSettled(
      this.handles.map((h) => Promise.resolve().then(() => h.request({ type: "close" }, "closed"))),
    );
    for (const h of this.handles) h.worker.terminate();
  }
}
