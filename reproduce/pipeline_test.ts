import assert from "node:assert/strict";
import { join } from "node:path";
import { haltingHistogram, sweepSegments, workerPipeline } from "./pipeline.ts";
import { smokeProfile } from "./profile_small.ts";

Deno.test("segment sweep: every count up to 8, then powers of two and the maximum", () => {
  assert.deepEqual(sweepSegments(1), [1]);
  assert.deepEqual(sweepSegments(4), [1, 2, 3, 4]);
  assert.deepEqual(sweepSegments(16), [1, 2, 4, 8, 16]);
  assert.deepEqual(sweepSegments(12), [1, 2, 4, 8, 12]);
});

Deno.test("halting histogram: first segment with q_halt > q_continue, else the last", () => {
  const f = (...v: number[]) => Float32Array.from(v);
  // Three rows over segments 1, 2, 4: row 0 halts at 1, row 1 at 4, row 2 never (counted at 4).
  const q = [
    { halt: f(1, -1, -1), cont: f(0, 0, 0) },
    { halt: f(1, -1, -1), cont: f(0, 0, 0) },
    { halt: f(-1, 2, -1), cont: f(0, 1, 0) },
  ];
  assert.deepEqual(haltingHistogram([1, 2, 4], q), [{ steps: 1, count: 1 }, {
    steps: 4,
    count: 2,
  }]);
  // Equal logits do not halt (strictly greater, as ACT's q_halt > q_continue).
  assert.deepEqual(haltingHistogram([1], [{ halt: f(0), cont: f(0) }]), [{ steps: 1, count: 1 }]);
});

Deno.test({
  name: "worker pipeline: a model's failure comes back as one line naming the model",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const plan = smokeProfile().tasks[0];
      const missing = join(dir, "no-such-data");
      const model = {
        ...plan.models[0],
        overrides: [...plan.models[0].overrides, `data_path=${missing}`],
      };
      const err = await workerPipeline("cpu", { quiet: true }).runModel(plan, model, {
        outDir: join(dir, "out"),
        resume: false,
        seed: 0,
        log: () => {},
      }).then(() => undefined, (e: Error) => e);
      assert.ok(err instanceof Error, "the run must fail");
      assert.match(err.message, /no-such-data/);
      assert.ok(err.message.startsWith(`${plan.task}/${model.id}: `), err.message);
      assert.equal(err.message.split("\n").length, 1, err.message);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
