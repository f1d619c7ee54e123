/**
 * End to end: `deno task sweep` on the smoke profile's Sudoku, two grid points
 * (arch.H_cycles=1,2), HRM and the baseline, one seed, real training and
 * evaluation on wasm in a scratch folder: every run finishes, the point equal to
 * the smoke profile's HRM gives the golden report's numbers, the sweep report
 * holds both points with their Wilson intervals and a paired comparison, and
 * a resume skips every finished run.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { SweepReportSchema } from "../reproduce/sweep_report.ts";
import { ROOT, runCliOk } from "./run_cli.ts";

Deno.test({
  name: "sweep: two grid points on smoke data, report with intervals, resume skips (wasm)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "hrm-sweep-" });
    try {
      await Deno.symlink(join(ROOT, "fixtures"), join(dir, "fixtures"));
      const common = ["--backend", "wasm", "--jobs", "1", "--quiet"];
      await runCliOk("cli/sweep.ts", [
        "--profile",
        "smoke",
        "--task",
        "sudoku",
        "--grid",
        "arch.H_cycles=1,2",
        "--models",
        "hrm,direct_pred",
        "--name",
        "s",
        ...common,
      ], dir);
      const sweepDir = join(dir, "reports", "s");
      const report = SweepReportSchema.parse(
        JSON.parse(await Deno.readTextFile(join(sweepDir, "sweep-report.json"))),
      );
      assert.deepEqual(report.points.map((p) => p.values), [
        { "arch.H_cycles": "1" },
        { "arch.H_cycles": "2" },
      ]);
      for (const p of report.points) {
        assert.deepEqual(p.models.map((m) => m.model), ["hrm", "direct_pred"]);
        for (const m of p.models) {
          assert.equal(m.seeds.length, 1);
          assert.equal(m.seeds[0].n, 8, "the smoke Sudoku has 8 test puzzles");
          assert.equal(m.summary?.seeds, 1);
          assert.match(m.summary!.method, /Wilson/);
        }
        assert.equal(p.comparisons.length, 1);
        assert.equal(p.comparisons[0].per_seed[0].n, 8);
      }
      // The point H_cycles=1 is the smoke profile's own HRM: the same pipeline gives the golden
      // report's numbers exactly; at H_cycles=2 the trainer got the point's setting.
      const golden = JSON.parse(
        await Deno.readTextFile(join(ROOT, "fixtures/smoke/golden-report.json")),
      );
      const p0 = JSON.parse(
        await Deno.readTextFile(join(sweepDir, "point_0", "hrm", "seed_0", "result.json")),
      );
      assert.deepEqual(p0.metrics, golden.sudoku.models[0].metrics);
      const cfg = JSON.parse(
        await Deno.readTextFile(join(sweepDir, "point_1", "hrm", "seed_0", "config.json")),
      );
      assert.ok(JSON.stringify(cfg).includes('"H_cycles":2'), "point_1 trained with H_cycles 2");
      const html = await Deno.readTextFile(join(sweepDir, "sweep.html"));
      assert.ok((html.match(/<svg/g) ?? []).length >= 1, "a plot per swept key");
      assert.match(
        await Deno.readTextFile(join(sweepDir, "sweep.md")),
        /\| point_0 \| 1 \| hrm \|/,
      );
      const again = await runCliOk("cli/sweep.ts", ["--resume", "s", ...common], dir);
      assert.equal((again.match(/already finished, skipped/g) ?? []).length, 4);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
