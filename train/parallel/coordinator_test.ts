/**
 * Two-worker data-parallel training must match the one-worker path (same
 * losses, halting, and weights after several updates, up to float rounding).
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { type Batch, disposeCarry, initialCarry } from "../../model/act.ts";
import { useBackend } from "../../backends/select.ts";
import { type ModelConfigInput, parseModelConfig, parseOptimConfig } from "../../model/config.ts";
import { DataParallelTrainer, sliceBatch, splitRows } from "./coordinator.ts";
import { shardParams } from "./protocol.ts";
import { Rng } from "../../util/rng.ts";
import { disposeState, initModel } from "../../model/state.ts";
import { createTrainer, disposeTrainer, evaluateBatch, trainStep } from "../../model/step.ts";

const CONFIG: ModelConfigInput = {
  batch_size: 4,
  seq_len: 6,
  vocab_size: 5,
  num_puzzle_identifiers: 3,
  puzzle_emb_ndim: 16,
  hidden_size: 16,
  num_heads: 2,
  expansion: 2,
  H_layers: 1,
  L_layers: 1,
  H_cycles: 2,
  L_cycles: 2,
  halt_max_steps: 3,
  // Exploration on, so the coordinator's replayed draws are exercised.
  halt_exploration_prob: 0.5,
  pos_encodings: "rope",
};
const OPTIM = { lr: 1e-2, weight_decay: 0.1, puzzle_emb_lr: 1e-2, lr_warmup_steps: 0 };
const ROWS = 4;
const STEPS = 4;

function batches(): Batch[] {
  const rng = new Rng(7);
  const c = parseModelConfig(CONFIG);
  return Array.from({ length: STEPS }, () => ({
    inputs: Int32Array.from({ length: ROWS * c.seq_len }, () => 1 + rng.int(c.vocab_size - 1)),
    labels: Int32Array.from({ length: ROWS * c.seq_len }, () => 1 + rng.int(c.vocab_size - 1)),
    puzzleIdentifiers: Int32Array.from({ length: ROWS }, () => rng.int(c.num_puzzle_identifiers)),
  }));
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return s === 0 ? d : d / s;
}

Deno.test("splitRows and sliceBatch cover the batch in order", () => {
  assert.deepEqual(splitRows(5, 2), [[0, 2], [2, 5]]);
  const b: Batch = {
    inputs: Int32Array.from([1, 2, 3, 4, 5, 6]),
    labels: Int32Array.from([7, 8, 9, 10, 11, 12]),
    puzzleIdentifiers: Int32Array.from([0, 1, 2]),
  };
  assert.deepEqual(sliceBatch(b, 1, 3), {
    inputs: Int32Array.from([3, 4, 5, 6]),
    labels: Int32Array.from([9, 10, 11, 12]),
    puzzleIdentifiers: Int32Array.from([1, 2]),
  });
});

Deno.test("shardParams balances parameter sizes greedily, deterministically", () => {
  assert.deepEqual(shardParams([10, 4, 4, 3, 1], 2), [0, 1, 1, 1, 0]);
  assert.deepEqual(shardParams([5, 5, 5], 1), [0, 0, 0]);
  assert.deepEqual(shardParams([1, 1, 1, 1], 3), [0, 1, 2, 0]);
});

Deno.test({
  name: "two-worker training and evaluation equal the one-worker path [wasm]",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const data = batches();
    const lrs = { lr: OPTIM.lr, puzzleEmbLr: OPTIM.puzzle_emb_lr };

    // One worker: the ordinary in-process path.
    await useBackend("wasm");
    const model = initModel(parseModelConfig(CONFIG), 3);
    const trainer = createTrainer(model, parseOptimConfig(OPTIM), 3);
    let carry = initialCarry(model, ROWS);
    const single: { loss: number; halted: Uint8Array }[] = [];
    for (const b of data) {
      const r = await trainStep(trainer, carry, b, lrs);
      carry = r.carry;
      single.push({ loss: r.loss, halted: r.carry.halted.slice() });
    }
    const evalSingle = await evaluateBatch(model, data[0]);
    const params = new Map([...model.params].map(([k, p]) => [k, p.dataSync() as Float32Array]));
    const emb = model.puzzleEmb!.slice();
    disposeCarry(carry);
    disposeTrainer(trainer);
    disposeState(model);

    // Two workers.
    const dp = await DataParallelTrainer.create({
      config: CONFIG,
      optim: OPTIM,
      seed: 3,
      batch: ROWS,
      workers: 2,
      backend: "wasm",
    });
    try {
      for (let i = 0; i < STEPS; i++) {
        const r = await dp.trainStep(data[i], lrs);
        assert.deepEqual(r.halted, single[i].halted, `halted at step ${i + 1}`);
        assert.ok(
          Math.abs(r.loss - single[i].loss) <= 1e-4 * Math.abs(single[i].loss),
          `loss at step ${i + 1}: ${r.loss} vs ${single[i].loss}`,
        );
      }
      const got = await dp.parameters();
      for (const [k, p] of params) {
        assert.ok(maxRelDiff(got.params.get(k)!, p) <= 1e-4, `parameter ${k}`);
      }
      assert.ok(maxRelDiff(got.puzzleEmb!, emb) <= 1e-4, "puzzle embedding");
      const ev = await dp.evaluate(data[0]);
      assert.equal(ev.segments, evalSingle.segments);
      assert.deepEqual(ev.preds, evalSingle.preds);
      assert.ok(maxRelDiff(ev.qHalt, evalSingle.qHalt) <= 1e-3, "eval q_halt");
      assert.equal(ev.metrics.count, evalSingle.metrics.count);
    } finally {
      await dp.close();
    }
    assert.equal(tf.memory().numTensors >= 0, true);
  },
});
