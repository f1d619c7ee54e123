import assert from "node:assert/strict";
import { join } from "node:path";
import {
  parseCheckpoints,
  type Pipeline,
  reproduce,
  type ReproduceOptions,
  timestampName,
} from "./reproduce.ts";
import { notRunResult } from "./report/build.ts";
import { TaskReportSchema } from "./report/schema.ts";
import { acquireRunLock } from "../io/mod.ts";
import { fakeDataset, fakeEnvironment } from "./testing.ts";

/** A pipeline that fakes data and training; records what it was asked to do. */
function syntheticPipeline(failOn?: string) {
  const calls: string[] = [];
  let failed = false;
  const pipeline: Pipeline = {
    environment: () => Promise.resolve(fakeEnvironment(2)),
    async buildData(plan) {
      calls.push(`data ${plan.task}`);
      await fakeDataset(plan, `{"task":"${plan.task}"}`);
    },
    async runModel(plan, model, ctx) {
      const key = `${plan.task}.${model.id}`;
      calls.push(
        `${ctx.resume ? "resume" : "train"} ${key}${
          ctx.checkpoint ? ` ckpt=${ctx.checkpoint}` : ""
        }`,
      );
      if (key === failOn && !failed) {
        failed = true;
        throw new Error("interrupted");
      }
      await Deno.writeTextFile(join(ctx.outDir, "metrics.jsonl"), `{"step":1,"train/lm_loss":1}\n`);
      const exact = model.id === "hrm" ? 0.5 : 0.1;
      return {
        ...notRunResult(model.id, ""),
        status: "done",
        reason: undefined,
        metrics: { exact_accuracy: exact },
        trainSteps: 3,
      };
    },
  };
  return { pipeline, calls };
}

/** Runs `body` with a scratch folder for reports and data (no chdir: tests share the process). */
async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The scratch folder of the running test (set by each test). */
let scratch = "";

function options(extra: Partial<ReproduceOptions>): ReproduceOptions {
  return {
    profile: "smoke",
    checkpoints: {},
    seed: 0,
    reportsDir: join(scratch, "reports"),
    dataRoot: join(scratch, "data"),
    log: () => {},
    ...extra,
  };
}

Deno.test("reproduce runs every task of a profile and writes the reports", async () => {
  await inTempDir(async (dir) => {
    scratch = dir;
    const { pipeline, calls } = syntheticPipeline();
    const lines: string[] = [];
    const runDir = await reproduce(pipeline, options({ run: "r1", log: (l) => lines.push(l) }));
    assert.equal(runDir, join(scratch, "reports", "r1"));
    // Data first, then the models in plan order.
    assert.deepEqual(calls, [
      "data sudoku",
      "data maze",
      "data arc1",
      "train sudoku.hrm",
      "train sudoku.direct_pred",
      "train sudoku.trm",
      "train maze.hrm",
      "train maze.direct_pred",
      "train maze.trm",
      "train arc1.hrm",
      "train arc1.direct_pred",
      "train arc1.trm",
    ]);
    for (const t of ["sudoku", "maze", "arc1"]) {
      assert.ok((await Deno.stat(join(runDir, t, "done"))).isFile);
      const report = TaskReportSchema.parse(
        JSON.parse(await Deno.readTextFile(join(runDir, t, "report.json"))),
      );
      assert.deepEqual(report.cells.map((c) => c.ours), [50, 10, 10]);
      assert.equal(report.task.datasetDigest.length, 64);
      assert.equal(report.task.differences.at(-1)?.setting, "hardware / precision");
    }
    assert.match(
      await Deno.readTextFile(join(runDir, "summary.md")),
      /\| HRM \(27M\) \| 40\.3 \| 50\.0/,
    );
    assert.ok(lines.some((l) => l.startsWith("[2/3] maze")));
    await assert.rejects(
      reproduce(pipeline, options({ run: "r1" })),
      /already exists: .*--resume r1/,
    );
    // A second run reuses the built data.
    const again = syntheticPipeline();
    await reproduce(again.pipeline, options({ run: "r2", tasks: ["maze"] }));
    assert.deepEqual(again.calls, ["train maze.hrm", "train maze.direct_pred", "train maze.trm"]);
  });
});

Deno.test("an interrupted run resumes without redoing finished tasks or models", async () => {
  await inTempDir(async (dir) => {
    scratch = dir;
    const { pipeline, calls } = syntheticPipeline("maze.direct_pred");
    await assert.rejects(reproduce(pipeline, options({ run: "r" })), /interrupted/);
    await assert.rejects(Deno.stat(join(scratch, "reports/r/maze/done")));
    calls.length = 0;
    await reproduce(pipeline, options({ resume: "r" }));
    // Finished models and tasks are skipped; the trainer is asked to resume the rest.
    assert.ok((await Deno.stat(join(scratch, "reports/r/sudoku/done"))).isFile);
    assert.deepEqual(calls, [
      "resume maze.direct_pred",
      "resume maze.trm",
      "resume arc1.hrm",
      "resume arc1.direct_pred",
      "resume arc1.trm",
    ]);
    await assert.rejects(
      reproduce(pipeline, options({ resume: "r", profile: "cpu" })),
      /used profile 'smoke'/,
    );
    await assert.rejects(reproduce(pipeline, options({ resume: "nope" })), /no run\.json/);
  });
});

Deno.test("given checkpoints are evaluated; other models of that task are not run", async () => {
  await inTempDir(async (dir) => {
    scratch = dir;
    const { pipeline, calls } = syntheticPipeline();
    const checkpoints = parseCheckpoints(["sudoku=w.safetensors"], [
      "sudoku",
      "maze",
      "arc1",
      "arc2",
    ]);
    const runDir = await reproduce(pipeline, options({ run: "c", tasks: ["sudoku"], checkpoints }));
    assert.deepEqual(calls, ["data sudoku", "train sudoku.hrm ckpt=w.safetensors"]);
    const report = JSON.parse(await Deno.readTextFile(join(runDir, "sudoku", "report.json")));
    assert.deepEqual(report.cells.map((c: { status: string }) => c.status), [
      "below",
      "not_run",
      "not_run",
    ]);
    assert.match(report.models[1].reason, /none for this model/);
  });
});

Deno.test("--models trains only those models; a resume keeps them and refuses others", async () => {
  await inTempDir(async (dir) => {
    scratch = dir;
    const { pipeline, calls } = syntheticPipeline("maze.hrm");
    const opts = { run: "m", tasks: ["sudoku", "maze"] as const, models: ["trm", "hrm"] };
    await assert.rejects(
      reproduce(pipeline, options({ ...opts, tasks: [...opts.tasks] })),
      /interrupted/,
    );
    assert.deepEqual(calls, [
      "data sudoku",
      "data maze",
      "train sudoku.hrm",
      "train sudoku.trm",
      "train maze.hrm",
    ]);
    const report = JSON.parse(
      await Deno.readTextFile(join(scratch, "reports/m/sudoku/report.json")),
    );
    assert.deepEqual(report.models.map((m: { model: string }) => m.model), ["hrm", "trm"]);
    await assert.rejects(
      reproduce(pipeline, options({ resume: "m", models: ["hrm"] })),
      /the run's models are trm,hrm, not hrm/,
    );
    calls.length = 0;
    await reproduce(pipeline, options({ resume: "m" }));
    assert.deepEqual(calls, ["resume maze.hrm", "resume maze.trm"]);
    await assert.rejects(
      reproduce(pipeline, options({ run: "x", models: ["gpt"] })),
      /--models gpt: not a model of the chosen tasks \(has hrm, direct_pred, trm\)/,
    );
  });
});

Deno.test("options are checked with one-line errors", async () => {
  assert.throws(() => parseCheckpoints(["chess=x"], ["sudoku"]), /expected TASK=PATH/);
  assert.deepEqual(parseCheckpoints(["sudoku.direct_pred=a"], ["sudoku"]), {
    "sudoku.direct_pred": "a",
  });
  assert.equal(timestampName(new Date("2026-01-29T17:45:01.123Z")), "20260129-174501");
  await inTempDir(async (dir) => {
    scratch = dir;
    const { pipeline } = syntheticPipeline();
    await assert.rejects(
      reproduce(pipeline, options({ tasks: ["arc2"] })),
      /not in profile 'smoke'/,
    );
    await assert.rejects(reproduce(pipeline, options({ run: "a/b" })), /--run 'a\/b'/);
  });
});

Deno.test("--jobs 2 trains a task's models at once and writes the same reports", async () => {
  await inTempDir(async (dir) => {
    scratch = dir;
    const reports: string[] = [];
    for (const jobs of [1, 2]) {
      const { pipeline } = syntheticPipeline();
      let running = 0, most = 0;
      const runModel = pipeline.runModel;
      pipeline.runModel = async (plan, model, ctx) => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 20));
        try {
          return await runModel(plan, model, ctx);
        } finally {
          running--;
        }
      };
      const runDir = await reproduce(pipeline, options({ run: `j${jobs}`, jobs }));
      assert.equal(most, jobs);
      const md = await Deno.readTextFile(join(runDir, "sudoku", "report.md"));
      reports.push(md.replaceAll(`j${jobs}`, "RUN"));
    }
    assert.equal(reports[1], reports[0]);
  });
});

Deno.test("a task whose data source is missing is reported as not run; the others run", async () => {
  await inTempDir(async (dir) => {
    scratch = dir;
    const { pipeline, calls } = syntheticPipeline();
    const lines: string[] = [];
    const runDir = await reproduce(
      pipeline,
      options({
        run: "m",
        profile: "cpu",
        tasks: ["maze", "arc1"],
        arcSource: join(dir, "no-arc-here"),
        log: (l) => lines.push(l),
      }),
    );
    assert.deepEqual(calls, [
      "data maze",
      "train maze.hrm",
      "train maze.direct_pred",
      "train maze.trm",
    ]);
    assert.ok(lines.some((l) => /arc1: not run: source folder '.*no-arc-here' not found/.test(l)));
    const report = TaskReportSchema.parse(
      JSON.parse(await Deno.readTextFile(join(runDir, "arc1", "report.json"))),
    );
    assert.ok(report.cells.every((c) => c.status === "not_run"), JSON.stringify(report.cells));
    // Scored on ARC's headline metric, as a run with data would be.
    assert.ok(
      report.cells.every((c) => c.metric === "pass@2_all_tests"),
      JSON.stringify(report.cells),
    );
    assert.ok((await Deno.stat(join(runDir, "arc1", "done"))).isFile);
    assert.match(await Deno.readTextFile(join(runDir, "summary.md")), /\| maze ours \|/);
  });
});

/** Every path below `dir` (relative), with file contents, to show that nothing changed. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (rel: string) => {
    for await (const e of Deno.readDir(join(dir, rel))) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) await walk(p);
      out.set(p, e.isFile ? await Deno.readTextFile(join(dir, p)) : e.isDirectory ? "/" : "@");
    }
  };
  await walk("");
  return out;
}

/** The error `promise` rejects with (fails when it resolves). */
async function refusal(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(() => undefined, (e: Error) => e);
  assert.ok(err, "not refused");
  assert.ok(!err.message.includes("\n"), `not one line: ${err.message}`);
  return err.message;
}

Deno.test("--run and --resume outside --reports are refused before any work", async () => {
  await inTempDir(async (dir) => {
    scratch = join(dir, "in");
    const outside = join(dir, "outside");
    await Deno.mkdir(outside);
    // A valid-looking run outside the runs' folder, which a resume must not touch.
    const victim = syntheticPipeline();
    await reproduce(
      victim.pipeline,
      options({ run: "v", tasks: ["maze"], reportsDir: outside, dataRoot: join(dir, "d") }),
    );
    const before = await snapshot(dir);
    const { pipeline, calls } = syntheticPipeline();
    for (const run of ["../x", "a/../../b", "..", ".", ".hidden", "", join(outside, "w"), "a b"]) {
      assert.match(
        await refusal(reproduce(pipeline, options({ run }))),
        /^--run '.*': a run name is a plain folder name: letters, digits, '\.', '_' or '-', not starting with '\.'$/,
      );
    }
    for (const resume of ["../outside/v", "a/../../../outside/v", join(outside, "v"), ".."]) {
      assert.match(
        await refusal(reproduce(pipeline, options({ resume }))),
        /^--resume '.*': the run folder .* is not inside the runs' folder .*\(--reports\); give a run name, or a path inside that folder$/,
      );
    }
    // A symlink inside the runs' folder that leads out of it.
    await Deno.mkdir(join(scratch, "reports"), { recursive: true });
    await Deno.symlink(join(outside, "v"), join(scratch, "reports", "v"));
    const linked = await snapshot(dir);
    for (const resume of ["v", join(scratch, "reports", "v")]) {
      assert.match(
        await refusal(reproduce(pipeline, options({ resume }))),
        /^--resume '.*': .*reports\/v leads to .*outside\/v, outside the runs' folder .*; refusing to write there$/,
      );
    }
    assert.deepEqual(calls, [], "no work started");
    assert.deepEqual(await snapshot(dir), linked, "nothing written anywhere");
    linked.delete("in/reports/v");
    linked.delete("in/reports");
    linked.delete("in");
    assert.deepEqual(linked, before);
  });
});

Deno.test("a run holds its folder's lock: a second resume is refused while it runs", async () => {
  await inTempDir(async (dir) => {
    scratch = dir;
    const { pipeline } = syntheticPipeline();
    let started!: () => void;
    const running = new Promise<void>((r) => started = r);
    let finish!: () => void;
    const gate = new Promise<void>((r) => finish = r);
    const runModel = pipeline.runModel;
    pipeline.runModel = async (plan, model, ctx) => {
      started();
      await gate;
      return await runModel(plan, model, ctx);
    };
    const first = reproduce(pipeline, options({ run: "r", tasks: ["maze"] }));
    await running;
    const second = syntheticPipeline();
    const lockLine =
      /^.*reports\/r\/\.lock: locked by pid \d+ \(reproduce run r\) since \S+; refusing to resume run r$/;
    assert.match(await refusal(reproduce(second.pipeline, options({ resume: "r" }))), lockLine);
    assert.deepEqual(second.calls, []);
    finish();
    await first;
    await assert.rejects(Deno.lstat(join(dir, "reports/r/.lock")), Deno.errors.NotFound);
    // The same refusal against a lock taken by another writer (simulated here).
    const lock = await acquireRunLock(join(dir, "reports", "r"), "reproduce run r");
    try {
      assert.match(await refusal(reproduce(second.pipeline, options({ resume: "r" }))), lockLine);
    } finally {
      await lock.release();
    }
    // Released: the resume goes ahead (a path inside --reports names the run too).
    const lines: string[] = [];
    await reproduce(
      second.pipeline,
      options({ resume: join(dir, "reports", "r"), log: (l) => lines.push(l) }),
    );
    assert.ok(lines.some((l) => /maze: finished earlier, skipped/.test(l)), lines.join("\n"));
    assert.deepEqual(second.calls, []);
  });
});
