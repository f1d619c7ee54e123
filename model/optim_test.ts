import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { testOnBackends } from "../backends/testing.ts";
import { AdamATan2, adamATan2Host, atan2NonNegX, signSgdUpdate } from "./optim.ts";
import { Rng } from "../util/rng.ts";

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

Deno.test("optim: atan2NonNegX is atan2 to float32 precision, signs and zeros included", () => {
  const rng = new Rng(3);
  let worst = 0;
  for (let i = 0; i < 200_000; i++) {
    // Magnitudes over many decades, as Adam's moments have.
    const y = (rng.uniform() - 0.5) * 10 ** (rng.int(16) - 10);
    const x = rng.uniform() * 10 ** (rng.int(16) - 10);
    const want = Math.atan2(y, x);
    worst = Math.max(worst, Math.abs(atan2NonNegX(y, x) - want) / Math.max(Math.abs(want), 1e-30));
  }
  assert.ok(worst < 3e-7, `worst relative error ${worst}`);
  assert.equal(atan2NonNegX(1, 0), Math.PI / 2);
  assert.equal(atan2NonNegX(-1, 0), -Math.PI / 2);
  assert.ok(Object.is(atan2NonNegX(0, 0), 0) && Object.is(atan2NonNegX(-0, 0), -0));
  assert.equal(atan2NonNegX(0, 3), 0);
});

// The host update replaces the wasm workers' tensor update; the CPU backends do float32 math the
// same way (a GPU's own transcendental functions differ in more last bits).
testOnBackends("optim: the fused host AdamATan2 matches the tensor one step by step", async () => {
  const rng = new Rng(11);
  const n = 4096;
  const rand = (scale: number) =>
    Float32Array.from({ length: n }, () => (rng.uniform() - 0.5) * scale);
  const p0 = rand(2);
  const options = { beta1: 0.9, beta2: 0.95, weightDecay: 0.1 };
  const params = new Map([["w", tf.tidy(() => tf.variable(tf.tensor1d(p0)))]]);
  const opt = new AdamATan2(params, options);
  const p = p0.slice(), m = new Float32Array(n), v = new Float32Array(n);
  for (let step = 1; step <= 3; step++) {
    const g = rand(step === 2 ? 1e-6 : 1);
    if (step === 3) g.fill(0, 0, 100); // zero gradients: atan2(m, sqrt(v)) with m, v decaying
    const gt = tf.tensor1d(g);
    opt.apply(params, new Map([["w", gt]]), 1e-3 * step);
    gt.dispose();
    adamATan2Host(p, m, v, g, step, 1e-3 * step, options);
    const want = await params.get("w")!.data();
    let worst = 0, same = 0;
    for (let j = 0; j < n; j++) {
      worst = Math.max(worst, Math.abs(p[j] - want[j]));
      if (p[j] === want[j]) same++;
    }
    // Equal up to an occasional last-bit difference of atan2 times the step size (p is O(1)).
    assert.ok(worst < 1e-7, `step ${step}: worst difference ${worst}`);
    assert.ok(same > 0.9 * n, `step ${step}: only ${same} of ${n} bit-identical`);
  }
  opt.dispose();
  params.get("w")!.dispose();
}, { only: ["wasm", "cpu"] });
