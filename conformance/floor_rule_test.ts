/**
 * The floor rule on an ill-conditioned case built from tiny-rope in a temp
 * dir (ill_conditioned.ts): it must pass the correct model and still fail a
 * mutated one.
 */
import assert from "node:assert/strict";
import { testOnBackends } from "../backends/testing.ts";
import { FLOOR_FACTOR, TOLERANCE } from "./compare.ts";
import { type ConformCase, loadCase, runCase } from "./conform.ts";
import { LATE_KEYS as LATE, SHIFT, writeIllConditioned } from "./ill_conditioned.ts";

const source = new URL("../fixtures/hrm-reference/tiny-rope", import.meta.url).pathname;

/** Loads the ill-conditioned case (built in a temp dir, removed after). */
async function illConditioned(withEval64 = true): Promise<ConformCase> {
  const dir = await Deno.makeTempDir({ prefix: "hrm-conform-" });
  try {
    await writeIllConditioned(source, dir, { withEval64 });
    return await loadCase(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

testOnBackends(
  "conform floor rule: an ill-conditioned late segment passes by its floor",
  async () => {
    const report = await runCase(await illConditioned());
    assert.ok(report.pass, report.comparisons.filter((c) => !c.pass).map((c) => c.key).join());
    for (const key of LATE) {
      const c = report.comparisons.find((x) => x.key === key)!;
      // The correct model is 1.5e-3..2.5e-3 of scale away: beyond 1e-3, within FLOOR_FACTOR floors.
      assert.ok(c.err > 1.5e-3 && c.err < 2.5e-3, `${key}: err ${c.err}`);
      assert.ok(Math.abs(c.floor! - SHIFT / 2) < 1e-5, `${key}: floor ${c.floor}`);
      assert.equal(c.rule, "floor");
      assert.ok(c.bound > TOLERANCE && Math.abs(c.bound - FLOOR_FACTOR * c.floor!) < 1e-12);
    }
    // Everything else keeps 1e-3 of scale.
    const others = report.comparisons.filter((x) => !LATE.includes(x.key));
    assert.ok(others.every((x) => x.rule !== "floor"));
  },
  { only: ["cpu", "wasm"] },
);

testOnBackends("conform floor rule: without eval64 the same case fails by scale", async () => {
  const report = await runCase(await illConditioned(false));
  assert.ok(!report.pass);
  const failed = report.comparisons.filter((c) => !c.pass);
  assert.deepEqual(failed.map((c) => c.key).sort(), [...LATE].sort());
  assert.ok(failed.every((c) => c.rule === "scale"));
}, { only: ["cpu"] });

testOnBackends(
  "conform floor rule: a mutated weight still fails where the floor decides",
  async () => {
    const c = await illConditioned();
    // The output head scaled by 1.01: the logits move by ~1e-2 of scale.
    const head = c.params.get("model.inner.lm_head.weight")!.data as Float32Array;
    for (let i = 0; i < head.length; i++) head[i] *= 1.01;
    const report = await runCase(c);
    assert.ok(!report.pass);
    const logits = report.comparisons.find((x) => x.key === "step4.logits")!;
    assert.equal(logits.rule, "floor");
    assert.ok(!logits.pass && logits.err > logits.bound, `err ${logits.err} bound ${logits.bound}`);

    // One perturbed row of a recurrent weight: the late state fails its floor bound too.
    const c2 = await illConditioned();
    const w = c2.params.get("model.inner.H_level.layers.1.mlp.down_proj.weight")!;
    const d = w.data as Float32Array;
    const big = d.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    for (let j = 0; j < w.shape[1]; j++) d[5 * w.shape[1] + j] += 0.01 * big * (j % 2 ? 1 : -1);
    const r2 = await runCase(c2);
    assert.ok(!r2.pass);
    const late = r2.comparisons.filter((x) => LATE.includes(x.key) && !x.pass);
    assert.ok(late.some((x) => x.key === "step4.z_H" && x.rule === "floor"), JSON.stringify(late));
  },
  { only: ["cpu"] },
);
