import assert from "node:assert/strict";
import {
  configFromArgs,
  parseOverrideValue,
  resolvedConfig,
  schemaKeys,
  TrainConfigSchema,
} from "./config.ts";

Deno.test("config: the official README command line parses as written", () => {
  const args = (
    "data_path=data/sudoku-extreme-full epochs=20000 eval_interval=2000 global_batch_size=384 " +
    "lr=7e-5 puzzle_emb_lr=7e-5 weight_decay=1.0 puzzle_emb_weight_decay=1.0 arch.L_cycles=8 " +
    "arch.halt_max_steps=8 arch.pos_encodings=learned arch.loss.loss_type=softmax_cross_entropy"
  ).split(" ");
  const c = configFromArgs(args);
  assert.equal(c.data_path, "data/sudoku-extreme-full");
  assert.equal(c.epochs, 20000);
  assert.equal(c.eval_interval, 2000);
  assert.equal(c.global_batch_size, 384);
  assert.equal(c.lr, 7e-5);
  assert.equal(c.puzzle_emb_lr, 7e-5);
  assert.equal(c.weight_decay, 1);
  assert.equal(c.arch.L_cycles, 8);
  assert.equal(c.arch.H_cycles, 2);
  assert.equal(c.arch.halt_max_steps, 8);
  assert.equal(c.arch.pos_encodings, "learned");
  assert.equal(c.arch.loss.loss_type, "softmax_cross_entropy");
  // Defaults from cfg_pretrain.yaml / hrm_v1.yaml.
  assert.equal(c.lr_warmup_steps, 2000);
  assert.equal(c.beta2, 0.95);
  assert.equal(c.arch.hidden_size, 512);
  assert.equal(resolvedConfig(c).arch.puzzle_emb_ndim, 512);
  assert.equal(c.seed, 0);
});

Deno.test("config: Hydra value grammar", () => {
  assert.equal(parseOverrideValue("1e-4"), 1e-4);
  assert.equal(parseOverrideValue("20000"), 20000);
  assert.equal(parseOverrideValue("True"), true);
  assert.equal(parseOverrideValue("null"), null);
  assert.equal(parseOverrideValue("'7'"), "7");
  assert.deepEqual(parseOverrideValue("[inputs, logits]"), ["inputs", "logits"]);
  assert.deepEqual(parseOverrideValue("[]"), []);
  const c = configFromArgs([
    "data_path=d",
    "+eval_save_outputs=[inputs,q_halt_logits]",
    "++seed=3",
    "resume=true",
    "eval_interval=null",
  ]);
  assert.deepEqual(c.eval_save_outputs, ["inputs", "q_halt_logits"]);
  assert.equal(c.seed, 3);
  assert.equal(c.resume, true);
  assert.equal(c.eval_interval, null);
  assert.equal(configFromArgs(["data_path=d", "resume=runs/x"]).resume, "runs/x");
  assert.equal(configFromArgs(["data_path=123"]).data_path, "123");
  assert.equal(configFromArgs(["data_path=d", "seed=4", "~seed"]).seed, 0);
});

Deno.test("config: unknown keys and bad values are one-line errors listing valid keys", () => {
  assert.throws(
    () => configFromArgs(["data_path=d", "arch.L_cycle=8"]),
    (e: Error) =>
      /unknown key 'arch\.L_cycle'/.test(e.message) && e.message.includes("arch.L_cycles") &&
      e.message.includes("valid keys: ") && !e.message.includes("\n"),
  );
  assert.throws(() => configFromArgs(["data_path=d", "lr=fast"]), /key 'lr':/);
  assert.throws(() => configFromArgs(["data_path=d", "epochs=1.5"]), /key 'epochs':/);
  assert.throws(
    () => configFromArgs(["data_path=d", "arch.pos_encodings=alibi"]),
    /key 'arch\.pos_encodings':/,
  );
  assert.throws(() => configFromArgs(["data_path=d", "backend=tpu"]), /key 'backend':/);
  assert.throws(() => configFromArgs(["epochs=2"]), /key 'data_path'/);
  assert.throws(() => configFromArgs(["data_path"]), /not key=value/);
  assert.ok(schemaKeys(TrainConfigSchema).includes("arch.loss.loss_type"));
});
