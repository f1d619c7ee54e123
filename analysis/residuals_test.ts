import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { testOnBackends } from "../backends/testing.ts";
import { relativeResidual, ResidualRecorder, summariseResiduals } from "./residuals.ts";

testOnBackends("residual of a fixed point is 0; a known step gives its exact ratio", async () => {
  // Two rows (puzzles) of 2 positions x 2 hidden: rows are [3, 4, 0, 0] and [1, 0, 0, 0].
  const prev = tf.tensor2d([[3, 4], [0, 0], [1, 0], [0, 0]]);
  const same = tf.tensor2d([[3, 4], [0, 0], [1, 0], [0, 0]]);
  const moved = tf.tensor2d([[3.3, 4.4], [0, 0], [1, 0], [0, 2]]);
  const r0 = relativeResidual(same, prev, 2);
  const r1 = relativeResidual(moved, prev, 2);
  assert.deepEqual(Array.from(await r0.data()), [0, 0]);
  const v = await r1.data();
  assert.ok(Math.abs(v[0] - 0.1) < 1e-6, `${v[0]}`);
  assert.ok(Math.abs(v[1] - 2) < 1e-6, `${v[1]}`);
  tf.dispose([prev, same, moved, r0, r1]);
}, { only: ["cpu", "wasm"] });

testOnBackends(
  "recorder: a state that stops moving records 0; calls sum over batches",
  async () => {
    const init = tf.tensor2d([[1, 0], [0, 1]]); // one row of 2 positions x 2 hidden
    const z1 = tf.tensor2d([[2, 0], [0, 1]]);
    const calls: Parameters<typeof summariseResiduals>[0] = [];
    for (let batch = 0; batch < 2; batch++) {
      const rec = new ResidualRecorder(1, { zH: init, zL: init }, false, calls);
      rec.beginSegment(1);
      rec.observe("L", z1); // moved by 1 from a state of norm sqrt(2)
      rec.observe("L", z1); // fixed point: 0
      rec.observe("block", z1); // ignored (blocks not recorded)
      rec.observe("H", init); // H unchanged from its reset state: 0
      await rec.endSegment();
      rec.dispose();
    }
    const s = summariseResiduals(calls, { H: 1, L: 2 }, 1);
    assert.equal(s.z_L.length, 2);
    assert.ok(Math.abs(s.z_L[0] - 1 / Math.SQRT2) < 1e-6);
    assert.equal(s.z_L[1], 0);
    assert.deepEqual(s.z_H, [0]);
    assert.deepEqual(s.h_boundaries, [2]);
    assert.equal(calls[0].rows, 2);
    tf.dispose([init, z1]);
  },
  { only: ["cpu"] },
);
