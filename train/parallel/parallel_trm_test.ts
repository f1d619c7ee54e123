/**
 * TRM with EMA data-parallel: `workers=2` trains, evaluates (on the EMA weights) and
 * checkpoints (the `ema.*` shadow included) as `workers=1`, and a resumed `workers=2` run is exact.
 */
import assert from "node:assert/strict";
import type { HostTensor } from "../../io/dtypes.ts";
import { useBackend } from "../../backends/select.ts";
import { type Batch, batchOf } from "../../model/batch.ts";
import { type ModelConfigInput, parseModelConfig, parseOptimConfig } from "../../model/config.ts";
import { Rng } from "../../util/rng.ts";
import { trainModelFor } from "../create_model.ts";
import type { TrainModel } from "../model_adapter.ts";

const CONFIG: ModelConfigInput = {
  arch: "trm",
  batch_size: 4,
  seq_len: 6,
  vocab_size: 5,
  num_puzzle_identifiers: 3,
  puzzle_emb_ndim: 16,
  puzzle_emb_len: 2,
  hidden_size: 16,
  num_heads: 2,
  expansion: 2,
  H_layers: 0,
  L_layers: 1,
  H_cycles: 2,
  L_cycles: 2,
  halt_max_steps: 3,
  halt_exploration_prob: 0.5,
  mlp_t: true,
  pos_encodings: "none",
};
const OPTIM = {
  lr: 1e-2,
  weight_decay: 0.1,
  puzzle_emb_lr: 1e-2,
  lr_warmup_steps: 0,
  ema: true,
  ema_rate: 0.8,
};
const ROWS = 4;
const OUTPUTS = ["preds", "q_halt_logits", "logits"];

function batches(n: number): Batch[] {
  const rng = new Rng(11);
  const c = parseModelConfig(CONFIG);
  return Array.from({ length: n }, () =>
    batchOf({
      inputs: Int32Array.from({ length: ROWS * c.seq_len }, () => 1 + rng.int(c.vocab_size - 1)),
      labels: Int32Array.from({ length: ROWS * c.seq_len }, () => 1 + rng.int(c.vocab_size - 1)),
      puzzleIdentifiers: Int32Array.from({ length: ROWS }, () => rng.int(c.num_puzzle_identifiers)),
    }));
}

/** Same keys; f32 tensors within `tol` of scale (bit for bit at 0), the rest exact. */
function assertSameState(a: Map<string, HostTensor>, b: Map<string, HostTensor>, tol: number) {
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
  for (const [k, t] of a) {
    const u = b.get(k)!;
    if (t.dtype === "f32" && tol > 0) {
      const x = t.data as Float32Array, y = u.data as Float32Array;
      let d = 0, s = 0;
      for (let i = 0; i < x.length; i++) {
        d = Math.max(d, Math.abs(x[i] - y[i]));
        s = Math.max(s, Math.abs(y[i]));
      }
      assert.ok(d <= tol * Math.max(s, 1e-30), `${k}: ${d / s}`);
    } else assert.deepEqual(t.data, u.data, k);
  }
}

const make = (workers: number): Promise<TrainModel> =>
  trainModelFor(parseModelConfig(CONFIG), parseOptimConfig(OPTIM), {
    seed: 5,
    workers,
    backend: "wasm",
  });

Deno.test({
  name: "TRM with EMA: workers=2 trains, evaluates and checkpoints as workers=1 [wasm]",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await useBackend("wasm");
    const data = batches(5);
    const one = await make(1);
    const two = await make(2);
    try {
      for (let i = 0; i < 3; i++) {
        const a = await one.trainStep(data[i], OPTIM.lr, OPTIM.puzzle_emb_lr);
        const b = await two.trainStep(data[i], OPTIM.lr, OPTIM.puzzle_emb_lr);
        assert.equal(b.metrics.count, a.metrics.count, `count at step ${i + 1}`);
        assert.ok(Math.abs(a.loss - b.loss) <= 1e-4 * Math.abs(a.loss), `loss step ${i + 1}`);
      }
      const sa = await one.exportState();
      const sb = await two.exportState();
      assert.ok(sa.tensors.has("ema.model.inner.L_level.layers.0.mlp_t.down_proj.weight"));
      assertSameState(sa.tensors, sb.tensors, 1e-4);
      const ea = await one.evalBatch(data[0], OUTPUTS);
      const eb = await two.evalBatch(data[0], OUTPUTS);
      assertSameState(ea.outputs, eb.outputs, 1e-3);
      // A resumed workers=2 run is exact, EMA included.
      const resumed = await make(2);
      try {
        await resumed.importState(sb, "two.ckpt");
        for (const i of [3, 4]) {
          const y = await resumed.trainStep(data[i], OPTIM.lr, OPTIM.puzzle_emb_lr);
          const z = await two.trainStep(data[i], OPTIM.lr, OPTIM.puzzle_emb_lr);
          assert.equal(y.loss, z.loss);
        }
        assertSameState(
          (await resumed.exportState()).tensors,
          (await two.exportState()).tensors,
          0,
        );
        const er = await resumed.evalBatch(data[1], OUTPUTS);
        const e2 = await two.evalBatch(data[1], OUTPUTS);
        assertSameState(er.outputs, e2.outputs, 0);
      } finally {
        await resumed.dispose();
      }
    } finally {
      await one.dispose();
      await two.dispose();
    }
  },
});
