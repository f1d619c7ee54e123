import assert from "node:assert/strict";
import { z } from "zod";
import {
  checkConsistency,
  headlineValue,
  loadPaperFixtures,
  paperRow,
  paperRun,
  parseConfigValue,
  readValidated,
  resolveOverrides,
  trmRun,
} from "./paper.ts";

Deno.test("paper fixtures validate and hold the published numbers", async () => {
  const f = await loadPaperFixtures();
  assert.equal(headlineValue(f, "hrm", "arc1"), 40.3);
  assert.equal(headlineValue(f, "hrm", "arc2"), 5.0);
  assert.equal(headlineValue(f, "hrm", "sudoku"), 55.0);
  assert.equal(headlineValue(f, "hrm", "maze"), 74.5);
  assert.equal(headlineValue(f, "direct_pred", "arc1"), 21.0);
  assert.equal(headlineValue(f, "o3_mini_high", "arc1"), 34.5);
  assert.equal(headlineValue(f, "claude_3_7_8k", "arc2"), 0.9);
  assert.equal(headlineValue(f, "deepseek_r1", "arc2"), 1.3);
  assert.equal(f.headline.models.length, 5);
  assert.equal(f.headline.tolerance, 2);
  const fig = (id: string) => f.figures.figures.find((x) => x.id === id)?.value;
  assert.equal(fig("direct_pred_sudoku_full"), 16.9);
  assert.equal(fig("pr_trained_zh"), 89.95);
  assert.equal(fig("pr_untrained_zl"), 42.09);
  assert.equal(fig("arcprize_transformer_outer_loop"), 35.7);
  assert.equal(fig("trm_arc2"), 7.8);
});

Deno.test("paper run configurations match the official README commands", async () => {
  const f = await loadPaperFixtures();
  const sudoku = paperRun(f, "sudoku").config;
  assert.equal(sudoku.epochs, 20000);
  assert.equal(sudoku.eval_interval, 2000);
  assert.equal(sudoku.global_batch_size, 768);
  assert.equal(sudoku.weight_decay, 1.0);
  assert.equal(sudoku.puzzle_emb_lr, 1e-4);
  const arc1 = paperRun(f, "arc1").config;
  assert.equal(arc1.epochs, 100000);
  assert.equal(arc1.puzzle_emb_lr, 1e-2);
  assert.equal(arc1["arch.hidden_size"], 512);
  const full = paperRun(f, "sudoku_full").config;
  assert.equal(full["arch.L_cycles"], 8);
  assert.equal(full["arch.pos_encodings"], "learned");
  assert.equal(full.lr_min_ratio, 0.1);
  assert.equal(
    paperRun(f, "maze").command,
    "OMP_NUM_THREADS=8 torchrun --nproc-per-node 8 pretrain.py data_path=data/maze-30x30-hard-1k " +
      "epochs=20000 eval_interval=2000 lr=1e-4 puzzle_emb_lr=1e-4 weight_decay=1.0 " +
      "puzzle_emb_weight_decay=1.0",
  );
  assert.throws(() => paperRun(f, "chess"), /no paper run 'chess', available: sudoku/);
});

Deno.test("overrides parse like the reference CLI and reject unknown keys", () => {
  assert.equal(parseConfigValue("1e-4"), 1e-4);
  assert.equal(parseConfigValue("768"), 768);
  assert.equal(parseConfigValue("true"), true);
  assert.equal(parseConfigValue("rope"), "rope");
  assert.deepEqual(resolveOverrides({ a: 1, "arch.b": "x" }, ["arch.b=y"]), {
    a: 1,
    "arch.b": "y",
  });
  assert.throws(() => resolveOverrides({ a: 1 }, ["c=2"]), /unknown key 'c'/);
});

Deno.test("a broken fixture gives a one-line error naming file and field", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/x.json`, JSON.stringify({ a: "no" }));
    await assert.rejects(
      readValidated(`${dir}/x.json`, z.object({ a: z.number() })),
      /x\.json: field 'a': /,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TRM paper: Tables 4 and 5 with a source per cell, the cited rows equal the HRM paper's", async () => {
  const f = await loadPaperFixtures();
  assert.equal(headlineValue(f, "trm_mlp", "sudoku"), 87.4);
  assert.equal(headlineValue(f, "trm_att", "sudoku"), 74.7);
  assert.equal(headlineValue(f, "trm_att", "maze"), 85.3);
  assert.equal(headlineValue(f, "trm_att", "arc1"), 44.6);
  assert.equal(headlineValue(f, "trm_att", "arc2"), 7.8);
  assert.equal(headlineValue(f, "trm_mlp", "maze"), 0.0);
  assert.equal(headlineValue(f, "trm_mlp", "arc1"), 29.6);
  assert.equal(headlineValue(f, "trm_mlp", "arc2"), 2.4);
  for (const row of f.trm.headline.models) {
    assert.ok(row.sources, `${row.id}: a source per cell`);
    for (const s of Object.values(row.sources!)) assert.match(s, /^Table [45]/);
  }
  const hrm = paperRow(f, "trm_cites_hrm")!;
  assert.deepEqual(hrm.row.values, paperRow(f, "hrm")!.row.values);
  assert.match(hrm.source, /2510\.04871/);
  assert.match(paperRow(f, "hrm")!.source, /Figure 1/);
  assert.equal(paperRow(f, "nope"), undefined);
  // The Table 1 ablation (Sudoku-Extreme) sits among the figures.
  const fig = (id: string) => f.figures.figures.find((x) => x.id === id)?.value;
  assert.equal(fig("trm_ablation_no_ema"), 79.9);
  assert.equal(fig("trm_ablation_1step_grad"), 56.5);
});

Deno.test("TRM runs: the README's command lines, resolved over trm.yaml + cfg_pretrain.yaml", async () => {
  const f = await loadPaperFixtures();
  const mlp = trmRun(f, "sudoku").config;
  assert.equal(mlp["arch.mlp_t"], true);
  assert.equal(mlp["arch.pos_encodings"], "none");
  assert.equal(mlp["arch.H_cycles"], 3);
  assert.equal(mlp["arch.L_cycles"], 6);
  assert.equal(mlp["arch.L_layers"], 2);
  assert.equal(mlp.epochs, 50000);
  assert.equal(mlp.ema, true);
  assert.equal(mlp.ema_rate, 0.999);
  assert.equal(mlp["arch.puzzle_emb_len"], 16);
  assert.equal(trmRun(f, "sudoku_att").config["arch.pos_encodings"], "rope");
  assert.equal(trmRun(f, "maze").config["arch.L_cycles"], 4);
  const arc1 = trmRun(f, "arc1").config;
  assert.equal(arc1.epochs, 100000);
  assert.equal(arc1.puzzle_emb_lr, 1e-2);
  assert.equal(arc1.weight_decay, 0.1);
  assert.equal(arc1.data_path, "data/arc1concept-aug-1000");
  assert.match(trmRun(f, "sudoku").command, /arch\.mlp_t=True arch\.pos_encodings=none/);
  assert.throws(() => trmRun(f, "chess"), /no TRM run 'chess', available: sudoku, sudoku_att/);
});

Deno.test("cross-file checks: a cited row that disagrees, a duplicate id across papers", async () => {
  const f = await loadPaperFixtures();
  const bad = structuredClone(f);
  bad.trm.headline.models[2].values.maze = 74.4;
  assert.throws(
    () => checkConsistency(bad),
    /row 'trm_cites_hrm' gives maze 74\.4, the cited row 'hrm' 74\.5/,
  );
  const dup = structuredClone(f);
  dup.trm.headline.models[0].id = "hrm";
  assert.throws(() => checkConsistency(dup), /trm_headline\.json: duplicate model id 'hrm'/);
  const run = structuredClone(f);
  run.trm.configs.runs[0].config.epochs = 1;
  assert.throws(() => checkConsistency(run), /trm_configs\.json: run 'sudoku' config\.epochs is 1/);
});
