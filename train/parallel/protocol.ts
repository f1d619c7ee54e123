/**
 * Messages between the data-parallel model (`parallel_model.ts`) and its
 * workers (`worker.ts`). Typed arrays and Maps travel by structured clone;
 * nothing here holds tensors. Every request gets one reply, except `apply`,
 * which completes the `step` in flight (its reply is `stepped`).
 * @module
 */
import type { HostTensor } from "../../io/mod.ts";
import type { BatchRows, Metrics, ModelConfig, OptimConfig } from "../../model/mod.ts";

/** Coordinator -> worker. */
export type WorkerRequest =
  | {
    type: "init";
    config: ModelConfig;
    optim: OptimConfig;
    /** Weight init seed (every worker builds the same weights). */
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
    /** One `trainStep` on the worker's rows; its gradients go to the worker's slot
     * and the worker replies `grads`, then waits for `apply`. */
    type: "step";
    batch: BatchRows;
    /** min_halt draws for these rows, in single-process order (unused when p = 0). */
    uniforms: Float64Array;
    ints: Int32Array;
    lr: number;
    puzzleEmbLr: number;
    guard: boolean;
  }
  | {
    /** Completes the step: when `proceed`, combine the slots (sum_w weights[w] *
     * slot_w) for this worker's parameter shard, apply AdamATan2 to it and publish
     * it, and SignSGD the puzzle rows; otherwise undo the step. */
    type: "apply";
    proceed: boolean;
    weights: number[];
    puzzleIds?: Int32Array;
    puzzleGrad?: Float32Array;
  }
  | { type: "eval"; batch: BatchRows; logits: boolean; qContinue: boolean }
  | { type: "export" }
  | {
    type: "import";
    /** Names the checkpoint in errors. */
    where: string;
    /** Reference state dict (every worker loads all of it). */
    weights: Map<string, HostTensor>;
    /** Moments `m.<key>`/`v.<key>` of every parameter (the worker keeps its shard's). */
    moments?: Map<string, HostTensor>;
    step?: number;
    /** This worker's rows of the carry. */
    carry?: Map<string, HostTensor>;
    /** The EMA shadow (`ema.<key>`, every worker keeps all of it), when training with EMA. */
    ema?: Map<string, HostTensor>;
  }
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
    /** Time of the segment (forward, Q target, backward) and of reading the gradients. */
    segmentMs: number;
    readMs: number;
  }
  | {
    type: "stepped";
    applied: boolean;
    loss: number;
    metrics: Metrics;
    applyMs: number;
  }
  | {
    type: "eval";
    preds: Int32Array;
    qHalt: Float32Array;
    logits?: Float32Array;
    qContinue?: Float32Array;
    metrics: Metrics;
    segments: number;
  }
  | {
    type: "exported";
    /** Worker 0 only: the reference state dict. */
    weights?: Map<string, HostTensor>;
    /** This worker's shard of the moments, and the step count. */
    moments: Map<string, HostTensor>;
    step: number;
    carry: Map<string, HostTensor>;
    /** Worker 0 only, with EMA: the shadow (`ema.<key>`). */
    ema?: Map<string, HostTensor>;
  }
  | { type: "imported" }
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
