import assert from "node:assert/strict";
import { erf, erfinv, truncNormal, truncNormalCompStd } from "./init.ts";
import { Rng } from "../util/rng.ts";

Deno.test("init: erf/erfinv", () => {
  assert.ok(Math.abs(erf(1) - 0.8427007929497149) < 2e-7);
  assert.ok(Math.abs(erf(-2 / Math.SQRT2) + 0.9544997361036416) < 2e-7);
  for (const y of [-0.95, -0.3, 0, 0.5, 0.9]) assert.ok(Math.abs(erf(erfinv(y)) - y) < 1e-9);
});

Deno.test("init: corrected std (JAX truncated normal on [-2, 2])", () => {
  // Known constant: std of a standard normal truncated to [-2, 2] is 0.87962566...
  assert.ok(Math.abs(truncNormalCompStd(1) - 1 / 0.8796256610342398) < 1e-6);
});

Deno.test("init: samples have the requested std, stay in bounds, are seeded", () => {
  const std = 0.05;
  const x = truncNormal(new Rng(3), 40000, std);
  let s = 0;
  let s2 = 0;
  const bound = 2 * truncNormalCompStd(std);
  for (const v of x) {
    s += v;
    s2 += v * v;
    assert.ok(Math.abs(v) <= bound + 1e-7);
  }
  const mean = s / x.length;
  assert.ok(Math.abs(mean) < 1e-3);
  assert.ok(Math.abs(Math.sqrt(s2 / x.length - mean * mean) / std - 1) < 0.02);
  assert.deepEqual(truncNormal(new Rng(3), 10, std), x.subarray(0, 10));
  assert.deepEqual(truncNormal(new Rng(3), 4, 0), new Float32Array(4));
});
