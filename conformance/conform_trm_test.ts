import assert from "node:assert/strict";
import { testOnBackends } from "../backends/testing.ts";
import { loadCase, runCase } from "./conform.ts";

const here = new URL(".", import.meta.url).pathname;
const caseDir = (name: string) => `${here}../fixtures/trm-reference/${name}`;

for (const name of ["trm-att-rope", "trm-mlp", "trm-att-learned"]) {
  testOnBackends(`conform: TRM ${name} eval unroll, two training steps, EMA`, async () => {
    const c = await loadCase(caseDir(name));
    assert.equal(c.config.arch, "trm"); // from the case's source.arch (the official class)
    assert.equal(c.optim.ema, true);
    const report = await runCase(c);
    const failed = report.comparisons.filter((x) => !x.pass).map((x) => `${x.key} ${x.err}`);
    assert.deepEqual(failed, []);
    assert.ok(report.pass);
    // Every golden tensor was compared: eval (preds included), train, grads, EMA shadows.
    for (const part of ["step1.preds", "step2.ema.", "step2.grad.", "step2.after."]) {
      assert.ok(report.comparisons.some((x) => x.key.startsWith(part)), part);
    }
    assert.ok(!report.comparisons.some((x) => /target_q_continue|q_continue_loss/.test(x.key)));
    assert.ok(report.maxErr < 1e-3, `max scaled error ${report.maxErr}`);
  }, { only: ["cpu", "wasm"] });
}

testOnBackends("conform: a mutated TRM weight fails the unmodified case", async () => {
  const c = await loadCase(caseDir("trm-att-rope"));
  // One row of the shared network's last MLP moved by 1% of the matrix's largest entry.
  const p = c.params.get("model.inner.L_level.layers.1.mlp.down_proj.weight")!;
  const d = p.data as Float32Array;
  const big = d.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  for (let j = 0; j < p.shape[1]; j++) d[j] += 0.01 * big * (j % 2 ? 1 : -1);
  const report = await runCase(c, { train: false });
  assert.ok(!report.pass);
  assert.ok(report.comparisons.some((x) => x.key === "step4.z_H" && !x.pass));
  // The mlp_t variant: a 1% scaled position-mixing weight fails too.
  const m = await loadCase(caseDir("trm-mlp"));
  const w = m.params.get("model.inner.L_level.layers.0.mlp_t.down_proj.weight")!
    .data as Float32Array;
  for (let i = 0; i < w.length; i++) w[i] *= 1.01;
  const failed = (await runCase(m, { train: false })).comparisons.filter((x) => !x.pass);
  assert.ok(failed.some((x) => x.key === "step3.z_L"), failed.map((x) => x.key).join());
}, { only: ["cpu"] });

// WebGPU runs on a software adapter here: the evaluation unroll of the smallest case only.
testOnBackends("conform: TRM trm-att-learned eval unroll", async () => {
  const report = await runCase(await loadCase(caseDir("trm-att-learned")), { train: false });
  assert.ok(report.pass, report.comparisons.filter((c) => !c.pass).map((c) => c.key).join(", "));
}, { only: ["webgpu"] });
