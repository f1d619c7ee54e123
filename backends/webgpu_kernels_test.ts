/**
 * The WebGPU `x·Wᵀ` kernel (explicit transpose, then the stock product) gives
 * the stock kernel's results, forward and through the gradients, on the
 * software adapter; shapes that are not weight-like go to the stock kernel.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { testBackends } from "./testing.ts";
import { useBackend } from "./select.ts";
import {
  installWebgpuKernels,
  restoreStockWebgpuKernels,
  transposeFirst,
  webgpuTransposeCount,
} from "./webgpu_kernels.ts";

Deno.test("webgpu kernels: a·Bᵀ transposes B first when a has 8 rows or more", () => {
  const t = { transposeA: false, transposeB: true };
  assert.equal(transposeFirst([656, 512], [1536, 512], t), true);
  assert.equal(transposeFirst([64, 82, 64], [64, 82, 64], t), true); // attention QKᵀ
  assert.equal(transposeFirst([4, 512], [1536, 512], t), false); // too few rows to pay the copy
  assert.equal(transposeFirst([656, 512], [1536, 512], { ...t, transposeB: false }), false);
  assert.equal(
    transposeFirst([656, 512], [1536, 512], { transposeA: true, transposeB: true }),
    false,
  );
});

/** Forward x·Wᵀ, and both gradients, as one flat list of arrays. */
async function run(x: tf.Tensor2D, w: tf.Tensor2D, dy: tf.Tensor2D): Promise<Float32Array[]> {
  const y = tf.matMul(x, w, false, true);
  const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.mul(tf.matMul(a, b, false, true), dy));
  const [gx, gw] = g([x, w]);
  const out = [await y.data(), await gx.data(), await gw.data()] as Float32Array[];
  tf.dispose([y, gx, gw]);
  return out;
}

Deno.test({
  name: "webgpu kernels: x·Wᵀ with the explicit transpose equals the stock kernel [webgpu]",
  ignore: !testBackends().includes("webgpu"),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await useBackend("webgpu");
    const x = tf.randomNormal([96, 64], 0, 1, "float32", 1) as tf.Tensor2D;
    const w = tf.randomNormal([48, 64], 0, 1, "float32", 2) as tf.Tensor2D;
    const dy = tf.randomNormal([96, 48], 0, 1, "float32", 3) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    try {
      restoreStockWebgpuKernels();
      const ref = await run(x, w, dy);
      installWebgpuKernels();
      const count = webgpuTransposeCount();
      const ours = await run(x, w, dy);
      assert.ok(webgpuTransposeCount() > count, "the forward product went through the transpose");
      for (let k = 0; k < 3; k++) {
        let maxRef = 0;
        let maxErr = 0;
        for (let i = 0; i < ref[k].length; i++) {
          maxRef = Math.max(maxRef, Math.abs(ref[k][i]));
          maxErr = Math.max(maxErr, Math.abs(ref[k][i] - ours[k][i]));
        }
        assert.ok(maxErr <= 1e-5 * maxRef, `output ${k}: max err ${maxErr} of ${maxRef}`);
      }
      // The batched form (attention's QKᵀ).
      const q = tf.randomNormal([3, 20, 16], 0, 1, "float32", 4);
      const k = tf.randomNormal([3, 20, 16], 0, 1, "float32", 5);
      restoreStockWebgpuKernels();
      const s0 = tf.matMul(q, k, false, true);
      const r0 = await s0.data();
      installWebgpuKernels();
      const s1 = tf.matMul(q, k, false, true);
      const r1 = await s1.data();
      for (let i = 0; i < r0.length; i++) assert.ok(Math.abs(r0[i] - r1[i]) <= 1e-5, `QKᵀ[${i}]`);
      tf.dispose([q, k, s0, s1]);
      assert.equal(tf.memory().numTensors, before, "no tensor leaked");
    } finally {
      installWebgpuKernels();
      tf.dispose([x, w, dy]);
    }
  },
});
