import assert from "node:assert/strict";
import { loadPaperFixtures, resolveOverrides } from "./paper.ts";
import { getProfile } from "./profiles.ts";
import { officialCommandLines, officialCommands, shellWord } from "./official_command.ts";
import { TASK_IDS } from "./report/schema.ts";

Deno.test("print-official: the torchrun overrides are the paper profile's, plus the seed", async () => {
  const paper = await loadPaperFixtures();
  const profile = getProfile("paper", paper);
  for (const task of TASK_IDS) {
    const plan = profile.tasks.find((p) => p.task === task)!;
    const hrm = plan.models.find((m) => m.id === "hrm")!;
    const c = officialCommands(profile, task, { gpus: 8, seed: 3 });
    // The printed line, parsed back: every word after pretrain.py.
    const words = c.train.split(" ");
    assert.deepEqual(words.slice(0, 5), [
      "OMP_NUM_THREADS=8",
      "torchrun",
      "--nproc-per-node",
      "8",
      "pretrain.py",
    ]);
    assert.deepEqual(words.slice(5), [...hrm.overrides, "seed=3"]);
    // ... and they resolve to the paper's configuration of that run.
    const resolved = resolveOverrides(paper.configs.defaults, words.slice(5));
    const run = paper.configs.runs.find((r) => r.id === plan.paperRun)!;
    assert.deepEqual({ ...resolved, seed: 0 }, { ...run.config, seed: 0 }, task);
    assert.equal(resolved.seed, 3);
    // The data in the reference layout, to the folder the trainer reads.
    assert.ok(c.data.startsWith(`deno task data ${plan.taskModule} `), c.data);
    assert.ok(c.data.includes("--write-reference-layout"), c.data);
    assert.ok(c.data.includes(`--out ${plan.dataDir}`), c.data);
    assert.ok(c.train.includes(`data_path=${plan.dataDir}`), c.train);
  }
  const text = await officialCommandLines(["maze"], { gpus: 2, seed: 0 });
  assert.match(text, /--nproc-per-node 2 pretrain\.py data_path=data\/maze-30x30-hard-1k /);
  assert.match(text, /384 of the 768 rows/);
  assert.match(text, /deno task convert .* --checkpoint maze=/);
});

Deno.test("print-official: refusals and shell quoting", async () => {
  const paper = await loadPaperFixtures();
  assert.throws(
    () => officialCommands(getProfile("cpu", paper), "sudoku", { gpus: 8, seed: 0 }),
    /needs --profile paper/,
  );
  const profile = getProfile("paper", paper);
  assert.throws(() => officialCommands(profile, "sudoku", { gpus: 5, seed: 0 }), /divide evenly/);
  assert.throws(() => officialCommands(profile, "sudoku", { gpus: 0, seed: 0 }), /positive/);
  assert.equal(shellWord("a=b/c"), "a=b/c");
  assert.equal(shellWord("x y"), "'x y'");
  assert.equal(shellWord("it's"), `'it'"'"'s'`);
});
