/**
 * `workers=2` is the same trainer as `workers=1`: the same losses, metrics,
 * halting, weights, optimizer moments and carry after several steps (up to
 * float rounding), the same evaluation, and checkpoints that either one
 * resumes.
 */
import assert from "node:assert/strict";
import type { HostTensor } from "../../io/dtypes.ts";
import { useBackend } from "../../backends/select.ts";
import { type Batch, batchOf, sliceBatch } from "../../model/batch.ts";
import { type ModelConfigInput, parseModelConfig, parseOptimConfig } from "../../model/config.ts";
import { Rng } from "../../util/rng.ts";
import { trainModelFor } from "../create_model.ts";
import type { TrainModel } from "../model_adapter.ts";
import { splitRows } from "./parallel_model.ts";
import { shardParams } from "./protocol.ts";

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
const OUTPUTS = ["preds", "q_halt_logits", "logits", "q_continue_logits", "puzzle_identifiers"];

function batches(n: number): Batch[] {
  const rng = new Rng(7);
  const c = parseModelConfig(CONFIG);
  return Array.from({ length: n }, () =>
    batchOf({
      inputs: Int32Array.from({ length: ROWS * c.seq_len }, () => 1 + rng.int(c.vocab_size - 1)),
      labels: Int32Array.from({ length: ROWS * c.seq_len }, () => 1 + rng.int(c.vocab_size - 1)),
      puzzleIdentifiers: Int32Array.from({ length: ROWS }, () => rng.int(c.num_puzzle_identifiers)),
    }));
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return s === 0 ? d : d / s;
}

/** Same keys; float tensors within `tol` of scale (bit for bit at 0, NaN equal to NaN), the rest exact. */
function assertSameState(a: Map<string, HostTensor>, b: Map<string, HostTensor>, tol: number) {
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
  for (const [k, t] of a) {
    const u = b.get(k)!;
    assert.deepEqual(t.shape, u.shape, k);
    if (t.dtype === "f32" && tol > 0) {
      assert.ok(maxRelDiff(t.data as Float32Array, u.data as Float32Array) <= tol, k);
    } else assert.deepEqual(t.data, u.data, k);
  }
}

function make(workers: number): Promise<TrainModel> {
  return trainModelFor(parseModelConfig(CONFIG), parseOptimConfig(OPTIM), {
    seed: 3,
    workers,
    backend: "wasm",
  });
}

Deno.test("splitRows and sliceBatch cover the batch in order", () => {
  assert.deepEqual(splitRows(5, 2), [[0, 2], [2, 5]]);
  const b = batchOf({
    inputs: Int32Array.from([1, 2, 3, 4, 5, 6]),
    labels: Int32Array.from([7, 8, 9, 10, 11, 12]),
    puzzleIdentifiers: Int32Array.from([0, 1, 2]),
  }, { effective: 2, setName: "s" });
  const s = sliceBatch(b, 1, 3);
  assert.deepEqual(s.inputs, Int32Array.from([3, 4, 5, 6]));
  assert.deepEqual(s.labels, Int32Array.from([9, 10, 11, 12]));
  assert.deepEqual(s.puzzleIdentifiers, Int32Array.from([1, 2]));
  assert.deepEqual([s.batchSize, s.seqLen, s.effective, s.setName], [2, 2, 1, "s"]);
});

Deno.test("shardParams balances parameter sizes greedily, deterministically", () => {
  assert.deepEqual(shardParams([10, 4, 4, 3, 1], 2), [0, 1, 1, 1, 0]);
  assert.deepEqual(shardParams([5, 5, 5], 1), [0, 0, 0]);
  assert.deepEqual(shardParams([1, 1, 1, 1], 3), [0, 1, 2, 0]);
});

Deno.test({
  name: "workers=2 trains, evaluates and checkpoints as workers=1 [wasm]",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await useBackend("wasm");
    const data = batches(STEPS + 2);
    const one = await make(1);
    const two = await make(2);
    try {
      assert.equal(two.workers, 2);
      assertSameState((await one.exportState()).tensors, (await two.exportState()).tensors, 0);
      for (let i = 0; i < STEPS; i++) {
        const a = await one.trainStep(data[i], OPTIM.lr, OPTIM.puzzle_emb_lr);
        const b = await two.trainStep(data[i], OPTIM.lr, OPTIM.puzzle_emb_lr);
        assert.ok(a.finite && b.finite);
        assert.equal(b.metrics.count, a.metrics.count, `count at step ${i + 1}`);
        for (const k of Object.keys(a.metrics) as (keyof typeof a.metrics)[]) {
          const x = a.metrics[k]!, y = b.metrics[k]!;
          assert.ok(Math.abs(x - y) <= 1e-4 * Math.max(1, Math.abs(x)), `${k} step ${i + 1}`);
        }
        assert.ok(Math.abs(a.loss - b.loss) <= 1e-4 * Math.abs(a.loss), `loss step ${i + 1}`);
      }
      // Weights, both optimizers' moments and the carry (halting exact).
      const sa = await one.exportState();
      const sb = await two.exportState();
      assertSameState(sa.tensors, sb.tensors, 1e-4);
      assert.deepEqual(sa.state, sb.state);
      const ea = await one.evalBatch(data[0], OUTPUTS);
      const eb = await two.evalBatch(data[0], OUTPUTS);
      assertSameState(ea.outputs, eb.outputs, 1e-3);

      // A workers=2 checkpoint resumes in workers=1 and in workers=2 alike.
      const resumed1 = await make(1);
      const resumed2 = await make(2);
      try {
        await resumed1.importState(sb, "two.ckpt");
        await resumed2.importState(sb, "two.ckpt");
        for (const i of [STEPS, STEPS + 1]) {
          const x = await resumed1.trainStep(data[i], OPTIM.lr, OPTIM.puzzle_emb_lr);
          const y = await resumed2.trainStep(data[i], OPTIM.lr, OPTIM.puzzle_emb_lr);
          const z = await two.trainStep(data[i], OPTIM.lr, OPTIM.puzzle_emb_lr);
          assert.ok(Math.abs(x.loss - y.loss) <= 1e-4 * Math.abs(x.loss));
          assert.equal(y.loss, z.loss, "a resumed workers=2 run is exact");
        }
        assertSameState(
          (await resumed2.exportState()).tensors,
          (await two.exportState()).tensors,
          0,
        );
      } finally {
        await resumed1.dispose();
        await resumed2.dispose();
      }
      await assert.rejects(
        () => two.importState({ tensors: new Map(), state: { adam_step: 1 } }, "bad.ckpt"),
        /bad\.ckpt: missing 'carry.steps'/,
      );
    } finally {
      await one.dispose();
      await two.dispose();
    }
  },
});

Deno.test({
  name: "workers=2: a non-finite loss in one worker undoes the step in every worker [wasm]",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await useBackend("wasm");
    const two = await make(2);
    try {
      const [good] = batches(1);
      await two.trainStep(good, OPTIM.lr, OPTIM.puzzle_emb_lr);
      // A NaN embedding row used only by the second worker's rows (2, 3).
      const state = await two.exportState();
      const key = [...state.tensors.keys()].find((k) => k.endsWith("puzzle_emb.weights"))!;
      const emb = state.tensors.get(key)!;
      const dim = emb.shape[1];
      const poisoned = { ...emb, data: (emb.data as Float32Array).slice() };
      (poisoned.data as Float32Array).fill(NaN, 2 * dim, 3 * dim);
      const weights = new Map([...state.tensors].filter(([k]) => !/^(optim|carry)\./.test(k)));
      weights.set(key, poisoned);
      await two.loadWeights(weights, "poisoned");
      const before = await two.exportState();
      const bad = batchOf({
        inputs: good.inputs,
        labels: good.labels,
        puzzleIdentifiers: Int32Array.from([0, 1, 2, 2]),
      });
      const r = await two.trainStep(bad, OPTIM.lr, OPTIM.puzzle_emb_lr);
      assert.equal(r.finite, false);
      const after = await two.exportState();
      assert.deepEqual(after.state, before.state);
      assertSameState(after.tensors, before.tensors, 0);
    } finally {
      await two.dispose();
    }
  },
});
