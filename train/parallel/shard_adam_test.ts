/**
 * The shard optimizers are the host loop, bit for bit: on the wasm heap (SIMD)
 * and in host arrays.
 */
import assert from "node:assert/strict";
import { useBackend } from "../../backends/select.ts";
import { adamATan2Host } from "../../model/optim.ts";
import { activeWasmBackend, type WasmHeap } from "../../backends/mod.ts";
import { HeapAdamATan2, HostAdamATan2 } from "./shard_adam.ts";

Deno.test({
  name: "wasm AdamATan2 equals adamATan2Host bit for bit (moments, values, ragged tail)",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await useBackend("wasm");
    const heap = activeWasmBackend()!.wasm;
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
  heap: WasmHeap,
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

Deno.test("HostAdamATan2 keeps each parameter's moments at its shard offset", () => {
  const o = { beta1: 0.9, beta2: 0.95, weightDecay: 0.1 };
  const shard = new HostAdamATan2(7);
  const a = Float32Array.from([0.5, -1, 2]), b = Float32Array.from([1, 2, 3, 4]);
  const a2 = a.slice(), b2 = b.slice();
  const mA = new Float32Array(3), vA = new Float32Array(3);
  const mB = new Float32Array(4), vB = new Float32Array(4);
  for (let step = 1; step <= 3; step++) {
    const gA = Float32Array.from([0.1 * step, -0.2, 0.3]);
    const gB = Float32Array.from([-1, 0, 1e-3, step]);
    shard.update(0, a, gA, step, 1e-2, o);
    shard.update(3, b, gB, step, 1e-2, o);
    adamATan2Host(a2, mA, vA, gA, step, 1e-2, o);
    adamATan2Host(b2, mB, vB, gB, step, 1e-2, o);
  }
  assert.deepEqual(a, a2);
  assert.deepEqual(b, b2);
  assert.throws(
    () => shard.update(5, new Float32Array(3), new Float32Array(3), 1, 1, o),
    /outside/,
  );
});
