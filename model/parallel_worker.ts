/**
 * One data-parallel worker: its own TensorFlow.js instance (tfjs' wasm threads
 * do not run under Deno, but one tfjs per Deno Worker does), its own copy of
 * the model and optimizer state, and the ACT carry of its rows of the batch.
 * Driven by `parallel.ts`; every message is answered by one reply.
 * @module
 */
/// <reference lib="deno.worker" />
import * as tf from "@tensorflow/tfjs";
import { type Batch, type Carry, disposeCarry, initialCarry, segment } from "./act.ts";
import { type BackendName, useBackend } from "./backend.ts";
import { parseModelConfig, parseOptimConfig } from "./config.ts";
import { signSgdUpdate } from "./optim.ts";
import type { Rng } from "./rng.ts";
import { disposeState, initModel, type ModelState } from "./state.ts";
import { createTrainer, disposeTrainer, evaluateBatch, type Trainer } from "./step.ts";
import type { WorkerReply, WorkerRequest } from "./parallel_protocol.ts";

let trainer: Trainer | undefined;
let model: ModelState | undefined;
let carry: Carry | undefined;
let slots: Float32Array[] = [];
let own: Float32Array | undefined;

/** Copies a tensor's values to `dst` (straight from the wasm heap when on wasm). */
function readInto(t: tf.Tensor, dst: Float32Array): void {
  const b = tf.backend() as unknown as {
    wasm?: { HEAPF32: Float32Array };
    dataIdMap?: { get(id: object): { memoryOffset: number } };
  };
  if (b.wasm && b.dataIdMap) {
    const start = b.dataIdMap.get(t.dataId).memoryOffset / 4;
    dst.set(b.wasm.HEAPF32.subarray(start, start + t.size));
  } else {
    dst.set(t.dataSync() as Float32Array);
  }
}

/**
 * Replays min_halt draws made by the coordinator in the single-worker order
 * (per row: one uniform, one integer), so halting matches a one-worker run.
 */
function replayRng(uniforms: Float64Array, ints: Int32Array): Rng {
  let u = 0;
  let i = 0;
  return {
    uniform: () => uniforms[u++],
    int: () => ints[i++],
  } as unknown as Rng;
}

async function handle(
  msg: WorkerRequest,
): Promise<{ reply: WorkerReply; transfer: Transferable[] }> {
  switch (msg.type) {
    case "init": {
      const config = parseModelConfig(msg.config);
      model = initModel(config, msg.seed);
      trainer = createTrainer(model, parseOptimConfig(msg.optim), msg.seed);
      carry = initialCarry(model, msg.rows);
      slots = msg.slots.map((sab) => new Float32Array(sab));
      own = slots[msg.index];
      return { reply: { type: "ready", backend: tf.getBackend() }, transfer: [] };
    }
    case "grads": {
      if (!trainer || !model || !carry) throw new Error("worker not initialised");
      const t0 = performance.now();
      const seg = await segment(model, carry, msg.batch, {
        training: true,
        rng: replayRng(msg.uniforms, msg.ints),
      });
      carry = seg.carry;
      const t1 = performance.now();
      let offset = 0;
      for (const [k, p] of model.params) {
        const g = seg.grads!.get(k)!;
        readInto(g, own!.subarray(offset, offset + p.size));
        offset += p.size;
      }
      for (const g of seg.grads!.values()) g.dispose();
      return {
        reply: {
          type: "grads",
          puzzleGrad: seg.puzzleGrad,
          puzzleIds: seg.puzzleIds,
          loss: seg.loss,
          metrics: seg.metrics,
          halted: seg.carry.halted,
          segmentMs: t1 - t0,
          readMs: performance.now() - t1,
        },
        transfer: [],
      };
    }
    case "apply": {
      if (!trainer || !model) throw new Error("worker not initialised");
      const t0 = performance.now();
      const grads = new Map<string, tf.Tensor>();
      try {
        // Every worker combines the same slots in the same order: identical updates.
        let offset = 0;
        for (const [k, p] of model.params) {
          const out = new Float32Array(p.size);
          msg.weights.forEach((w, i) => {
            const g = slots[i].subarray(offset, offset + p.size);
            for (let j = 0; j < out.length; j++) out[j] += w * g[j];
          });
          grads.set(k, tf.tensor(out, p.shape));
          offset += p.size;
        }
        trainer.adam.apply(model.params, grads, msg.lr);
      } finally {
        for (const g of grads.values()) g.dispose();
      }
      if (model.puzzleEmb && msg.puzzleIds && msg.puzzleGrad) {
        signSgdUpdate(
          model.puzzleEmb,
          model.config.puzzle_emb_ndim,
          msg.puzzleIds,
          msg.puzzleGrad,
          msg.puzzleEmbLr,
          trainer.optim.puzzle_emb_weight_decay,
        );
      }
      return { reply: { type: "applied", applyMs: performance.now() - t0 }, transfer: [] };
    }
    case "eval": {
      if (!model) throw new Error("worker not initialised");
      const r = await evaluateBatch(model, msg.batch as Batch);
      return {
        reply: {
          type: "eval",
          preds: r.preds,
          qHalt: r.qHalt,
          metrics: r.metrics,
          segments: r.segments,
        },
        transfer: [r.preds.buffer as ArrayBuffer, r.qHalt.buffer as ArrayBuffer],
      };
    }
    case "params": {
      if (!model) throw new Error("worker not initialised");
      const params: Record<string, Float32Array> = {};
      for (const [k, p] of model.params) params[k] = p.dataSync() as Float32Array;
      return {
        reply: { type: "params", params, puzzleEmb: model.puzzleEmb?.slice() ?? null },
        transfer: [],
      };
    }
    case "memory": {
      const heap = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm;
      return {
        reply: {
          type: "memory",
          tfBytes: tf.memory().numBytes,
          heapBytes: heap ? heap.HEAPU8.length : 0,
        },
        transfer: [],
      };
    }
    case "close": {
      if (carry) disposeCarry(carry);
      if (trainer) disposeTrainer(trainer);
      if (model) disposeState(model);
      carry = undefined;
      trainer = undefined;
      model = undefined;
      return { reply: { type: "closed" }, transfer: [] };
    }
  }
}

let backendReady: Promise<unknown> | undefined;

self.onmessage = async (e: MessageEvent<WorkerRequest>) => {
  try {
    if (e.data.type === "init") {
      backendReady ??= useBackend(e.data.backend as BackendName);
      await backendReady;
    }
    const { reply, transfer } = await handle(e.data);
    self.postMessage(reply, transfer);
  } catch (err) {
    self.postMessage({ type: "error", message: err instanceof Error ? err.message : String(err) });
  }
};
