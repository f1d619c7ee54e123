/**
 * Evaluation as the reference's `evaluate()`: the test split in order, one
 * fresh carry per batch, every row run for all `halt_max_steps` segments; the
 * metrics of the final segment are summed per set and divided by the count of
 * real rows (pad rows carry no labels and so never count). Optionally keeps
 * per-example outputs, pad rows dropped.
 * @module
 */
import type { HostTensor } from "../io/mod.ts";
import type { Batch } from "../model/mod.ts";
import type { PuzzleSplit } from "../tasks/mod.ts";
import type { SumMetrics, TrainModel } from "./model_adapter.ts";
import { countEvalBatches, evalBatches } from "./sampler.ts";
import { chunkBatch, evalChunking } from "./eval_chunks.ts";

/**
 * Per-set averages of the same fields as {@link SumMetrics} (losses too are
 * divided by the count, as the reference does); no q_continue_loss.
 */
export type SetMetrics = Omit<SumMetrics, "q_continue_loss">;

/** What one evaluation pass produces. */
export interface EvalPass {
  /** Set name -> averaged metrics. */
  sets: Record<string, SetMetrics>;
  /** Requested outputs, concatenated over real rows in test-split order, per set. */
  outputs: Map<string, Map<string, HostTensor>>;
  seconds: number;
}

const AVERAGED = [
  "accuracy",
  "exact_accuracy",
  "q_halt_accuracy",
  "steps",
  "lm_loss",
  "q_halt_loss",
] as const;

/** Runs the model over every batch of `split`; `onBatch(done, total)` reports progress. */
export async function evaluateSplit(
  model: TrainModel,
  split: PuzzleSplit,
  globalBatchSize: number,
  options: {
    saveOutputs?: readonly string[];
    onBatch?: (done: number, total: number) => void;
    /** Rows per model call (default: what WebGPU's per-tensor limit allows; train/eval_chunks.ts). */
    maxRows?: number;
  } = {},
): Promise<EvalPass> {
  const t0 = performance.now();
  const save = options.saveOutputs ?? [];
  const sums = new Map<string, SumMetrics>();
  const parts = new Map<string, Map<string, HostTensor[]>>();
  const total = countEvalBatches(split, globalBatchSize);
  let done = 0;
  const chunking = options.maxRows === undefined
    ? evalChunking(model.modelConfig, model.workers)
    : undefined;
  if (chunking) console.error(chunking.line);
  const maxRows = options.maxRows ?? chunking?.rows ?? Infinity;
  for (const whole of evalBatches(split, globalBatchSize)) {
    for (const batch of maxRows < whole.batchSize ? chunkBatch(whole, maxRows) : [whole]) {
      await evalChunk(batch);
    }
    options.onBatch?.(++done, total);
  }
  async function evalChunk(batch: Batch): Promise<void> {
    const { metrics, outputs } = await model.evalBatch(batch, save);
    const acc = sums.get(batch.setName);
    if (!acc) sums.set(batch.setName, { ...metrics });
    else {
      acc.count += metrics.count;
      for (const k of AVERAGED) acc[k] += metrics[k];
    }
    if (save.length) {
      const perSet = parts.get(batch.setName) ?? new Map<string, HostTensor[]>();
      parts.set(batch.setName, perSet);
      for (const [k, t] of outputs) {
        const list = perSet.get(k) ?? [];
        list.push(firstRows(t, batch.effective));
        perSet.set(k, list);
      }
    }
  }
  const sets: Record<string, SetMetrics> = {};
  for (const name of split.metadata.sets) {
    const s = sums.get(name);
    if (!s) continue;
    const div = s.count > 0 ? s.count : 1;
    sets[name] = {
      count: s.count,
      accuracy: s.accuracy / div,
      exact_accuracy: s.exact_accuracy / div,
      q_halt_accuracy: s.q_halt_accuracy / div,
      steps: s.steps / div,
      lm_loss: s.lm_loss / div,
      q_halt_loss: s.q_halt_loss / div,
    };
  }
  const outputs = new Map<string, Map<string, HostTensor>>();
  for (const [set, byKey] of parts) {
    outputs.set(set, new Map([...byKey].map(([k, list]) => [k, concatRows(list)])));
  }
  return { sets, outputs, seconds: (performance.now() - t0) / 1000 };
}

/** The first `rows` rows of a tensor (dimension 0). */
export function firstRows(t: HostTensor, rows: number): HostTensor {
  if (t.shape[0] === rows) return t;
  const per = t.data.length / t.shape[0];
  return { dtype: t.dtype, shape: [rows, ...t.shape.slice(1)], data: t.data.slice(0, rows * per) };
}

/** Concatenates tensors along dimension 0. */
export function concatRows(list: HostTensor[]): HostTensor {
  const first = list[0];
  const rows = list.reduce((n, t) => n + t.shape[0], 0);
  const len = list.reduce((n, t) => n + t.data.length, 0);
  const Ctor = first.data.constructor as new (n: number) => HostTensor["data"];
  const data = new Ctor(len);
  let off = 0;
  for (const t of list) {
    (data as unknown as { set(a: ArrayLike<unknown>, o: number): void }).set(t.data, off);
    off += t.data.length;
  }
  return { dtype: first.dtype, shape: [rows, ...first.shape.slice(1)], data };
}
