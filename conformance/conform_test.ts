import assert from "node:assert/strict";
import { testOnBackends } from "../backends/testing.ts";
import { compare, loadCase, runCase } from "./conform.ts";

const here = new URL(".", import.meta.url).pathname;
const caseDir = (name: string) => `${here}../fixtures/hrm-reference/${name}`;

for (const name of ["tiny-rope", "tiny-learned-noemb"]) {
  testOnBackends(`conform: ${name} eval unroll and two training steps`, async () => {
    const report = await runCase(await loadCase(caseDir(name)));
    const failed = report.comparisons.filter((c) => !c.pass).map((c) => `${c.key} ${c.err}`);
    assert.deepEqual(failed, []);
    assert.ok(report.pass);
    // Every golden tensor was compared (eval + train files).
    assert.ok(report.comparisons.length > 100);
    assert.ok(report.maxErr < 1e-4, `max scaled error ${report.maxErr}`);
  }, { only: ["cpu", "wasm"] });
}

// WebGPU runs on a software adapter here: the evaluation unroll of the small case only.
testOnBackends("conform: tiny-learned-noemb eval unroll", async () => {
  const report = await runCase(await loadCase(caseDir("tiny-learned-noemb")), { train: false });
  assert.ok(report.pass, report.comparisons.filter((c) => !c.pass).map((c) => c.key).join(", "));
  assert.ok(report.comparisons.length >= 3 * 14);
}, { only: ["webgpu"] });

Deno.test("conform: comparison rule", () => {
  const ref = { dtype: "f32" as const, shape: [3], data: Float32Array.from([10, -5, 0]) };
  assert.ok(compare("x", ref, { kind: "float", data: [10.009, -5, 0.001] }).pass);
  assert.ok(!compare("x", ref, { kind: "float", data: [10.011, -5, 0] }).pass);
  assert.ok(!compare("x", ref, { kind: "float", data: [10, -5] }).pass);
  assert.ok(!compare("x", ref, undefined).pass);
  const zero = { dtype: "f64" as const, shape: [1], data: Float64Array.from([0]) };
  assert.ok(compare("z", zero, { kind: "float", data: [0] }).pass);
  assert.ok(!compare("z", zero, { kind: "float", data: [1e-9] }).pass);
  const ints = { dtype: "u8" as const, shape: [2], data: Uint8Array.from([1, 0]) };
  assert.ok(compare("h", ints, { kind: "int", data: [1, 0] }).pass);
  assert.ok(!compare("h", ints, { kind: "int", data: [1, 1] }).pass);
});

Deno.test("conform: bad case folder gives a clear error", async () => {
  await assert.rejects(
    () => loadCase(`${here}../fixtures/does-not-exist`),
    /config.json: file not found/,
  );
});
