import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { archOf, parseModelConfig, puzzleEmbLen, swigluInner, totalLen } from "./config.ts";
import { countParams, initModel, paramSpecs } from "./state.ts";
import { Ema } from "./ema.ts";
import { haltDecision } from "./act.ts";

// The official TRM runs (config/arch/trm.yaml): hidden 512, 8 heads, expansion 4, L_layers 2,
// puzzle_emb_ndim 512, puzzle_emb_len 16 (the defaults), H_layers 0.
const trm = { arch: "trm" as const, H_layers: 0, L_layers: 2, H_cycles: 3, L_cycles: 6 };
const sudoku = { batch_size: 768, seq_len: 81, vocab_size: 11, num_puzzle_identifiers: 1 };
const arc = { batch_size: 768, seq_len: 900, vocab_size: 12, num_puzzle_identifiers: 1000 };

Deno.test("trm: parameter counts of the official classes (trm-reference.md section 6)", () => {
  const mlp = parseModelConfig({ ...sudoku, ...trm, mlp_t: true, pos_encodings: "none" });
  assert.equal(puzzleEmbLen(mlp), 16);
  assert.equal(totalLen(mlp), 97);
  assert.equal(swigluInner({ expansion: 4, hidden_size: 97 }), 512);
  assert.equal(countParams(mlp), 5_028_866);
  assert.equal(countParams(parseModelConfig({ ...sudoku, ...trm })), 6_828_034);
  assert.equal(countParams(parseModelConfig({ ...arc, ...trm, L_cycles: 4 })), 6_829_058);
  // Maze (V = 6, L = 900) and the 30x30 MLP variant (S = 916, I_t = 2560).
  const maze = { ...arc, vocab_size: 6, num_puzzle_identifiers: 1 };
  assert.equal(countParams(parseModelConfig({ ...maze, ...trm })), 6_822_914);
  assert.equal(countParams(parseModelConfig({ ...maze, ...trm, mlp_t: true })), 18_795_522);
  assert.equal(
    countParams(parseModelConfig({ ...arc, ...trm, mlp_t: true, pos_encodings: "none" })),
    18_801_666,
  );
});

Deno.test("trm: state-dict keys are the official ones (one L_level, mlp_t or attention)", () => {
  const keys = paramSpecs(parseModelConfig({ ...sudoku, ...trm, mlp_t: true })).map((s) => s.key);
  assert.ok(keys.includes("model.inner.L_level.layers.1.mlp_t.gate_up_proj.weight"));
  assert.ok(!keys.some((k) => k.includes("H_level") || k.includes("self_attn")));
  const att = paramSpecs(parseModelConfig({ ...sudoku, ...trm })).map((s) => s.key);
  assert.ok(att.includes("model.inner.L_level.layers.0.self_attn.qkv_proj.weight"));
  assert.ok(!att.some((k) => k.includes("mlp_t")));
});

Deno.test("trm: puzzle_emb_len rule and the config errors", () => {
  const base = { ...sudoku, ...trm };
  assert.equal(puzzleEmbLen(parseModelConfig({ ...base, puzzle_emb_len: 4 })), 4);
  // 0: HRM's ceil rule.
  assert.equal(puzzleEmbLen(parseModelConfig({ ...base, puzzle_emb_len: 0 })), 1);
  assert.equal(puzzleEmbLen(parseModelConfig(sudoku)), 1); // HRM
  assert.throws(
    () => parseModelConfig({ ...base, puzzle_emb_ndim: 0 }),
    /puzzle_emb_len 16 needs a puzzle embedding/,
  );
  assert.equal(totalLen(parseModelConfig({ ...base, puzzle_emb_ndim: 0, puzzle_emb_len: 0 })), 81);
  assert.throws(() => parseModelConfig({ ...base, no_ACT_continue: false }), /crashes/);
  assert.throws(() => parseModelConfig({ ...sudoku, mlp_t: true }), /mlp_t is a TRM field/);
  assert.throws(() => parseModelConfig({ ...sudoku, pos_encodings: "none" }), /TRM's/);
  assert.throws(() => parseModelConfig({ ...sudoku, H_layers: 0 }), /H_layers >= 1/);
  // mlp_t has no attention: heads need not divide the width (the official class accepts it).
  assert.equal(parseModelConfig({ ...base, mlp_t: true, num_heads: 3 }).num_heads, 3);
});

Deno.test("trm: archOf reads official arch names", () => {
  assert.equal(archOf("recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1"), "trm");
  assert.equal(archOf("trm"), "trm");
  assert.equal(archOf("hrm.hrm_act_v1@HierarchicalReasoningModel_ACTV1"), "hrm");
  assert.equal(archOf("recursive_reasoning.hrm@HierarchicalReasoningModel_ACTV1"), "hrm");
  assert.equal(archOf("recursive_reasoning.transformers_baseline@Model_ACTV2"), "transformer");
  assert.throws(
    () => archOf("recursive_reasoning.trm_singlez@TinyRecursiveReasoningModel_ACTV1"),
    /only recursive_reasoning\.trm@/,
  );
});

Deno.test("trm: halting on q_halt > 0, whatever q_continue says", () => {
  const c = { halt_max_steps: 4, halt_exploration_prob: 0 };
  const steps = Int32Array.from([1, 1, 1, 4]);
  const qh = Float32Array.from([0.1, -0.1, 0.5, -3]);
  const qc = Float32Array.from([1, -1, 0, 0]);
  assert.deepEqual([...haltDecision({ ...c, arch: "trm" }, steps, qh, qc, true)], [1, 0, 1, 1]);
  assert.deepEqual([...haltDecision(c, steps, qh, qc, true)], [0, 1, 1, 1]);
  assert.deepEqual([...haltDecision({ ...c, arch: "trm" }, steps, qh, qc, false)], [0, 0, 0, 1]);
});

Deno.test("trm: EMA update, reset and export/import", async () => {
  await tf.setBackend("cpu");
  const m = initModel(
    parseModelConfig({
      ...trm,
      batch_size: 2,
      seq_len: 4,
      vocab_size: 5,
      num_puzzle_identifiers: 2,
      hidden_size: 8,
      num_heads: 2,
      puzzle_emb_ndim: 8,
      puzzle_emb_len: 1,
      H_cycles: 2,
      L_cycles: 2,
    }),
    3,
  );
  const ema = new Ema(m.params, 0.75);
  const key = "model.inner.lm_head.weight";
  const before = (await m.params.get(key)!.data()).slice();
  m.params.get(key)!.assign(tf.fill(m.params.get(key)!.shape, 2));
  ema.update(m.params);
  const got = await ema.shadow.get(key)!.data();
  got.forEach((v, i) => assert.equal(v, Math.fround(0.5 + Math.fround(before[i] * 0.75))));
  const saved = await ema.exportState();
  assert.ok(saved.has(`ema.${key}`));
  ema.reset(m.params);
  assert.deepEqual([...await ema.shadow.get(key)!.data()], new Array(got.length).fill(2));
  ema.importState(saved, "x");
  assert.deepEqual([...await ema.shadow.get(key)!.data()], [...got]);
  saved.delete(`ema.${key}`);
  assert.throws(() => ema.importState(saved, "ckpt"), /ckpt: missing EMA tensor 'ema\.model/);
  ema.dispose();
});
