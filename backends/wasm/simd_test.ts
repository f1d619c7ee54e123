/**
 * The wasm AdamATan2 is the host loop, bit for bit (the GEMM is covered by
 * wasm_kernels_test.ts through the matmul kernel).
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { useBackend } from "../select.ts";
import { adamATan2Host } from "../../model/optim.ts";
import { HeapAdamATan2, type WasmHeap } from "./simd.ts";

Deno.test({
  name: "wasm AdamATan2 equals adamATan2Host bit for bit (moments, values, ragged tail)",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await useBackend("wasm");
    const heap = (tf.backend() as unknown as { wasm: WasmHeap & { HEAPF32: Float32Array } }).wasm;
    // The reference's betas, and betas under which |m| > sqrt(v) often (atan2's other branch).
    for (
      const o of [
        { beta1: 0.9, beta2: 0.95, weightDecay: 0.1 },
        { beta1: 0.1, beta2: 0.999, weightDecay: 0 },
      ]
    ) checkAgainstHost(heap, o);
  },
});

function checkAgainstHost(
  heap: WasmHeap & { HEAPF32: Float32Array },
  o: { beta1: number; beta2: number; weightDecay: number },
): void {
  // Two parameters in one shard: 1003 floats (a tail of 3) and 8.
  const sizes = [1003, 8];
  const total = sizes.reduce((a, b) => a + b, 0);
  const adam = new HeapAdamATan2(heap, total);
  try {
    let s = 12345;
    const rand = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32 - 0.5;
    };
    const ps = sizes.map((n) => Float32Array.from({ length: n }, () => rand()));
    const hostP = ps.map((p) => p.slice());
    const hostM = new Float32Array(total), hostV = new Float32Array(total);
    for (let step = 1; step <= 4; step++) {
      let offset = 0;
      for (let i = 0; i < sizes.length; i++) {
        const n = sizes[i];
        // Mixed scales, exact zeros (atan2(0, 0)), signs; |m| > x and |m| < x both occur.
        const g = Float32Array.from(
          { length: n },
          (_, j) => j % 7 === 0 ? 0 : rand() * 10 ** ((j % 5) - 3),
        );
        const lr = 1e-3 * step;
        adam.update(offset, ps[i], g, step, lr, o);
        adamATan2Host(
          hostP[i],
          hostM.subarray(offset, offset + n),
          hostV.subarray(offset, offset + n),
          g,
          step,
          lr,
          o,
        );
        offset += n;
      }
    }
    for (let i = 0; i < sizes.length; i++) assert.deepEqual(ps[i], hostP[i], `param ${i}`);
    const { m, v } = adam.moments();
    assert.deepEqual(m, hostM);
    assert.deepEqual(v, hostV);
    assert.throws(
      () => adam.update(total - 2, new Float32Array(4), new Float32Array(4), 1, 1, o),
      /outside/,
    );
  } finally {
    adam.dispose();
  }
}
