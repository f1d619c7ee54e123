import assert from "node:assert/strict";
import { writeNpy } from "../io/npy.ts";
import { writeSyntheticDataset } from "../tasks/synthetic.ts";
import { checkModelFitsData, checkSplitsAgree, openSplit, readIdentifiers } from "./data.ts";
import { parseSimpleYaml } from "./args.ts";
import { configFromArgs } from "./config.ts";

/** One line, naming `where`, matching `pattern`. */
function oneLine(where: string, pattern: RegExp) {
  return (e: Error) => {
    assert.ok(!e.message.includes("\n"), `multi-line error: ${e.message}`);
    assert.ok(e.message.includes(where), `'${e.message}' does not name ${where}`);
    assert.match(e.message, pattern);
    return true;
  };
}

Deno.test("data: reads the reference layout written by the synthetic builder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeSyntheticDataset(dir, { trainPuzzles: 4, examplesPerPuzzle: 3, testExamples: 5 });
    const train = await openSplit(dir, "train");
    const set = train.sets.get("all")!;
    assert.equal(set.numExamples, 12);
    assert.deepEqual(Array.from(set.puzzleIndices), [0, 3, 6, 9, 12]);
    assert.deepEqual(Array.from(set.groupIndices), [0, 2, 4]);
    const test = await openSplit(dir, "test");
    checkSplitsAgree(dir, train.metadata, test.metadata);
    assert.equal((await readIdentifiers(dir))!.length, 5);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("data: bad folders and arrays give one-line errors naming the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      () => openSplit(`${dir}/missing`, "train"),
      oneLine("missing", /not found/),
    );
    await Deno.mkdir(`${dir}/empty`);
    await assert.rejects(
      () => openSplit(`${dir}/empty`, "train"),
      oneLine(`${dir}/empty`, /not a dataset folder .*train\/dataset\.json/),
    );
    const d = `${dir}/d`;
    await writeSyntheticDataset(d, { trainPuzzles: 4, examplesPerPuzzle: 2 });
    // Malformed dataset.json.
    const metaPath = `${d}/test/dataset.json`;
    const good = await Deno.readTextFile(metaPath);
    await Deno.writeTextFile(metaPath, "{ nope");
    await assert.rejects(() => openSplit(d, "test"), oneLine(metaPath, /not valid JSON/));
    await Deno.writeTextFile(metaPath, good.replace('"seq_len": 6', '"seq_len": "six"'));
    await assert.rejects(() => openSplit(d, "test"), oneLine(metaPath, /seq_len/));
    await Deno.writeTextFile(metaPath, good);
    // Wrong dtype.
    const inputs = `${d}/train/all__inputs.npy`;
    await writeNpy(inputs, { dtype: "f32", shape: [8, 6], data: new Float32Array(48) });
    await assert.rejects(() => openSplit(d, "train"), oneLine(inputs, /integer/));
    // Wrong shape (seq_len from dataset.json is 6).
    await writeNpy(inputs, { dtype: "i32", shape: [8, 5], data: new Int32Array(40) });
    await assert.rejects(() => openSplit(d, "train"), oneLine(inputs, /shape \[N, 6\]/));
    // Token outside the vocabulary.
    const big = new Int32Array(48).fill(2);
    big[7] = 99;
    await writeNpy(inputs, { dtype: "i32", shape: [8, 6], data: big });
    await assert.rejects(() => openSplit(d, "train"), oneLine(inputs, /token 99 .*vocab_size/));
    // Missing array.
    await Deno.remove(inputs);
    await assert.rejects(() => openSplit(d, "train"), oneLine(inputs, /not found|No such/));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("data: a model that does not fit the data is a one-line error", () => {
  const train = {
    pad_id: 0,
    ignore_label_id: 0,
    blank_identifier_id: 0,
    vocab_size: 11,
    seq_len: 81,
    num_puzzle_identifiers: 2,
    total_groups: 1,
    mean_puzzle_examples: 1,
    sets: ["all"],
  };
  assert.throws(
    () => checkSplitsAgree("d", train, { ...train, seq_len: 900 }),
    oneLine("d/test/dataset.json", /seq_len 900 differs .* 81/),
  );
  assert.throws(
    () => checkSplitsAgree("d", train, { ...train, vocab_size: 12 }),
    oneLine("d/test/dataset.json", /vocab_size 12 exceeds/),
  );
  assert.throws(
    () => checkModelFitsData({ ...train, vocab_size: 12 }, train, "ck.safetensors"),
    oneLine("ck.safetensors", /vocab_size 12 but the dataset has 11/),
  );
});

Deno.test("args: the reference's all_config.yaml (PyYAML dump) reads into our config", () => {
  const yaml = [
    "arch:",
    "  H_cycles: 2",
    "  H_layers: 4",
    "  L_cycles: 8",
    "  loss:",
    "    loss_type: softmax_cross_entropy",
    "    name: losses@ACTLossHead",
    "  name: hrm.hrm_act_v1@HierarchicalReasoningModel_ACTV1",
    "  pos_encodings: learned",
    "  puzzle_emb_ndim: 512",
    "beta1: 0.9",
    "checkpoint_path: checkpoints/Sudoku-extreme-1k-aug-1000 ACT-torch/HierarchicalReasoningModel_ACTV1 x",
    "data_path: data/sudoku-extreme-1k-aug-1000",
    "eval_interval: 2000",
    "eval_save_outputs: []",
    "lr: 7.0e-05",
    "lr_warmup_steps: 2000",
    "project_name: Sudoku-extreme-1k-aug-1000 ACT-torch",
    "run_name: null",
    "seed: 0",
    "",
  ].join("\n");
  const raw = parseSimpleYaml(yaml, "all_config.yaml");
  const c = configFromArgs(["data_path=elsewhere"], raw);
  assert.equal(c.arch.L_cycles, 8);
  assert.equal(c.arch.loss.loss_type, "softmax_cross_entropy");
  assert.equal(c.arch.pos_encodings, "learned");
  assert.equal(c.lr, 7e-5);
  assert.equal(c.eval_interval, 2000);
  assert.deepEqual(c.eval_save_outputs, []);
  assert.equal(c.data_path, "elsewhere");
  assert.equal(c.run_name, null);
  const withList = parseSimpleYaml("eval_save_outputs:\n- inputs\n- logits\nseed: 3\n", "x");
  assert.deepEqual(withList, { eval_save_outputs: ["inputs", "logits"], seed: 3 });
});

Deno.test("data: a build killed midway (unfinished marker) is refused before reading", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeSyntheticDataset(dir);
    await Deno.writeTextFile(
      `${dir}/build.json`,
      JSON.stringify({ task: "sudoku", unfinished: true, note: "being built" }),
    );
    await assert.rejects(
      () => openSplit(dir, "train"),
      (e: Error) =>
        e.message ===
          `${dir}: unfinished sudoku build (interrupted or still running; rebuild it with --out ${dir} --force)`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
