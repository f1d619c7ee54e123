/**
 * End to end: `deno task reproduce --profile smoke --task maze --seeds 2` on
 * wasm in a scratch folder (real data, training and evaluation): each model
 * trains once per seed in its own folder, `report.json` holds per-seed entries
 * with Wilson intervals, summaries over seeds and a paired comparison read
 * from the saved evaluation outputs, no cell says "reproduced" (a scaled-down
 * run), and a resume reruns only the seed whose result is missing.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { TaskReportSchema } from "../reproduce/report/schema.ts";
import { wilson } from "../reproduce/stats.ts";
import { ROOT, runCliOk } from "./run_cli.ts";

Deno.test({
  name: "smoke profile with two seeds: per-seed entries, summaries, a comparison (wasm)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "hrm-seeds-" });
    try {
      await Deno.symlink(join(ROOT, "fixtures"), join(dir, "fixtures"));
      const common = ["--backend", "wasm", "--jobs", "1", "--quiet"];
      await runCliOk("cli/reproduce.ts", [
        "--profile",
        "smoke",
        "--task",
        "maze",
        "--seeds",
        "0,1",
        "--run",
        "two",
        ...common,
      ], dir);
      const runDir = join(dir, "reports", "two");
      for (const m of ["hrm", "direct_pred", "trm"]) {
        for (const s of [0, 1]) {
          assert.ok((await Deno.stat(join(runDir, "maze", m, `seed_${s}`, "result.json"))).isFile);
        }
      }
      const report = TaskReportSchema.parse(
        JSON.parse(await Deno.readTextFile(join(runDir, "maze", "report.json"))),
      );
      for (const m of report.models) {
        assert.deepEqual(m.seeds?.map((s) => s.seed), [0, 1]);
        for (const s of m.seeds!) {
          assert.equal(s.n, 8, "the smoke maze has 8 test mazes");
          assert.deepEqual(s.ci95, wilson(s.correct, s.n));
        }
        assert.equal(m.summary?.seeds, 2);
        assert.match(m.summary!.method, /t interval over 2 seeds/);
      }
      assert.ok(report.cells.every((c) => c.status !== "reproduced" && c.seeds === 2));
      const [c] = report.comparisons!;
      assert.deepEqual(report.comparisons!.map((x) => `${x.a} ${x.b}`), [
        "hrm direct_pred",
        "trm hrm",
        "trm direct_pred",
      ]);
      assert.deepEqual(c.per_seed.map((s) => s.n), [8, 8]);
      assert.match(c.method, /pooled over 2 seeds/);
      assert.ok(["ahead", "behind", "not distinguishable at 95%"].includes(c.verdict));
      const summary = await Deno.readTextFile(join(runDir, "summary.md"));
      assert.match(summary, /maze: hrm (is ahead of|is behind|and direct_pred are not)/);
      // Resume works per seed: only the seed whose result is missing runs again.
      await Deno.remove(join(runDir, "maze", "done"));
      await Deno.remove(join(runDir, "maze", "direct_pred", "seed_1", "result.json"));
      const again = await runCliOk("cli/reproduce.ts", ["--resume", "two", ...common], dir);
      // 3 models x 2 seeds, less the one removed.
      assert.equal((again.match(/already finished, skipped/g) ?? []).length, 5);
      assert.match(again, /model 2\/3 direct_pred seed 1: training/);
      const resumed = JSON.parse(await Deno.readTextFile(join(runDir, "maze", "report.json")));
      assert.deepEqual(resumed.models, JSON.parse(JSON.stringify(report.models)));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
