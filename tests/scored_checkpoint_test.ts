/**
 * The reproduce pipeline's choice of the scored checkpoint (`--score-checkpoint`),
 * its sampled evaluation (`--eval-sample`), and a training run that stops on a
 * non-finite loss: the last good checkpoint is scored, the result marked, and
 * the rest of the run goes on.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { realPipeline } from "../reproduce/pipeline.ts";
import { type Pipeline, reproduce } from "../reproduce/reproduce.ts";
import type { TaskPlan } from "../reproduce/plan.ts";
import { TaskReportSchema } from "../reproduce/report/schema.ts";
import { wilson } from "../reproduce/stats.ts";
import { configFromArgs, readMetrics, runEvaluation, runTraining } from "../train/mod.ts";
import { SMALL_DATASET, TINY_ARCH, writeSyntheticDataset } from "../tasks/synthetic.ts";
import { testBackends } from "../backends/testing.ts";
import { getProfile } from "../reproduce/profiles.ts";
import { loadPaperFixtures } from "../reproduce/paper.ts";
import { ROOT } from "./run_cli.ts";
import { fakeDataset, fakeEnvironment } from "../reproduce/testing.ts";

const backend = testBackends().includes("wasm") ? "wasm" : "cpu";
const opts = { sanitizeResources: false, sanitizeOps: false };

/** A one-model plan on synthetic data (scored with the sudoku task's generic cell scores). */
function syntheticPlan(dataDir: string): TaskPlan {
  return {
    task: "sudoku",
    label: "synthetic",
    taskModule: "sudoku",
    dataDir,
    build: [],
    train: [],
    models: [],
    evalSegments: [1, 2],
    examples: 1,
    differences: [],
    paperRun: "sudoku",
  };
}

const model = (dataDir: string, extra: string[] = []) => ({
  id: "hrm",
  label: "HRM",
  paperModel: "hrm",
  overrides: [
    `data_path=${dataDir}`,
    "global_batch_size=4",
    "epochs=3",
    "eval_interval=1",
    "lr_warmup_steps=1",
    "checkpoint_every=0",
    ...TINY_ARCH,
    "arch.halt_max_steps=2",
    ...extra,
  ],
});

Deno.test({
  ...opts,
  name:
    `pipeline: eval=2 scores the 2nd evaluation's checkpoint, with the numbers of evaluating it directly [${backend}]`,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const data = join(dir, "data");
      await writeSyntheticDataset(data, { ...SMALL_DATASET, testExamples: 10 });
      const outDir = join(dir, "hrm");
      const r = await realPipeline(backend, { quiet: true }).runModel(
        syntheticPlan(data),
        model(data),
        {
          outDir,
          resume: false,
          seed: 0,
          scoreCheckpoint: "eval=2",
          evalSample: { size: 3, seed: 1 },
          log: () => {},
        },
      );
      // Evaluations at steps 2, 4, 6: the 2nd is step 4.
      assert.deepEqual(r.scoredCheckpoint, {
        rule: "eval=2",
        step: 4,
        evaluation: 2,
        evaluations: 3,
        note: "the 2nd of 3 evaluations (step 4)",
      });
      assert.equal(r.checkpoint, join(outDir, "checkpoints", "step_4.safetensors"));
      assert.equal(r.trainSteps, 6);
      assert.equal(r.training, undefined);
      // The sample: 3 of the 5 groups (two one-row puzzles each), Wilson of its rows.
      const s = r.sample!;
      assert.deepEqual([s.size, s.population, s.seed, s.unit], [3, 5, 1, "puzzle groups"]);
      assert.equal(r.metrics.count, s.rows);
      assert.equal(s.correct, Math.round(r.metrics.exact_accuracy * s.rows));
      assert.deepEqual(s.ci95, wilson(s.correct, s.rows));
      assert.equal(s.text, `3 of 5 test puzzle groups, seed 1 (${s.rows} test rows)`);
      // The same numbers as evaluating that checkpoint directly on the same sample.
      const direct = await runEvaluation({
        checkpoint: r.checkpoint!,
        overrides: [`run_dir=${join(dir, "direct")}`],
        sample: { size: 3, seed: 1 },
        quiet: true,
      });
      for (const k of ["count", "exact_accuracy", "accuracy", "steps", "lm_loss"] as const) {
        assert.equal(r.metrics[k], direct.sets.all[k], k);
      }
      // A full evaluation of step 4 gives the training-time evaluation's numbers.
      const full = await runEvaluation({
        checkpoint: r.checkpoint!,
        overrides: [`run_dir=${join(dir, "full")}`],
        quiet: true,
      });
      const during = (await readMetrics(join(outDir, "metrics.jsonl"))).find((x) =>
        x.kind === "eval" && x.step === 4
      )!;
      assert.equal(full.sets.all.exact_accuracy, during.exact_accuracy);
      assert.equal(full.sets.all.count, during.count);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  ...opts,
  name:
    `pipeline: a sample larger than the test split is refused in one line before training [${backend}]`,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const data = join(dir, "data");
      await writeSyntheticDataset(data, { ...SMALL_DATASET, testExamples: 4 });
      const err = await realPipeline(backend, { quiet: true }).runModel(
        syntheticPlan(data),
        model(data),
        {
          outDir: join(dir, "hrm"),
          resume: false,
          seed: 0,
          evalSample: { size: 9, seed: 0 },
          log: () => {},
        },
      ).then(() => undefined, (e: Error) => e);
      assert.match(err!.message, /^--eval-sample 9: .*has only 2 test groups/);
      await assert.rejects(Deno.stat(join(dir, "hrm", "metrics.jsonl")));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  ...opts,
  name:
    `reproduce: HRM's loss turns non-finite; its last good checkpoint is scored and marked, the baseline still runs [${backend}]`,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const real = realPipeline(backend, { quiet: true });
      // The test's hook: HRM trains 3 steps as planned (an evaluation and a checkpoint at
      // step 3), then continues with an absurd learning rate; the trainer's own check stops
      // it on the first non-finite loss. The baseline trains as planned.
      const pipeline: Pipeline = {
        environment: () => real.environment(),
        buildData: (plan, log) => real.buildData(plan, log),
        runModel: async (plan, spec, ctx) => {
          if (spec.id !== "hrm") return real.runModel(plan, spec, ctx);
          await runTraining(
            configFromArgs([
              ...spec.overrides,
              `run_dir=${ctx.outDir}`,
              `seed=${ctx.seed}`,
              `backend=${backend}`,
              "workers=1",
              "max_steps=3",
            ]),
            { quiet: true },
          );
          const absurd = [
            ...spec.overrides,
            "lr=1e38",
            "lr_warmup_steps=0",
            "resume_override=true",
          ];
          return real.runModel(plan, { ...spec, overrides: absurd }, { ...ctx, resume: true });
        },
      };
      const lines: string[] = [];
      const runDir = await reproduce(pipeline, {
        profile: "smoke",
        tasks: ["sudoku"],
        run: "nan",
        checkpoints: {},
        seed: 0,
        dataRoot: join(dir, "data"),
        reportsDir: join(dir, "reports"),
        log: (l) => lines.push(l),
      });
      const report = TaskReportSchema.parse(
        JSON.parse(await Deno.readTextFile(join(runDir, "sudoku", "report.json"))),
      );
      const hrm = report.models.find((m) => m.model === "hrm")!;
      const base = report.models.find((m) => m.model === "direct_pred")!;
      assert.equal(hrm.status, "done");
      const stop = /^non-finite loss at step (\d+)$/.exec(hrm.training!.stopped);
      assert.ok(stop, hrm.training!.stopped);
      // Step 4's update overflows the weights, step 5's loss is not finite; the state saved
      // at the stop (step 4) is the one that failed, so step 3's checkpoint is scored.
      assert.equal(stop[1], "5");
      assert.equal(hrm.training!.scored_step, 3);
      assert.equal(hrm.scoredCheckpoint!.step, 3);
      assert.match(hrm.scoredCheckpoint!.note, /^the last good checkpoint \(step 3\)/);
      assert.equal(hrm.trainSteps, 4);
      assert.ok(Number.isFinite(hrm.metrics.exact_accuracy));
      assert.equal(base.status, "done");
      assert.equal(base.training, undefined);
      assert.equal(base.scoredCheckpoint!.rule, "last");
      const mark = `training stopped early (non-finite loss at step ${stop[1]})`;
      for (const f of ["summary.md", "index.html", "sudoku/report.md", "sudoku/report.html"]) {
        assert.ok((await Deno.readTextFile(join(runDir, f))).includes(mark), f);
      }
      assert.ok(
        lines.some((l) => l.includes("scoring the last good checkpoint")),
        lines.join("\n"),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("reproduce CLI: a bad --score-checkpoint or --eval-sample is one line, before any work", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (
      const [args, want] of [
        [["--score-checkpoint", "best"], /--score-checkpoint 'best': expected last, best-train/],
        [["--eval-sample", "0"], /--eval-sample '0': expected a positive integer/],
        [["--eval-seed", "3"], /--eval-seed needs --eval-sample N/],
      ] as const
    ) {
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          join(ROOT, "cli/reproduce.ts"),
          "--profile",
          "smoke",
          "--reports",
          join(dir, "reports"),
          ...args,
        ],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).output();
      assert.notEqual(out.code, 0);
      const err = new TextDecoder().decode(out.stderr).trim();
      assert.match(err, want);
      assert.equal(err.split("\n").length, 1, err);
      await assert.rejects(Deno.stat(join(dir, "reports")));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("paper profile: the ARC tasks score the 8th evaluation (the official notebook's step_414456)", async () => {
  const paper = getProfile("paper", await loadPaperFixtures());
  for (const plan of paper.tasks) {
    const arc = plan.task === "arc1" || plan.task === "arc2";
    assert.equal(plan.scoreCheckpoint, arc ? "eval=8" : undefined, plan.task);
    if (!arc) continue;
    assert.match(plan.scoreCheckpointWhy!, /step_414456, the 8th of 10 evaluations/);
    // 10 evaluations in the paper's ARC runs: epochs / eval_interval.
    const config = configFromArgs(plan.models[0].overrides);
    assert.equal(config.epochs / config.eval_interval!, 10);
  }
});

Deno.test("reproduce: --score-checkpoint and --eval-sample reach every model, are kept in run.json, and a resume keeps them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const seen: string[] = [];
    const fake: Pipeline = {
      environment: () => Promise.resolve(fakeEnvironment(1)),
      buildData: (plan) => fakeDataset(plan),
      runModel(_plan, spec, ctx) {
        seen.push(`${spec.id} ${ctx.scoreCheckpoint} ${JSON.stringify(ctx.evalSample)}`);
        return Promise.reject(new Error("stop here"));
      },
    };
    const common = {
      profile: "smoke" as const,
      tasks: ["sudoku" as const],
      checkpoints: {},
      seed: 0,
      dataRoot: join(dir, "data"),
      reportsDir: join(dir, "reports"),
      log: () => {},
    };
    await assert.rejects(
      reproduce(fake, {
        ...common,
        run: "r",
        scoreCheckpoint: "best-train",
        evalSample: { size: 5, seed: 2 },
      }),
      /stop here/,
    );
    assert.deepEqual(seen, ['hrm best-train {"size":5,"seed":2}']);
    const manifest = JSON.parse(await Deno.readTextFile(join(dir, "reports", "r", "run.json")));
    assert.equal(manifest.scoreCheckpoint, "best-train");
    assert.deepEqual(manifest.evalSample, { size: 5, seed: 2 });
    // A resume keeps them (given again or not); another value is refused in one line.
    await assert.rejects(reproduce(fake, { ...common, resume: "r" }), /stop here/);
    assert.equal(seen[1], 'hrm best-train {"size":5,"seed":2}');
    await assert.rejects(
      reproduce(fake, { ...common, resume: "r", scoreCheckpoint: "last" }),
      /^Error: --resume r: the run's --score-checkpoint is 'best-train', not 'last'$/,
    );
    await assert.rejects(
      reproduce(fake, { ...common, resume: "r", evalSample: { size: 6, seed: 2 } }),
      /--resume r: the run's evaluation sample is \{"size":5,"seed":2\}/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("eval CLI: --eval-sample 0 is refused in one line before anything runs", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      join(ROOT, "cli/eval.ts"),
      "--eval-sample",
      "0",
      "checkpoint=none.safetensors",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.notEqual(out.code, 0);
  const err = new TextDecoder().decode(out.stderr).trim();
  assert.match(err, /--eval-sample '0': expected a positive integer/);
  assert.equal(err.split("\n").length, 1);
});
