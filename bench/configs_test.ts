import assert from "node:assert/strict";
import { BENCH_CONFIGS } from "./configs.ts";
import { getProfile } from "../reproduce/profiles.ts";
import { loadPaperFixtures } from "../reproduce/paper.ts";
import { configFromArgs } from "../train/config.ts";

Deno.test("the cpu-* bench configs are the models the cpu profile trains", async () => {
  const paper = await loadPaperFixtures();
  const plans = getProfile("cpu", paper).tasks;
  for (const [bench, task, seqLen] of [["cpu-sudoku", "sudoku", 81], ["cpu-maze", "maze", 49]]) {
    const plan = plans.find((p) => p.task === task)!;
    const hrm = plan.models.find((m) => m.id === "hrm")!;
    const c = configFromArgs(hrm.overrides);
    const m = BENCH_CONFIGS[bench as string].model;
    for (
      const key of [
        "hidden_size",
        "num_heads",
        "H_layers",
        "L_layers",
        "H_cycles",
        "L_cycles",
        "halt_max_steps",
        "puzzle_emb_ndim",
        "expansion",
      ] as const
    ) {
      assert.equal(m[key], c.arch[key], `${bench}: ${key}`);
    }
    assert.equal(BENCH_CONFIGS[bench as string].batch, c.global_batch_size, `${bench}: batch`);
    assert.equal(m.seq_len, seqLen, `${bench}: seq_len`);
  }
});
