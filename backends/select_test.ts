import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { describeBackend, parseBackend, resolveBackend } from "./select.ts";
import { testOnBackends } from "./testing.ts";

Deno.test("parseBackend rejects unknown names with the valid list", () => {
  assert.equal(parseBackend("wasm"), "wasm");
  assert.equal(parseBackend("auto"), "auto");
  assert.throws(
    () => parseBackend("cuda"),
    /unknown backend 'cuda', expected one of: auto, webgpu/,
  );
});

Deno.test("auto never picks a software WebGPU adapter", async () => {
  const picked = await resolveBackend("auto");
  assert.ok(picked === "webgpu" || picked === "wasm");
});

testOnBackends("seeded matmul agrees across backends", async (backend) => {
  const a = tf.randomNormal([17, 9], 0, 1, "float32", 7);
  const b = tf.randomNormal([9, 5], 0, 1, "float32", 8);
  const c = tf.matMul(a, b);
  const got = await c.data();
  // Reference computed in float64 from the same seeded values.
  const av = await a.data(), bv = await b.data();
  for (let i = 0; i < 17; i++) {
    for (let j = 0; j < 5; j++) {
      let s = 0;
      for (let k = 0; k < 9; k++) s += av[i * 9 + k] * bv[k * 5 + j];
      assert.ok(Math.abs(got[i * 5 + j] - s) < 1e-4, `${backend} (${i},${j})`);
    }
  }
  assert.match(describeBackend({ backend }), new RegExp(backend));
  tf.dispose([a, b, c]);
});
