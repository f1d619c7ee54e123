/**
 * One data-parallel worker: its own TensorFlow.js instance (tfjs' wasm threads
 * do not run under Deno, but one tfjs per Deno Worker does), its own copy of
 * the model, the optimizer state of its parameter shard, and the ACT carry of
 * its rows of the batch.
 * Driven by `parallel.ts`; every message is answered by one reply.
 * @module
 */
/// <reference lib="deno.worker" />
import * as tf from "@tensorflow/tfjs";
import { type Batch, type Carry, disposeCarry, initialCarry, segment } from "../../model/act.ts";
import { type BackendName, useBackend } from "../../backends/select.ts";
import { parseModelConfig, parseOptimConfig } from "../../model/config.ts";
import { type AdamATan2Options, signSgdUpdate } from "../../model/optim.ts";
import type { Rng } from "../../util/rng.ts";
import { disposeState, initModel, type ModelState } from "../../model/state.ts";
import { evaluateBatch } from "../../model/step.ts";
import { shardParams, type WorkerReply, type WorkerRequest } from "./protocol.ts";
import type { WasmHeap } from "../../backends/wasm/simd.ts";
import { HeapAdamATan2, HostAdamATan2 } from "./shard_adam.ts";

let model: ModelState | undefined;
/**
 * AdamATan2 over this worker's shard only, in one fused pass: the shard's
 * values live in the shared parameter buffer, its moments on the wasm heap
 * (`HeapAdamATan2`, SIMD) or, off wasm, in host arrays (`HostAdamATan2`, the
 * same arithmetic bit for bit).
 */
let adam: {
  shard: HeapAdamATan2 | HostAdamATan2;
  options: AdamATan2Options;
  step: number;
} | undefined;
/** The combined gradient of one parameter of the shard (sized for the largest, reused). */
let combined = new Float32Array(0);
/** Where each parameter of this worker's shard starts in the moments (by key). */
let momentOffsets = new Map<string, number>();
let embWeightDecay = 0;
let carry: Carry | undefined;
let slots: Float32Array[] = [];
let own: Float32Array | undefined;
let shared: Float32Array | undefined;
/** Per parameter (model.params order): key, offset in the slots, owner worker. */
let layout: { key: string; offset: number; size: number; owner: number }[] = [];
let index = 0;
/** True after an update until the other workers' shards are loaded. */
let stale = false;

/** Loads the shards other workers updated (published in the shared parameter buffer). */
function syncParams(): void {
  if (!stale || !model) return;
  for (const l of layout) {
    if (l.owner === index) continue;
    const p = model.params.get(l.key)!;
    const t = tf.tensor(shared!.subarray(l.offset, l.offset + l.size), p.shape);
    p.assign(t);
    t.dispose();
  }
  stale = false;
}

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
      const optim = parseOptimConfig(msg.optim);
      model = initModel(config, msg.seed);
      carry = initialCarry(model, msg.rows);
      slots = msg.slots.map((sab) => new Float32Array(sab));
      own = slots[msg.index];
      shared = new Float32Array(msg.params);
      index = msg.index;
      const entries = [...model.params];
      const owners = shardParams(entries.map(([, p]) => p.size), msg.slots.length);
      let offset = 0;
      layout = entries.map(([key, p], i) => {
        const l = { key, offset, size: p.size, owner: owners[i] };
        offset += p.size;
        return l;
      });
      let shardSize = 0, largest = 0;
      momentOffsets = new Map();
      for (const l of layout) {
        if (l.owner !== index) continue;
        momentOffsets.set(l.key, shardSize);
        shardSize += l.size;
        largest = Math.max(largest, l.size);
      }
      combined = new Float32Array(largest);
      const heap = (tf.backend() as unknown as { wasm?: WasmHeap & { HEAPF32: Float32Array } })
        .wasm;
      adam = {
        shard: heap ? new HeapAdamATan2(heap, shardSize) : new HostAdamATan2(shardSize),
        options: { beta1: optim.beta1, beta2: optim.beta2, weightDecay: optim.weight_decay },
        step: 0,
      };
      // Publish this worker's shard (every copy starts with the same weights).
      for (const l of layout) {
        if (l.owner === index) {
          readInto(model.params.get(l.key)!, shared.subarray(l.offset, l.offset + l.size));
        }
      }
      embWeightDecay = optim.puzzle_emb_weight_decay;
      return { reply: { type: "ready", backend: tf.getBackend() }, transfer: [] };
    }
    case "grads": {
      if (!adam || !model || !carry) throw new Error("worker not initialised");
      syncParams();
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
      if (!adam || !model) throw new Error("worker not initialised");
      const t0 = performance.now();
      adam.step++;
      // Every worker would combine the same slots in the same order; each does its shard.
      for (const l of layout) {
        if (l.owner !== index) continue;
        const out = combined.subarray(0, l.size);
        out.fill(0);
        msg.weights.forEach((w, i) => {
          const s = slots[i].subarray(l.offset, l.offset + l.size);
          for (let j = 0; j < out.length; j++) out[j] += w * s[j];
        });
        const values = shared!.subarray(l.offset, l.offset + l.size);
        adam.shard.update(momentOffsets.get(l.key)!, values, out, adam.step, msg.lr, adam.options);
        const p = model.params.get(l.key)!;
        const t = tf.tensor(values, p.shape);
        p.assign(t);
        t.dispose();
      }
      stale = true;
      if (model.puzzleEmb && msg.puzzleIds && msg.puzzleGrad) {
        signSgdUpdate(
          model.puzzleEmb,
          model.config.puzzle_emb_ndim,
          msg.puzzleIds,
          msg.puzzleGrad,
          msg.puzzleEmbLr,
          embWeightDecay,
        );
      }
      return { reply: { type: "applied", applyMs: performance.now() - t0 }, transfer: [] };
    }
    case "eval": {
      if (!model) throw new Error("worker not initialised");
      syncParams();
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
      syncParams();
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
      if (model) disposeState(model);
      adam?.shard.dispose();
      carry = undefined;
      adam = undefined;
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
