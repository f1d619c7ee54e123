import assert from "node:assert/strict";
import { loadPaperFixtures, paperRun, resolveOverrides, trmRun } from "./paper.ts";
import { budgetText, getProfile, modelConfig, PROFILES } from "./profiles.ts";
import { configDifferences } from "./profile_small.ts";
import { getTask } from "../tasks/registry.ts";
import { configFromArgs } from "../train/config.ts";

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
    // Only TRM's data can differ (its README builds ARC under another name).
    assert.deepEqual(plan.differences.filter((d) => !d.setting.startsWith("TRM: ")), []);
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
  assert.equal(getProfile("cpu", paper).tasks[1].models.length, 3, "hrm, direct_pred, trm");
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

Deno.test("paper profile: TRM runs its own README settings on HRM's data, and the report says how they differ from HRM's", async () => {
  const paper = await loadPaperFixtures();
  const profile = getProfile("paper", paper);
  for (const plan of profile.tasks) {
    assert.deepEqual(plan.models.map((m) => m.id), ["hrm", "direct_pred", "trm"]);
    const trm = plan.models.find((m) => m.id === "trm")!;
    const run = trmRun(paper, plan.trmRun!);
    const resolved = resolveOverrides(paper.trm.configs.defaults, trm.overrides);
    assert.deepEqual({ ...resolved, data_path: run.config.data_path }, run.config, plan.task);
    assert.equal(resolved.data_path, plan.dataDir, "the same data as HRM");
    assert.ok(trm.overrides.includes("arch.name=trm"));
    assert.deepEqual(trm.compareWith, ["hrm", "direct_pred"]);
    const dataDiff = plan.differences.filter((d) => d.setting === "TRM: data");
    assert.equal(dataDiff.length, run.config.data_path === plan.dataDir ? 0 : 1, plan.task);
    const contrast = (k: string) => plan.contrasts!.find((c) => c.setting === k);
    assert.deepEqual(contrast("arch.L_layers"), {
      model: "trm",
      setting: "arch.L_layers",
      hrm: "4",
      value: "2",
    });
    assert.equal(contrast("ema")!.value, "true");
    assert.equal(contrast("data_path"), undefined);
  }
  const [sudoku, maze, arc1] = profile.tasks;
  assert.equal(sudoku.models[2].paperModel, "trm_mlp");
  assert.equal(maze.models[2].paperModel, "trm_att");
  assert.equal(arc1.differences.length, 1);
  const c = (plan: typeof sudoku, k: string) => plan.contrasts!.find((x) => x.setting === k);
  assert.deepEqual([c(sudoku, "epochs")!.hrm, c(sudoku, "epochs")!.value], ["20000", "50000"]);
  assert.equal(c(sudoku, "arch.L_cycles")!.value, "6");
  assert.equal(c(maze, "arch.L_cycles")!.value, "4");
  assert.equal(c(arc1, "epochs"), undefined, "ARC: both 100,000 epochs");
  assert.equal(
    sudoku.models[2].budget,
    "50000 epochs of batch 768; 42 layer applications per segment (14 back-propagated), at most 16 segments; EMA 0.999",
  );
  assert.equal(
    sudoku.models[0].budget,
    "20000 epochs of batch 768; 24 layer applications per segment (8 back-propagated), at most 16 segments; 2 forward passes per update (Q-continue target)",
  );
});

Deno.test("scaled-down profiles: TRM on the same data and budget as HRM, every difference from TRM's README stated", async () => {
  const paper = await loadPaperFixtures();
  for (const name of ["smoke", "cpu"] as const) {
    for (const plan of getProfile(name, paper).tasks) {
      const hrm = plan.models.find((m) => m.id === "hrm")!;
      const trm = plan.models.find((m) => m.id === "trm")!;
      assert.ok(trm, `${name}/${plan.task}: TRM is a model`);
      const [a, b] = [modelConfig(paper, hrm), modelConfig(paper, trm)];
      for (const k of ["data_path", "epochs", "global_batch_size", "lr", "arch.halt_max_steps"]) {
        assert.equal(b[k], a[k], `${name}/${plan.task}: ${k} as HRM's`);
      }
      const run = trmRun(paper, plan.trmRun!).config;
      const stated = new Set(plan.differences.map((d) => d.setting));
      for (const o of trm.overrides) {
        const [key, value] = o.split("=");
        if (key === "data_path") continue;
        if (String(run[key]).toLowerCase() !== value.toLowerCase()) {
          assert.ok(stated.has(`TRM: ${key}`), `${name}/${plan.task}: TRM ${key}`);
        }
      }
      assert.ok(trm.budget!.endsWith("EMA 0.999"));
    }
  }
  const smoke = getProfile("smoke", paper).tasks[0];
  const trm = smoke.models.find((m) => m.id === "trm")!;
  assert.equal(trm.paperModel, "trm_mlp");
  assert.ok(trm.overrides.includes("arch.mlp_t=True"));
  assert.deepEqual(smoke.differences.find((d) => d.setting === "TRM: arch.L_cycles"), {
    setting: "TRM: arch.L_cycles",
    paper: "6",
    ours: "2",
  });
  // --data-root moves TRM's data with the others'.
  const moved = getProfile("cpu", paper, { dataRoot: "/tmp/d" }).tasks[1];
  assert.ok(moved.models.every((m) => m.overrides.includes("data_path=/tmp/d/cpu/maze")));
});

Deno.test("budgetText counts the layer applications of each model family", () => {
  assert.equal(
    budgetText({
      "arch.name": "trm",
      epochs: 4,
      global_batch_size: 8,
      "arch.H_cycles": 3,
      "arch.L_cycles": 4,
      "arch.L_layers": 2,
      "arch.halt_max_steps": 16,
      ema: false,
    }),
    "4 epochs of batch 8; 30 layer applications per segment (10 back-propagated), at most 16 segments",
  );
  assert.equal(
    budgetText({
      "arch.name": "transformer",
      epochs: 1,
      global_batch_size: 2,
      "arch.transformer_layers": 2,
      "arch.halt_max_steps": 1,
    }),
    "1 epochs of batch 2; 2 layer applications per segment (2 back-propagated), at most 1 segment",
  );
});

Deno.test("every model of every profile is a valid trainer command line (TRM's as arch 'trm')", async () => {
  const paper = await loadPaperFixtures();
  for (const name of PROFILES) {
    for (const plan of getProfile(name, paper, { actBaseline: true }).tasks) {
      for (const m of plan.models) {
        const c = configFromArgs(m.overrides);
        if (m.id === "trm") {
          assert.equal(c.arch.name, "trm");
          assert.equal(c.ema, true, `${name}/${plan.task}: EMA`);
          assert.equal(c.arch.mlp_t === true, m.paperModel === "trm_mlp");
        }
      }
    }
  }
});
