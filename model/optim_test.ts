import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { testOnBackends } from "../tests/backends.ts";
import { AdamATan2, signSgdUpdate } from "./optim.ts";

Deno.test("optim: SignSGD sums duplicate ids, decays only touched rows", () => {
  const table = Float32Array.from([1, -1, 2, 2, 3, 3]); // 3 rows x 2
  // id 2 twice: gradients (+1, -1) and (-3, +0.5) sum to (-2, -0.5).
  signSgdUpdate(
    table,
    2,
    Int32Array.from([2, 0, 2]),
    Float32Array.from([1, -1, 0, 4, -3, 0.5]),
    0.1,
    0.5,
  );
  const f = Math.fround;
  const d = f(1 - 0.05);
  assert.deepEqual(Array.from(table), [
    f(f(1 * d) - f(0)),
    f(f(-1 * d) - f(0.1)),
    2,
    2, // untouched
    f(f(3 * d) + f(0.1)),
    f(f(3 * d) + f(0.1)),
  ]);
});

testOnBackends("optim: AdamATan2 first steps and state round-trip", async () => {
  const p = new Map([["w", tf.tidy(() => tf.variable(tf.tensor1d([1, -2, 0.5])))]]);
  const opt = new AdamATan2(p, { beta1: 0.9, beta2: 0.95, weightDecay: 0.1 });
  const g = new Map([["w", tf.tensor1d([0.3, -0.2, 0])]]);
  opt.apply(p, g, 0.01);
  // Step 1: m = 0.1 g, v = 0.05 g^2; update = atan2(0.1 g, |g|) / 0.1 * lr.
  const expect = [1, -2, 0.5].map((w, i) => {
    const gi = [0.3, -0.2, 0][i];
    return w * (1 - 0.001) - (0.01 / 0.1) * Math.atan2(0.1 * gi, Math.abs(gi));
  });
  const got = await p.get("w")!.data();
  expect.forEach((e, i) => assert.ok(Math.abs(got[i] - e) < 1e-6, `${got[i]} vs ${e}`));
  // Export, continue on a copy, and compare with continuing the original.
  const saved = await opt.exportState();
  const p2 = new Map([["w", tf.tidy(() => tf.variable(tf.tensor1d(got)))]]);
  const opt2 = new AdamATan2(p2, opt.options);
  opt2.importState(saved);
  opt.apply(p, g, 0.01);
  opt2.apply(p2, g, 0.01);
  assert.deepEqual(await p.get("w")!.data(), await p2.get("w")!.data());
  assert.equal(opt2.step, 2);
  opt.dispose();
  opt2.dispose();
  tf.dispose([...p.values(), ...p2.values(), ...g.values()]);
}, { only: ["cpu", "wasm"] });
