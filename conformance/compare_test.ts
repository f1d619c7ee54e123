import assert from "node:assert/strict";
import type { HostTensor } from "../io/dtypes.ts";
import { compare, FLOOR_FACTOR, noiseFloor, scaledError, TOLERANCE } from "./compare.ts";

const f32 = (data: number[]): HostTensor => ({
  dtype: "f32",
  shape: [data.length],
  data: Float32Array.from(data),
});
const f64 = (data: number[]): HostTensor => ({
  dtype: "f64",
  shape: [data.length],
  data: Float64Array.from(data),
});

Deno.test("compare: 1e-3 of scale without a float64 companion", () => {
  const ref = f32([10, -5, 0]);
  const ok = compare("x", ref, { kind: "float", data: [10.009, -5, 0.001] });
  assert.ok(ok.pass);
  assert.equal(ok.rule, "scale");
  assert.equal(ok.bound, TOLERANCE);
  assert.equal(ok.floor, undefined);
  assert.ok(!compare("x", ref, { kind: "float", data: [10.011, -5, 0] }).pass);
  assert.ok(!compare("x", ref, { kind: "float", data: [10, -5] }).pass);
  assert.ok(!compare("x", ref, { kind: "float", data: [NaN, -5, 0] }).pass);
  assert.ok(!compare("x", ref, undefined).pass);
  const zero = f64([0]);
  assert.ok(compare("z", zero, { kind: "float", data: [0] }).pass);
  assert.ok(!compare("z", zero, { kind: "float", data: [1e-9] }).pass);
});

Deno.test("compare: integers and booleans are exact", () => {
  const ints: HostTensor = { dtype: "u8", shape: [2], data: Uint8Array.from([1, 0]) };
  const ok = compare("h", ints, { kind: "int", data: [1, 0] });
  assert.ok(ok.pass);
  assert.equal(ok.rule, "exact");
  const bad = compare("h", ints, { kind: "int", data: [1, 1] });
  assert.ok(!bad.pass);
  assert.equal(bad.note, "1/2 differ");
  // A float64 companion never loosens an exact comparison.
  assert.ok(!compare("h", ints, { kind: "int", data: [1, 1] }, f64([1, 1])).pass);
});

Deno.test("compare: the noise floor decides when FLOOR_FACTOR x floor > 1e-3", () => {
  const ref = f32([10, -5, 0]);
  // floor 1e-3 of scale: bound FLOOR_FACTOR * 1e-3.
  const ref64 = f64([10.01, -5, 0]);
  assert.ok(Math.abs(noiseFloor("x", ref, ref64) - 1e-3) < 1e-9);
  const near = 10 + 10 * (FLOOR_FACTOR - 0.5) * 1e-3;
  const within = compare("x", ref, { kind: "float", data: [near, -5, 0] }, ref64);
  assert.ok(within.pass);
  assert.equal(within.rule, "floor");
  assert.ok(Math.abs(within.bound - FLOOR_FACTOR * 1e-3) < 1e-9);
  const far = 10 + 10 * (FLOOR_FACTOR + 0.5) * 1e-3;
  assert.ok(!compare("x", ref, { kind: "float", data: [far, -5, 0] }, ref64).pass);
  // A tiny floor keeps the scale rule, and still reports the floor.
  const tiny = compare("x", ref, { kind: "float", data: [10.009, -5, 0] }, f64([10.00001, -5, 0]));
  assert.ok(tiny.pass);
  assert.equal(tiny.rule, "scale");
  assert.ok(tiny.floor! > 0);
  assert.ok(!compare("x", ref, { kind: "float", data: [10.011, -5, 0] }, f64([10, -5, 0])).pass);
});

Deno.test("compare: a bad float64 companion fails with one line", () => {
  const ref = f32([10, -5, 0]);
  const ours = { kind: "float" as const, data: [10, -5, 0] };
  const short = compare("x", ref, ours, f64([10, -5]));
  assert.ok(!short.pass);
  assert.equal(short.note, "x: float64 companion has 2 values, expected 3");
  const nan = compare("x", ref, ours, f64([NaN, -5, 0]));
  assert.ok(!nan.pass);
  assert.equal(nan.note, "float64 companion is not finite");
});

Deno.test("compare: scaledError is max|a - ref| / max|ref|", () => {
  assert.equal(scaledError([2, -4], [2, -3]), 0.25);
  assert.equal(scaledError([0, 0], [0, 0]), 0);
  assert.equal(scaledError([0], [1]), Infinity);
});
