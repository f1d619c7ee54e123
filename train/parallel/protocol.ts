/**
 * Messages between the data-parallel coordinator (`parallel.ts`) and its
 * workers (`parallel_worker.ts`). Typed arrays travel by structured clone or
 * transfer; nothing here holds tensors.
 * @module
 */
import type { Batch } from "../../model/act.ts";
import type { ModelConfigInput, OptimConfigInput } from "../../model/config.ts";
import type { Metrics } from "../../model/loss.ts";

/** Coordinator -> worker. */
export type WorkerRequest =
  | {
    type: "init";
    config: ModelConfigInput;
    optim: OptimConfigInput;
    seed: number;
    backend: string;
    /** Rows of the batch this worker trains on. */
    rows: number;
    /** This worker's index, and every worker's gradient slot (all parameters, in
     * `model.params` order): gradients are exchanged through shared memory. */
    index: number;
    slots: SharedArrayBuffer[];
    /** All parameters (same layout): each worker publishes its updated shard here. */
    params: SharedArrayBuffer;
  }
  | {
    /** One training segment on the worker's rows; gradients go to the worker's slot. */
    type: "grads";
    batch: Batch;
    /** min_halt draws for these rows, in single-worker order (unused when p = 0). */
    uniforms: Float64Array;
    ints: Int32Array;
  }
  | {
    /** Combine the slots (sum_w weights[w] * slot_w) for this worker's parameter
     * shard, apply AdamATan2 to it and publish it; SignSGD on the puzzle rows. The
     * other shards are loaded before the parameters are next used. */
    type: "apply";
    weights: number[];
    puzzleIds?: Int32Array;
    puzzleGrad?: Float32Array;
    lr: number;
    puzzleEmbLr: number;
  }
  | { type: "eval"; batch: Batch }
  | { type: "params" }
  | { type: "memory" }
  | { type: "close" };

/** Worker -> coordinator. */
export type WorkerReply =
  | { type: "ready"; backend: string }
  | {
    type: "grads";
    puzzleGrad?: Float32Array;
    puzzleIds?: Int32Array;
    loss: number;
    metrics: Metrics;
    halted: Uint8Array;
    /** Time of the segment (forward, Q target, backward) and of reading the gradients. */
    segmentMs: number;
    readMs: number;
  }
  | { type: "applied"; applyMs: number }
  | { type: "eval"; preds: Int32Array; qHalt: Float32Array; metrics: Metrics; segments: number }
  | { type: "params"; params: Record<string, Float32Array>; puzzleEmb: Float32Array | null }
  | { type: "memory"; tfBytes: number; heapBytes: number }
  | { type: "closed" }
  | { type: "error"; message: string };

/**
 * Which worker updates each parameter (AdamATan2 state lives only there):
 * greedy by size, in order, onto the least-loaded worker. Deterministic, so
 * every worker computes the same assignment.
 */
export function shardParams(sizes: number[], workers: number): number[] {
  const load = new Array<number>(workers).fill(0);
  return sizes.map((n) => {
    let w = 0;
    for (let i = 1; i < workers; i++) if (load[i] < load[w]) w = i;
    load[w] += n;
    return w;
  });
}
