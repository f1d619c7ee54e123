import assert from "node:assert/strict";
import { join } from "node:path";
import { parseSeeds, seedDir, seedEntry, seedSummary } from "./seeds.ts";
import { type Pipeline, reproduce } from "./reproduce.ts";
import { notRunResult } from "./report/build.ts";
import { TaskReportSchema } from "./report/schema.ts";
import { writeEvalOutputs } from "../io/mod.ts";
import { wilson } from "./stats.ts";
import { fakeDataset, fakeEnvironment } from "./testing.ts";

Deno.test("--seeds: a count or a list, checked in one line", () => {
  assert.deepEqual(parseSeeds("3"), [0, 1, 2]);
  assert.deepEqual(parseSeeds("4,7"), [4, 7]);
  assert.deepEqual(parseSeeds("1"), [0]);
  assert.throws(() => parseSeeds("0"), /at least 1/);
  assert.throws(() => parseSeeds("1,1"), /repeated/);
  assert.throws(() => parseSeeds("a"), /--seeds 'a': expected N/);
  assert.equal(seedDir("t", "hrm", 2, true), join("t", "hrm", "seed_2"));
  assert.equal(seedDir("t", "hrm", 2, false), join("t", "hrm"));
});

Deno.test("seed summary: Wilson for one seed, t over seeds for several", () => {
  const r = (exact: number) => ({
    ...notRunResult("hrm", ""),
    status: "done" as const,
    metrics: { exact_accuracy: exact, count: 10 },
  });
  const one = seedEntry(0, r(0.5));
  assert.equal(one.correct, 5);
  assert.deepEqual(one.ci95, wilson(5, 10));
  const s1 = seedSummary([one], "exact_accuracy");
  assert.deepEqual(s1.ci95, wilson(5, 10));
  assert.equal(s1.sd, null);
  const s3 = seedSummary([seedEntry(0, r(0.1)), seedEntry(1, r(0.2)), seedEntry(2, r(0.3))], "x");
  assert.ok(Math.abs(s3.mean - 0.2) < 1e-12);
  assert.ok(Math.abs(s3.sd! - 0.1) < 1e-12);
  const half = 4.302652729911275 * 0.1 / Math.sqrt(3);
  assert.ok(Math.abs(s3.ci95![1] - (0.2 + half)) < 1e-9);
  assert.equal(s3.ci95![0], 0, "clipped at 0");
  assert.match(s3.method, /t interval over 3 seeds \(df 2\)/);
  // Seeds that agree (sd 0) still carry the test rows' noise: the pooled Wilson interval.
  const same = seedSummary([seedEntry(0, r(0)), seedEntry(1, r(0))], "exact_accuracy");
  assert.deepEqual(same.ci95, wilson(0, 20));
  assert.match(same.method, /widened to the pooled Wilson interval of 0\/20/);
  const flat = seedSummary([seedEntry(0, r(0)), seedEntry(1, r(0))], "pass@2");
  assert.equal(flat.ci95, null, "equal seeds of another metric: no interval");
  assert.match(flat.method, /all seeds equal/);
});

Deno.test("seed summary: a headline over the task's own units (tasks) gets their Wilson interval", () => {
  // 8 test rows, but the headline (pass@2 under the all-tests rule) counts 2 of 5 tasks.
  const r = (solved: number[]) => ({
    ...notRunResult("hrm", "", "pass@2_all_tests"),
    status: "done" as const,
    metrics: { exact_accuracy: 0.5, count: 8, "pass@2_all_tests": 0.4 },
    headlineUnits: { unit: "tasks", names: ["a", "b", "c", "d", "e"], solved },
  });
  const one = seedEntry(0, r([1, 0, 1, 0, 0]));
  assert.deepEqual([one.n, one.correct], [8, 4], "exact accuracy stays over rows");
  assert.deepEqual([one.headline_unit, one.headline_n, one.headline_correct], ["tasks", 5, 2]);
  assert.deepEqual(one.headline_ci95, wilson(2, 5));
  const s1 = seedSummary([one], "pass@2_all_tests");
  assert.deepEqual(s1.ci95, wilson(2, 5));
  assert.equal(s1.method, "Wilson interval of 2/5 tasks (one seed: test tasks only)");
  // Two seeds that agree: the pooled Wilson interval of 4/10 tasks, not a zero-width one.
  const two = seedSummary([one, seedEntry(1, r([0, 1, 0, 0, 1]))], "pass@2_all_tests");
  assert.deepEqual(two.ci95, wilson(4, 10));
  assert.match(two.method, /widened to the pooled Wilson interval of 4\/10 tasks/);
  // A headline with no units (not exact accuracy, none given): no interval from one seed.
  const none = seedEntry(0, { ...r([1]), headlineUnits: undefined });
  assert.equal(none.headline_n, undefined);
  assert.equal(seedSummary([none], "pass@2_all_tests").ci95, null);
});

/** 20 test rows of 4 tokens; `solved` says which rows a model predicts exactly. */
async function writeOutputs(path: string, solved: (r: number) => boolean): Promise<void> {
  const N = 20, S = 4;
  const inputs = new Uint8Array(N * S),
    labels = new Uint8Array(N * S),
    preds = new Uint8Array(N * S);
  for (let r = 0; r < N; r++) {
    for (let k = 0; k < S; k++) {
      inputs[r * S + k] = 1 + ((r + k) % 5);
      labels[r * S + k] = 2 + k;
      preds[r * S + k] = solved(r) || k > 0 ? 2 + k : 9;
    }
  }
  await writeEvalOutputs(path, {
    seqLen: S,
    puzzleIdentifiers: Int32Array.from({ length: N }, (_, r) => r + 1),
    inputs,
    labels,
    preds,
    qHaltLogits: new Float32Array(N),
  });
}

Deno.test("two seeds: per-seed entries, summaries and a paired comparison in report.json", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const calls: string[] = [];
    const pipeline: Pipeline = {
      environment: () => Promise.resolve(fakeEnvironment(2)),
      buildData: (plan) => fakeDataset(plan),
      async runModel(_plan, model, ctx) {
        calls.push(`${model.id} ${ctx.seed} ${ctx.outDir.slice(dir.length)}`);
        // HRM solves rows seed..seed+14, the baseline rows 0..4.
        const hrm = model.id === "hrm";
        const solved = (r: number) => hrm ? r >= ctx.seed && r < ctx.seed + 15 : r < 5;
        await writeOutputs(join(ctx.outDir, "out.safetensors"), solved);
        const k = Array.from({ length: 20 }, (_, r) => r).filter(solved).length;
        return {
          ...notRunResult(model.id, ""),
          status: "done",
          reason: undefined,
          metrics: { exact_accuracy: k / 20, count: 20 },
          outputsFile: "out.safetensors",
        };
      },
    };
    const runDir = await reproduce(pipeline, {
      profile: "smoke",
      tasks: ["maze"],
      checkpoints: {},
      seed: 0,
      seeds: [0, 1],
      reportsDir: join(dir, "reports"),
      dataRoot: join(dir, "data"),
      log: () => {},
    });
    // Seed by seed, the models in plan order within each, each seed in its own folder.
    const at = (m: string, seed: number) =>
      `${m} ${seed} /reports/${runDir.split("/").at(-1)}/maze/${m}/seed_${seed}`;
    assert.deepEqual(calls, [
      at("hrm", 0),
      at("direct_pred", 0),
      at("trm", 0),
      at("hrm", 1),
      at("direct_pred", 1),
      at("trm", 1),
    ]);
    const report = TaskReportSchema.parse(
      JSON.parse(await Deno.readTextFile(join(runDir, "maze", "report.json"))),
    );
    const hrm = report.models[0];
    assert.deepEqual(hrm.seeds?.map((s) => [s.seed, s.n, s.correct]), [[0, 20, 15], [1, 20, 15]]);
    assert.deepEqual(hrm.seeds?.[1].ci95, wilson(15, 20));
    assert.equal(hrm.summary?.seeds, 2);
    assert.ok(Math.abs(hrm.metrics.exact_accuracy - 0.75) < 1e-12, "mean over seeds");
    assert.match(hrm.summary!.method, /t interval over 2 seeds/);
    assert.equal(report.cells[0].seeds, 2);
    assert.equal(report.cells[0].ours, 75);
    const [c] = report.comparisons!;
    assert.equal(c.a, "hrm");
    assert.equal(c.b, "direct_pred");
    // Seed 0: rows 5..14 only HRM (10 vs 0); seed 1: rows 5..15 HRM only (11), row 0 baseline only.
    assert.deepEqual(c.per_seed.map((s) => [s.a_only, s.b_only]), [[10, 0], [11, 1]]);
    assert.equal(c.per_seed[0].p_value, 2 / 1024);
    assert.ok(Math.abs(c.difference - 20 / 40) < 1e-12);
    assert.ok(Math.abs(c.p_value - 2 * 23 / 2 ** 22) < 1e-15, "pooled 21 vs 1");
    assert.equal(c.verdict, "ahead");
    assert.match(c.method, /pooled over 2 seeds/);
    // TRM (solving the baseline's rows here) against HRM and against the baseline.
    assert.deepEqual(report.comparisons!.map((x) => [x.a, x.b, x.verdict]), [
      ["hrm", "direct_pred", "ahead"],
      ["trm", "hrm", "behind"],
      ["trm", "direct_pred", "not distinguishable at 95%"],
    ]);
    const base = {
      profile: "smoke" as const,
      checkpoints: {},
      seed: 0,
      reportsDir: join(dir, "reports"),
      dataRoot: join(dir, "data"),
      log: () => {},
    };
    await assert.rejects(
      reproduce(pipeline, { ...base, resume: runDir.split("/").at(-1), seeds: [0, 1, 2] }),
      /the run used seeds 0,1, not 0,1,2/,
    );
    await assert.rejects(
      reproduce(pipeline, { ...base, seeds: [0, 1], checkpoints: { "maze.hrm": "w" } }),
      /--seeds with --checkpoint/,
    );
    const md = await Deno.readTextFile(join(runDir, "maze", "report.md"));
    assert.match(md, /hrm is ahead of direct\\_pred|hrm is ahead of direct_pred/);
    assert.match(await Deno.readTextFile(join(runDir, "summary.md")), /maze: hrm is ahead of/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
