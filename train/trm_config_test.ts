import assert from "node:assert/strict";
import { countParams } from "../model/mod.ts";
import type { DatasetMetadata } from "../tasks/mod.ts";
import { configFromArgs } from "./config.ts";
import { modelConfigFor, optimConfigFor } from "./create_model.ts";

/** TinyRecursiveModels' README command lines (the pretrain.py arguments, as written). */
const README = {
  sudokuMlp: 'arch=trm data_paths="[data/sudoku-extreme-1k-aug-1000]" evaluators="[]" ' +
    "epochs=50000 eval_interval=5000 lr=1e-4 puzzle_emb_lr=1e-4 weight_decay=1.0 " +
    "puzzle_emb_weight_decay=1.0 arch.mlp_t=True arch.pos_encodings=none arch.L_layers=2 " +
    "arch.H_cycles=3 arch.L_cycles=6 +run_name=pretrain_mlp_t_sudoku ema=True",
  sudokuAtt: 'arch=trm data_paths="[data/sudoku-extreme-1k-aug-1000]" evaluators="[]" ' +
    "epochs=50000 eval_interval=5000 lr=1e-4 puzzle_emb_lr=1e-4 weight_decay=1.0 " +
    "puzzle_emb_weight_decay=1.0 arch.L_layers=2 arch.H_cycles=3 arch.L_cycles=6 " +
    "+run_name=pretrain_att_sudoku ema=True",
  maze: 'arch=trm data_paths="[data/maze-30x30-hard-1k]" evaluators="[]" epochs=50000 ' +
    "eval_interval=5000 lr=1e-4 puzzle_emb_lr=1e-4 weight_decay=1.0 puzzle_emb_weight_decay=1.0 " +
    "arch.L_layers=2 arch.H_cycles=3 arch.L_cycles=4 +run_name=pretrain_att_maze30x30 ema=True",
  maze1gpu: 'arch=trm data_paths="[data/maze-30x30-hard-1k]" evaluators="[]" epochs=50000 ' +
    "eval_interval=5000 lr=1e-4 puzzle_emb_lr=1e-4 weight_decay=1.0 puzzle_emb_weight_decay=1.0 " +
    "global_batch_size=128 arch.L_layers=2 arch.H_cycles=3 arch.L_cycles=4 " +
    "+run_name=pretrain_att_maze30x30_1gpu ema=True",
  arc1: 'arch=trm data_paths="[data/arc1concept-aug-1000]" arch.L_layers=2 arch.H_cycles=3 ' +
    "arch.L_cycles=4 +run_name=pretrain_att_arc1concept_4 ema=True",
  arc2: 'arch=trm data_paths="[data/arc2concept-aug-1000]" arch.L_layers=2 arch.H_cycles=3 ' +
    "arch.L_cycles=4 +run_name=pretrain_att_arc2concept_4 ema=True",
};

/** Splits a command line as a shell would (the double quotes removed). */
function argv(line: string): string[] {
  return line.split(" ").map((a) => a.replaceAll('"', ""));
}

function meta(seqLen: number, vocab: number, ids: number): DatasetMetadata {
  return {
    seq_len: seqLen,
    vocab_size: vocab,
    num_puzzle_identifiers: ids,
    pad_id: 0,
    ignore_label_id: 0,
    blank_identifier_id: 0,
    total_groups: 1,
    mean_puzzle_examples: 1,
    sets: ["all"],
  } as DatasetMetadata;
}

Deno.test("trm config: the official README command lines parse as written", () => {
  const mlp = configFromArgs(argv(README.sudokuMlp));
  assert.equal(mlp.data_path, "data/sudoku-extreme-1k-aug-1000");
  assert.equal(mlp.run_name, "pretrain_mlp_t_sudoku");
  assert.deepEqual(mlp.evaluators, []);
  assert.equal(mlp.ema, true);
  assert.equal(mlp.ema_rate, 0.999);
  assert.equal(mlp.arch.name, "recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1");
  assert.equal(mlp.arch.mlp_t, true);
  assert.equal(mlp.arch.pos_encodings, "none");
  assert.deepEqual([mlp.arch.H_cycles, mlp.arch.L_cycles, mlp.arch.L_layers], [3, 6, 2]);
  assert.equal(mlp.arch.puzzle_emb_len, 16);
  assert.equal(mlp.weight_decay, 1);
  assert.equal(optimConfigFor(mlp).ema, true);
  const sudoku = meta(81, 11, 1);
  const mlpModel = modelConfigFor(mlp, sudoku);
  assert.equal(mlpModel.arch, "trm");
  assert.equal(countParams(mlpModel), 5_028_866);
  assert.equal(
    countParams(modelConfigFor(configFromArgs(argv(README.sudokuAtt)), sudoku)),
    6_828_034,
  );
  const maze = meta(900, 6, 1);
  assert.equal(countParams(modelConfigFor(configFromArgs(argv(README.maze)), maze)), 6_822_914);
  const maze1 = configFromArgs(argv(README.maze1gpu));
  assert.equal(maze1.global_batch_size, 128);
  assert.equal(maze1.arch.L_cycles, 4);
  for (const line of [README.arc1, README.arc2]) {
    const c = configFromArgs(argv(line));
    // cfg_pretrain.yaml's defaults where the ARC lines set nothing.
    assert.deepEqual([c.epochs, c.eval_interval, c.lr, c.puzzle_emb_lr], [
      100000,
      10000,
      1e-4,
      1e-2,
    ]);
    assert.deepEqual([c.weight_decay, c.puzzle_emb_weight_decay], [0.1, 0.1]);
    assert.equal(c.evaluators, null); // the reference's default: arc@ARC
    assert.equal(countParams(modelConfigFor(c, meta(900, 12, 1000))), 6_829_058);
  }
});

Deno.test("trm config: arch.name=trm alone selects TRM's defaults; bad spellings are one line", () => {
  const c = configFromArgs(["data_path=d", "arch.name=trm", "arch.mlp_t=true"]);
  assert.deepEqual([c.arch.H_cycles, c.arch.L_cycles, c.arch.H_layers, c.arch.L_layers], [
    3,
    6,
    0,
    2,
  ]);
  assert.equal(modelConfigFor(c, meta(81, 11, 1)).mlp_t, true);
  // HRM keeps its own defaults and refuses TRM's fields by name.
  const hrm = configFromArgs(["data_path=d", "arch.mlp_t=true"]);
  assert.equal(hrm.arch.H_layers, 4);
  assert.throws(() => modelConfigFor(hrm, meta(81, 11, 1)), /mlp_t is a TRM field/);
  assert.throws(
    () => configFromArgs(["arch=trx", "data_path=d"]),
    /key 'arch': expected a config group/,
  );
  assert.throws(
    () => configFromArgs(["data_paths=[a,b]"]),
    /key 'data_paths': expected one dataset folder, got 2/,
  );
  assert.throws(() => configFromArgs(["data_paths=[a]", "data_paths_test=[b]"]), /data_paths_test/);
  assert.throws(
    () =>
      modelConfigFor(
        configFromArgs(["arch=trm", "data_path=d", "arch.no_ACT_continue=False"]),
        meta(81, 11, 1),
      ),
    /no_ACT_continue: False is not supported/,
  );
});

Deno.test("trm config: a saved TinyRecursiveModels all_config.yaml is a base config", () => {
  // The keys pretrain.py's PretrainConfig dumps (values of the Sudoku MLP run).
  const saved = {
    arch: {
      name: "recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1",
      loss: { name: "losses@ACTLossHead", loss_type: "stablemax_cross_entropy" },
      halt_exploration_prob: 0.1,
      halt_max_steps: 16,
      H_cycles: 3,
      L_cycles: 6,
      H_layers: 0,
      L_layers: 2,
      hidden_size: 512,
      num_heads: 8,
      expansion: 4,
      puzzle_emb_ndim: 512,
      pos_encodings: "none",
      forward_dtype: "bfloat16",
      mlp_t: true,
      puzzle_emb_len: 16,
      no_ACT_continue: true,
    },
    data_paths: ["data/sudoku-extreme-1k-aug-1000"],
    data_paths_test: [],
    evaluators: [],
    global_batch_size: 768,
    epochs: 50000,
    lr: 1e-4,
    lr_min_ratio: 1,
    lr_warmup_steps: 2000,
    weight_decay: 1,
    beta1: 0.9,
    beta2: 0.95,
    puzzle_emb_lr: 1e-4,
    puzzle_emb_weight_decay: 1,
    project_name: "Sudoku-extreme-1k-aug-1000-ACT-torch",
    run_name: "pretrain_mlp_t_sudoku",
    load_checkpoint: null,
    checkpoint_path: "checkpoints/x",
    seed: 0,
    checkpoint_every_eval: true,
    eval_interval: 5000,
    min_eval_interval: 0,
    eval_save_outputs: [],
    ema: true,
    ema_rate: 0.999,
    freeze_weights: false,
  };
  const c = configFromArgs(["global_batch_size=64"], saved);
  assert.equal(c.data_path, "data/sudoku-extreme-1k-aug-1000");
  assert.equal(c.global_batch_size, 64);
  assert.equal(countParams(modelConfigFor(c, meta(81, 11, 1))), 5_028_866);
  assert.throws(() => configFromArgs([], { ...saved, freeze_weights: true }), /freeze_weights/);
  assert.throws(() => configFromArgs([], { ...saved, load_checkpoint: "x" }), /load_checkpoint/);
});
