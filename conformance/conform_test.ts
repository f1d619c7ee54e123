import assert from "node:assert/strict";
import { testOnBackends } from "../backends/testing.ts";
import { type ConformCase, loadCase, runCase } from "./conform.ts";

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
    // The float32 noise floors of these cases are tiny: 1e-3 of scale decides everywhere.
    assert.ok(report.comparisons.every((c) => c.rule === (c.exact ? "exact" : "scale")));
    assert.ok(report.comparisons.some((c) => c.floor !== undefined));
  }, { only: ["cpu", "wasm"] });
}

testOnBackends(
  "conform: puzzle-embedding gradient and ids are compared like any tensor",
  async () => {
    const report = await runCase(await loadCase(caseDir("tiny-rope")), { eval: false });
    for (const step of ["step1", "step2"]) {
      const ids = report.comparisons.find((c) => c.key === `${step}.puzzle_emb.local_ids`);
      assert.ok(ids?.pass && ids.exact && !ids.note, JSON.stringify(ids));
      const grad = report.comparisons.find((c) =>
        c.key === `${step}.grad.model.inner.puzzle_emb.local_weights`
      );
      assert.ok(grad?.pass && grad.rule === "scale" && grad.err < 1e-4, JSON.stringify(grad));
    }
  },
  { only: ["cpu"] },
);

/** Multiplies one parameter of a loaded case by `factor` (in memory). */
function scaleParam(c: ConformCase, key: string, factor: number): void {
  const p = c.params.get(key);
  if (!p) throw new Error(`no parameter ${key}`);
  const d = p.data as Float32Array;
  for (let i = 0; i < d.length; i++) d[i] *= factor;
}

testOnBackends("conform: a mutated weight fails the unmodified case", async () => {
  const c = await loadCase(caseDir("tiny-rope"));
  // One row of an L-level weight moved by 1% of the matrix's largest entry.
  const p = c.params.get("model.inner.L_level.layers.1.mlp.down_proj.weight")!;
  const d = p.data as Float32Array;
  const big = d.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  for (let j = 0; j < p.shape[1]; j++) d[j] += 0.01 * big * (j % 2 ? 1 : -1);
  const report = await runCase(c);
  assert.ok(!report.pass);
  assert.ok(report.comparisons.some((x) => x.key === "step4.z_L" && !x.pass));
  // A 1% scaled head fails too: the logits (and the losses), never the recurrent state.
  const c2 = await loadCase(caseDir("tiny-rope"));
  scaleParam(c2, "model.inner.lm_head.weight", 1.01);
  const failed = (await runCase(c2, { train: false })).comparisons.filter((x) => !x.pass)
    .map((x) => x.key);
  for (const k of [1, 2, 3, 4]) assert.ok(failed.includes(`step${k}.logits`), failed.join());
  assert.ok(failed.every((key) => /logits|loss/.test(key) && !/q_/.test(key)), failed.join());
}, { only: ["cpu"] });

// WebGPU runs on a software adapter here: the evaluation unroll of the small case only.
testOnBackends("conform: tiny-learned-noemb eval unroll", async () => {
  const report = await runCase(await loadCase(caseDir("tiny-learned-noemb")), { train: false });
  assert.ok(report.pass, report.comparisons.filter((c) => !c.pass).map((c) => c.key).join(", "));
  assert.ok(report.comparisons.length >= 3 * 14);
}, { only: ["webgpu"] });

Deno.test("conform: bad case folder gives a clear error", async () => {
  await assert.rejects(
    () => loadCase(`${here}../fixtures/does-not-exist`),
    /config.json: file not found/,
  );
});
