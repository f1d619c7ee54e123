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

Deno.test("the TRM bench configs are the TRM README's Sudoku runs at 512 wide", async () => {
  const paper = await loadPaperFixtures();
  for (const [bench, run] of [["sudoku-trm-mlp", "sudoku"], ["sudoku-trm-att", "sudoku_att"]]) {
    const c = paper.trm.configs.runs.find((r) => r.id === run)!.config;
    const m = BENCH_CONFIGS[bench].model;
    const pairs: [unknown, unknown][] = [
      [m.hidden_size, c["arch.hidden_size"]],
      [m.num_heads, c["arch.num_heads"]],
      [m.L_layers, c["arch.L_layers"]],
      [m.H_cycles, c["arch.H_cycles"]],
      [m.L_cycles, c["arch.L_cycles"]],
      [m.halt_max_steps, c["arch.halt_max_steps"]],
      [m.puzzle_emb_ndim, c["arch.puzzle_emb_ndim"]],
      [m.puzzle_emb_len, c["arch.puzzle_emb_len"]],
      [m.pos_encodings, c["arch.pos_encodings"]],
      [m.mlp_t ?? false, c["arch.mlp_t"]],
      [BENCH_CONFIGS[bench].optim?.ema, c.ema],
      [BENCH_CONFIGS[bench].optim?.ema_rate, c.ema_rate],
    ];
    for (const [ours, theirs] of pairs) assert.equal(ours, theirs, bench);
  }
});
