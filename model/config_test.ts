import assert from "node:assert/strict";
import { parseModelConfig, parseOptimConfig, swigluInner, totalLen } from "./config.ts";
import { countParams } from "./state.ts";

const sudoku = { batch_size: 768, seq_len: 81, vocab_size: 11, num_puzzle_identifiers: 1 };

Deno.test("config: paper defaults", () => {
  const c = parseModelConfig(sudoku);
  assert.equal(c.hidden_size, 512);
  assert.equal(c.num_heads, 8);
  assert.equal(c.expansion, 4);
  assert.deepEqual([c.H_layers, c.L_layers, c.H_cycles, c.L_cycles], [4, 4, 2, 2]);
  assert.equal(c.halt_max_steps, 16);
  assert.equal(c.halt_exploration_prob, 0.1);
  assert.equal(c.pos_encodings, "rope");
  assert.equal(c.puzzle_emb_ndim, 512);
  assert.equal(c.arch, "hrm");
  assert.equal(totalLen(c), 82);
});

Deno.test("config: the paper's Sudoku model has 27,275,266 trainable parameters", () => {
  assert.equal(countParams(parseModelConfig(sudoku)), 27_275_266);
});

Deno.test("config: transformer baseline parameter count", () => {
  const c = parseModelConfig({ ...sudoku, arch: "transformer" });
  // 8 blocks of (qkv 3*512*512 + o 512*512 + gate_up 2*1536*512 + down 1536*512),
  // plus embeddings, lm head, q head: same total as HRM's 4+4 blocks.
  const block = 3 * 512 * 512 + 512 * 512 + 2 * 1536 * 512 + 1536 * 512;
  assert.equal(countParams(c), 8 * block + 2 * 11 * 512 + 2 * 512 + 2);
  assert.equal(
    countParams(parseModelConfig({ ...sudoku, arch: "transformer", transformer_layers: 2 })),
    2 * block + 2 * 11 * 512 + 2 * 512 + 2,
  );
});

Deno.test("config: SwiGLU inner size rule", () => {
  assert.equal(swigluInner({ hidden_size: 512, expansion: 4 }), 1536);
  assert.equal(swigluInner({ hidden_size: 64, expansion: 4 }), 256);
  assert.equal(swigluInner({ hidden_size: 32, expansion: 2 }), 256);
  assert.equal(swigluInner({ hidden_size: 384, expansion: 4 }), 1024);
});

Deno.test("config: clear one-line errors", () => {
  assert.throws(
    () => parseModelConfig({ ...sudoku, hidden_size: 100, num_heads: 8 }, "cfg.json"),
    /^Error: cfg.json: hidden_size: hidden_size 100 is not divisible by num_heads 8$/,
  );
  assert.throws(() => parseModelConfig({ ...sudoku, pos_encodings: "alibi" }), /pos_encodings/);
  assert.throws(() => parseModelConfig({ seq_len: 81 }), /batch_size/);
  assert.throws(() => parseOptimConfig({ beta2: 1 }), /beta2/);
  assert.equal(parseOptimConfig({}).lr_min_ratio, 1);
});

Deno.test("config: suspicious values are one-line errors (zero-width MLP, heads not dividing)", () => {
  assert.throws(
    () => parseModelConfig({ ...sudoku, hidden_size: 16, num_heads: 2, expansion: 0.01 }),
    /^Error: model config: expansion: expansion 0.01 gives a zero-width MLP \(round\(expansion \* hidden_size \* 2\/3\) = 0 for hidden_size 16\); it must be more than 0.75 \/ hidden_size$/,
  );
  assert.equal(swigluInner({ hidden_size: 16, expansion: 0.05 }), 256); // round(0.53) = 1 -> 256
  assert.ok(parseModelConfig({ ...sudoku, hidden_size: 16, num_heads: 2, expansion: 0.05 }));
  assert.throws(() => parseModelConfig({ ...sudoku, hidden_size: 4, num_heads: 8 }), /divisible/);
});
