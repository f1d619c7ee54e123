/**
 * End to end: `deno task reproduce --profile smoke` (data, training of HRM and
 * the Direct-pred baseline, evaluation, ARC scoring, reports) in a scratch
 * folder, compared with the committed golden report
 * (`fixtures/smoke/golden-report.json`): every number exact on the wasm
 * backend, environment and timings excluded. Any change of behaviour anywhere
 * in the pipeline shows up here as a diff.
 *
 * `HRM_UPDATE_GOLDEN=1 deno test -A tests/smoke_test.ts` rewrites the golden
 * file after an intended change (review the diff before committing it).
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { stripVolatile, TaskReportSchema } from "../reproduce/report/schema.ts";
import { ROOT, runCliOk } from "./run_cli.ts";

const GOLDEN = join(ROOT, "fixtures/smoke/golden-report.json");
const TASKS = ["sudoku", "maze", "arc1"];

Deno.test({
  name: "smoke profile end to end matches the golden report (wasm)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "hrm-smoke-" });
    try {
      // Paths in the profile are relative (data/smoke/..., fixtures/arc): run where they resolve
      // the same way as in the repository, without writing into it.
      await Deno.symlink(join(ROOT, "fixtures"), join(dir, "fixtures"));
      await runCliOk(
        "cli/reproduce.ts",
        [
          "--profile",
          "smoke",
          "--run",
          "golden",
          "--backend",
          "wasm",
          "--quiet",
        ],
        dir,
      );
      const runDir = join(dir, "reports", "golden");
      const got: Record<string, unknown> = {};
      for (const task of TASKS) {
        const report = TaskReportSchema.parse(
          JSON.parse(await Deno.readTextFile(join(runDir, task, "report.json"))),
        );
        assert.equal(report.environment.backend, "wasm");
        got[task] = stripVolatile(report);
      }
      for (const f of ["index.html", "summary.md"]) {
        assert.ok((await Deno.stat(join(runDir, f))).size > 0);
      }
      // Every task's report has the Analyses section (deno task analyze, run by reproduce); where
      // it saw every test row, its accuracy at the trained segment count is the evaluation's.
      for (const task of TASKS) {
        const md = await Deno.readTextFile(join(runDir, task, "report.md"));
        assert.match(md, /\n## Analyses \(paper figures 3, 5, 7, 8\)\n/, `${task}: report.md`);
        const html = await Deno.readTextFile(join(runDir, task, "report.html"));
        assert.match(html, /<h2>Analyses \(paper figures 3, 5, 7, 8\)<\/h2>/, `${task}: html`);
        const report = got[task] as {
          models: { model: string; metrics: Record<string, number> }[];
          analyses?: {
            model_id: string;
            samples: number;
            test_rows: number;
            trained_halt_max_steps: number;
            inference_scaling: { segments: number; exact_accuracy: number }[];
            figures: Record<string, string>;
          }[];
        };
        const a = report.analyses?.find((x) => x.model_id === "hrm");
        assert.ok(a, `${task}: no HRM analysis in report.json`);
        for (const f of Object.values(a.figures)) {
          assert.ok((await Deno.stat(join(runDir, task, "hrm", f))).size > 0, f);
        }
        if (task === "arc1") continue; // ARC's test split is larger than the smoke sample
        assert.equal(a.samples, a.test_rows, `${task}: the smoke analysis sees every test row`);
        const at = a.inference_scaling.find((p) => p.segments === a.trained_halt_max_steps)!;
        const hrm = report.models.find((m) => m.model === "hrm")!;
        assert.equal(at.exact_accuracy, hrm.metrics.exact_accuracy, `${task}: scaling vs eval`);
      }
      if (Deno.env.get("HRM_UPDATE_GOLDEN") === "1") {
        await Deno.writeTextFile(GOLDEN, JSON.stringify(got, null, 2) + "\n");
        console.log(`wrote ${GOLDEN}`);
        return;
      }
      const golden = JSON.parse(await Deno.readTextFile(GOLDEN));
      for (const task of TASKS) {
        assert.deepEqual(got[task], golden[task], `${task}: report differs from the golden`);
      }
      // `deno task report` rebuilds the same reports from the saved files.
      const before = await Deno.readTextFile(join(runDir, "sudoku", "report.json"));
      const rebuild = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--config",
          join(ROOT, "deno.json"),
          join(ROOT, "cli/report.ts"),
          "golden",
        ],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(rebuild.code, 0, new TextDecoder().decode(rebuild.stderr));
      assert.equal(await Deno.readTextFile(join(runDir, "sudoku", "report.json")), before);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
