import assert from "node:assert/strict";
import { testOnBackends } from "../backends/testing.ts";
import * as hrm from "../model/mod.ts";
import { unroll } from "./unroll.ts";
import { summariseResiduals } from "./residuals.ts";
import { inferenceScaling, scoreRows } from "./scaling.ts";

const small = {
  batch_size: 5,
  seq_len: 6,
  vocab_size: 5,
  num_puzzle_identifiers: 3,
  puzzle_emb_ndim: 10,
  hidden_size: 16,
  num_heads: 2,
  expansion: 2,
  H_layers: 1,
  L_layers: 1,
  H_cycles: 2,
  L_cycles: 3,
  halt_max_steps: 2,
};

function rowsOf(seed: number, rows = 5, seq = 6): hrm.BatchRows {
  const r = new hrm.Rng(seed);
  const inputs = Int32Array.from({ length: rows * seq }, () => r.int(5));
  return {
    inputs,
    labels: Int32Array.from(inputs, (x, i) => (i % 5 === 4 ? -100 : (x + 1) % 5)),
    puzzleIdentifiers: Int32Array.from({ length: rows }, () => r.int(3)),
  };
}

testOnBackends(
  "unroll: the recorded predictions are the evaluation's, observer or not",
  async () => {
    const model = hrm.createModel(small, 4);
    const data = rowsOf(1);
    try {
      const ev = await hrm.evaluateBatch(model, data);
      const rec = await unroll(model, data, {
        segments: 4,
        batchSize: 5,
        residuals: true,
        statesAt: 2,
      });
      // At the trained limit (2) the unroll's predictions are evaluation's, bit for bit.
      assert.deepEqual(rec.preds[1], ev.preds);
      assert.deepEqual(rec.q[1].halt, ev.qHalt);
      // Same metrics as evaluation at the limit.
      const at2 = inferenceScaling(rec.preds.map((p) => scoreRows(p, data.labels, 5)))[1];
      assert.equal(at2.exact_accuracy * at2.count, ev.metrics.exact_accuracy);
      assert.equal(at2.count, ev.metrics.count);
      // Recording residuals changes nothing; nor does the batch split (rows are independent).
      const plain = await unroll(model, data, { segments: 4, batchSize: 2 });
      for (let s = 0; s < 4; s++) assert.deepEqual(plain.preds[s], rec.preds[s]);
      // Residual bookkeeping: segments x H x L calls of z_L, segments x H of z_H.
      const res = summariseResiduals(rec.calls, { H: 2, L: 3 }, 4);
      assert.equal(res.z_L.length, 4 * 2 * 3);
      assert.equal(res.z_H.length, 4 * 2);
      assert.deepEqual(res.h_boundaries, [3, 6, 9, 12, 15, 18, 21, 24]);
      assert.deepEqual(res.segment_boundaries, [0, 6, 12, 18]);
      assert.equal(res.blocks.length, 0);
      for (const v of [...res.z_L, ...res.z_H]) assert.ok(Number.isFinite(v) && v > 0, `${v}`);
      assert.equal(rec.calls[0].rows, 5);
      // States: token positions only, [rows * seq, hidden].
      assert.equal(rec.states!.zH.length, 5 * 6 * 16);
      assert.equal(rec.states!.zL!.length, 5 * 6 * 16);
    } finally {
      hrm.disposeState(model);
    }
  },
  { only: ["cpu", "wasm"] },
);

testOnBackends("unroll: more cycles than trained, and the Transformer's blocks", async () => {
  const model = hrm.createModel(small, 5);
  const base = hrm.createModel({ ...small, arch: "transformer", transformer_layers: 3 }, 5);
  const data = rowsOf(2, 3);
  try {
    const more = await unroll(model, data, {
      segments: 1,
      batchSize: 3,
      residuals: true,
      cycles: { H: 4, L: 5 },
    });
    const r = summariseResiduals(more.calls, { H: 4, L: 5 }, 1);
    assert.equal(r.z_L.length, 20);
    assert.equal(r.z_H.length, 4);
    const tr = await unroll(base, data, {
      segments: 2,
      batchSize: 3,
      residuals: true,
      statesAt: 1,
    });
    const t = summariseResiduals(tr.calls, { H: 1, L: 1 }, 2);
    assert.equal(t.blocks.length, 2 * 3);
    assert.equal(t.z_H.length, 2);
    assert.deepEqual(t.segment_boundaries, [0, 3]);
    // The module output is the last block's output: the same state, the same residual base
    // differs (module: previous segment's output; block: the previous block).
    assert.equal(tr.states!.zL, null);
  } finally {
    hrm.disposeState(model);
    hrm.disposeState(base);
  }
}, { only: ["cpu"] });
