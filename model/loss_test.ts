import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { testOnBackends } from "../backends/testing.ts";
import { readSafetensors } from "../io/safetensors.ts";
import { computeMetrics, tokenLoss } from "./loss.ts";

const here = new URL(".", import.meta.url).pathname;
const golden = await readSafetensors(`${here}../fixtures/hrm-reference/losses.safetensors`);

function maxScaledErr(ours: ArrayLike<number>, ref: ArrayLike<number>): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < ref.length; i++) {
    d = Math.max(d, Math.abs(Number(ours[i]) - Number(ref[i])));
    m = Math.max(m, Math.abs(Number(ref[i])));
  }
  return d / m;
}

testOnBackends("loss: stablemax and softmax cross-entropy match the reference", async () => {
  const logits = golden.tensors.get("logits")!;
  const labels = golden.tensors.get("labels")!;
  const lg = tf.tensor2d(logits.data as Float32Array, logits.shape as [number, number]);
  const lb = tf.tensor1d(labels.data as Int32Array, "int32");
  for (const type of ["stablemax_cross_entropy", "softmax_cross_entropy"] as const) {
    const t = tf.tidy(() => tokenLoss(lg, lb, type));
    const ours = await t.data();
    t.dispose();
    const ref = golden.tensors.get(type)!.data as ArrayLike<number>;
    // Ignored labels give exactly 0.
    (labels.data as Int32Array).forEach((l, i) => l === -100 && assert.equal(ours[i], 0));
    const err = maxScaledErr(ours, ref);
    assert.ok(err < 1e-5, `${type}: scaled error ${err}`);
  }
  lg.dispose();
  lb.dispose();
});

testOnBackends("loss: stablemax gradient is finite at extreme logits", () => {
  const x = tf.tensor2d([[1e30, -1e30, 0, 1]]);
  const g = tf.grad((v: tf.Tensor) =>
    tf.sum(tokenLoss(v as tf.Tensor2D, tf.tensor1d([1], "int32"), "stablemax_cross_entropy"))
  )(x);
  for (const v of g.dataSync()) assert.ok(Number.isFinite(v));
  tf.dispose([x, g]);
}, { only: ["cpu", "wasm"] });

Deno.test("loss: metrics are sums over halted rows with labels", () => {
  // 3 rows of 2 tokens; row 0 exact, row 1 half right, row 2 has no labels.
  const preds = Int32Array.from([1, 2, 3, 0, 5, 5]);
  const labels = Int32Array.from([1, 2, 3, 4, -100, -100]);
  const m = computeMetrics(
    preds,
    labels,
    Float32Array.from([0.5, 0.2, 3]),
    Uint8Array.from([1, 1, 1]),
    Int32Array.from([2, 3, 4]),
    { lm: 1.5, qHalt: 0.25 },
  );
  assert.deepEqual(m, {
    count: 2,
    accuracy: 1.5,
    exact_accuracy: 1,
    q_halt_accuracy: 1, // row 0: q>=0 and exact; row 1: q>=0 but not exact
    steps: 5,
    lm_loss: 1.5,
    q_halt_loss: 0.25,
  });
});
