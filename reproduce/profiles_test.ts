import assert from "node:assert/strict";
import { loadPaperFixtures, paperRun, resolveOverrides } from "./paper.ts";
import { getProfile, PROFILES } from "./profiles.ts";
import { configDifferences } from "./profile_small.ts";
import { getTask } from "../tasks/registry.ts";

Deno.test("paper profile: every task's trainer config equals the paper's, exactly", async () => {
  const paper = await loadPaperFixtures();
  const profile = getProfile("paper", paper);
  assert.deepEqual(profile.tasks.map((t) => t.task), ["sudoku", "maze", "arc1", "arc2"]);
  for (const plan of profile.tasks) {
    const run = paperRun(paper, plan.paperRun);
    assert.deepEqual(resolveOverrides(paper.configs.defaults, plan.train), run.config, plan.task);
    // The README's override list appears verbatim, in order.
    const given = plan.train.filter((o) => run.overrides.includes(o));
    assert.deepEqual(given, run.overrides, plan.task);
    assert.equal(plan.dataDir, run.config.data_path);
    assert.deepEqual(plan.differences, []);
    const hrm = plan.models.find((m) => m.id === "hrm")!;
    assert.deepEqual(hrm.overrides, plan.train);
    const direct = plan.models.find((m) => m.id === "direct_pred")!;
    assert.deepEqual(direct.overrides, [
      ...plan.train,
      "arch.name=transformer",
      "arch.halt_max_steps=1",
    ]);
    assert.equal(direct.paperModel, "direct_pred");
  }
  assert.deepEqual(
    profile.tasks[0].build.join(" "),
    "--from-csv data/raw/sudoku-extreme --subsample 1000 --aug 1000 --write-reference-layout --out data/sudoku-extreme-1k-aug-1000",
  );
  assert.deepEqual(
    profile.tasks[2].build.join(" "),
    "--source data/raw/arc --preset arc1 --aug 1000 --seed 42 --out data/arc-aug-1000",
  );
  const other = getProfile("paper", paper, { arcSource: "/src" });
  assert.equal(other.tasks[3].build[1], "/src");
});

Deno.test("scaled-down profiles state every trainer setting that differs from the paper", async () => {
  const paper = await loadPaperFixtures();
  for (const name of PROFILES.filter((p) => p !== "paper")) {
    const profile = getProfile(name, paper);
    for (const plan of profile.tasks) {
      const run = paperRun(paper, plan.paperRun);
      const settings = new Set(plan.differences.map((d) => d.setting));
      for (const o of plan.train) {
        const [key, value] = o.split("=");
        if (key === "data_path") continue;
        if (String(run.config[key]) !== value) {
          assert.ok(settings.has(key), `${name}/${plan.task}: ${key}`);
        }
      }
      assert.ok(plan.dataDir.startsWith(`data/${name}/`));
      assert.ok(
        plan.models.some((m) => m.id === "direct_pred"),
        "baseline trained on the same budget",
      );
    }
  }
  const cpu = getProfile("cpu", paper).tasks[0];
  const hidden = cpu.differences.find((d) => d.setting === "arch.hidden_size");
  assert.deepEqual(hidden, { setting: "arch.hidden_size", paper: "512", ours: "64" });
});

Deno.test("configDifferences compares parsed values and skips data_path", () => {
  assert.deepEqual(
    configDifferences({ lr: 1e-4, data_path: "a", epochs: 5 }, [
      "lr=0.0001",
      "data_path=b",
      "epochs=6",
      "x=1",
    ]),
    [{ setting: "epochs", paper: "5", ours: "6" }, { setting: "x", paper: "(not set)", ours: "1" }],
  );
});

Deno.test("the ACT baseline variant: Direct pred with HRM's number of segments", async () => {
  const paper = await loadPaperFixtures();
  const sudoku = getProfile("paper", paper, { actBaseline: true }).tasks[0];
  const act = sudoku.models.find((m) => m.id === "direct_pred_act")!;
  assert.deepEqual(act.overrides, [
    ...sudoku.train,
    "arch.name=transformer",
    "arch.halt_max_steps=16",
  ]);
  const cpu = getProfile("cpu", paper, { actBaseline: true }).tasks[1];
  assert.ok(
    cpu.models.find((m) => m.id === "direct_pred_act")!.overrides.includes("arch.halt_max_steps=4"),
  );
  assert.equal(getProfile("cpu", paper).tasks[1].models.length, 2);
});

Deno.test("profiles: every plan names a registered task, and only such a task selects sources", async () => {
  const paper = await loadPaperFixtures();
  for (const name of PROFILES) {
    for (const plan of getProfile(name, paper).tasks) {
      const task = getTask(plan.taskModule);
      if (plan.sourceSubset !== undefined) {
        assert.ok(
          task.copySourceSubset,
          `${name}/${plan.task}: ${task.name} cannot select sources`,
        );
        assert.ok(plan.build.includes("--source"), `${name}/${plan.task}: no --source to narrow`);
      }
    }
  }
});
