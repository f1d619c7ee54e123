import assert from "node:assert/strict";
import { SMALL_DATASET, TINY_ARCH, writeSyntheticDataset } from "../tasks/synthetic.ts";
import { testBackends } from "../backends/testing.ts";
import { readEvalOutputs } from "../io/eval_outputs.ts";
import { configFromArgs } from "./config.ts";
import { runTraining } from "./trainer.ts";
import { runEvaluation } from "./eval_run.ts";
import { openSplit } from "./data.ts";
import {
  countGroups,
  parseEvalSample,
  sampleGroupIndices,
  sampleSplit,
  sampleText,
} from "./eval_sample.ts";

const backend = testBackends().includes("wasm") ? "wasm" : "cpu";

Deno.test("eval sample: same seed, same groups; another seed, other groups; sorted and distinct", () => {
  const a = sampleGroupIndices(1000, 50, 0);
  assert.deepEqual(a, sampleGroupIndices(1000, 50, 0));
  assert.notDeepEqual(a, sampleGroupIndices(1000, 50, 1));
  assert.equal(new Set(a).size, 50);
  for (let i = 1; i < a.length; i++) assert.ok(a[i - 1] < a[i]);
  assert.ok(a[0] >= 0 && a[49] < 1000);
  // The whole population is every group.
  assert.deepEqual(Array.from(sampleGroupIndices(7, 7, 3)), [0, 1, 2, 3, 4, 5, 6]);
});

Deno.test("eval sample: parse errors and sizes are one line naming the option", () => {
  assert.deepEqual(parseEvalSample("1000", "7"), { size: 1000, seed: 7 });
  assert.deepEqual(parseEvalSample(3), { size: 3, seed: 0 });
  assert.throws(
    () => parseEvalSample("0"),
    /^Error: --eval-sample '0': expected a positive integer/,
  );
  assert.throws(() => parseEvalSample("-2"), /--eval-sample '-2'/);
  assert.throws(() => parseEvalSample("1.5"), /--eval-sample '1.5'/);
  assert.throws(() => parseEvalSample("4", "x"), /--eval-seed 'x'/);
});

Deno.test("eval sample: whole groups (augmented variants together), rows mapped to the split", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // Test split: 9 one-example puzzles in groups of 3 (the last group holds 3 too).
    await writeSyntheticDataset(dir, { ...SMALL_DATASET, testExamples: 9, puzzlesPerGroup: 3 });
    const test = await openSplit(dir, "test");
    assert.equal(countGroups(test), 3);
    const s = sampleSplit(test, { size: 2, seed: 5 }, "data/test");
    assert.equal(s.info.unit, "puzzle groups");
    assert.equal(s.info.population, 3);
    assert.equal(s.info.rows, 6);
    const rows = Array.from(s.rows.get("all")!);
    // Two whole groups: rows come in runs of three starting at a group start.
    assert.equal(rows.length, 6);
    for (const start of [0, 3]) {
      assert.equal(rows[start] % 3, 0);
      assert.deepEqual(rows.slice(start, start + 3), [0, 1, 2].map((k) => rows[start] + k));
    }
    const set = s.split.sets.get("all")!;
    assert.deepEqual(Array.from(set.groupIndices), [0, 3, 6]);
    // fill reads the base split's rows.
    const a = new Int32Array(4);
    const b = new Int32Array(4);
    const c = new Int32Array(4);
    const d = new Int32Array(4);
    set.fill(4, a, b, 0);
    test.sets.get("all")!.fill(rows[4], c, d, 0);
    assert.deepEqual(a, c);
    assert.deepEqual(b, d);
    assert.throws(
      () => sampleSplit(test, { size: 4, seed: 0 }, "data/test"),
      /^Error: --eval-sample 4: data\/test has only 3 test groups/,
    );
    assert.equal(sampleText(s.info), "2 of 3 test puzzle groups, seed 5 (6 test rows)");
    assert.equal(
      sampleText({ size: 1000, population: 422786, seed: 0, unit: "puzzles", rows: 1000 }),
      "1,000 of 422,786 test puzzles, seed 0",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    `eval sample: a sampled evaluation equals the full one restricted to those rows [${backend}]`,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await writeSyntheticDataset(`${dir}/data`, { ...SMALL_DATASET, testExamples: 11 });
      await runTraining(
        configFromArgs([
          `data_path=${dir}/data`,
          `run_dir=${dir}/run`,
          `backend=${backend}`,
          "global_batch_size=4",
          "epochs=2",
          "eval_interval=2",
          "lr=3e-3",
          "lr_warmup_steps=1",
          ...TINY_ARCH,
          "arch.halt_max_steps=2",
        ]),
        { quiet: true },
      );
      const checkpoint = `${dir}/run/checkpoints/step_4.safetensors`;
      const saveOutputs = ["inputs", "labels", "puzzle_identifiers", "preds", "q_halt_logits"];
      const full = await runEvaluation({ checkpoint, saveOutputs, quiet: true });
      const sample = { size: 3, seed: 2 };
      const part = await runEvaluation({ checkpoint, saveOutputs, quiet: true, sample });
      assert.deepEqual(part.sample, {
        size: 3,
        population: 6,
        seed: 2,
        unit: "puzzle groups",
        // Groups of two one-row puzzles, the last group holding one: this draw includes it.
        rows: 5,
      });
      assert.ok(part.outputsDir!.endsWith("eval_outputs/step_4_sample3_seed2"));
      const fo = await readEvalOutputs(full.outputsDir!);
      const po = await readEvalOutputs(part.outputsDir!);
      const rows = sampleSplit(await openSplit(`${dir}/data`, "test"), sample, "t").rows.get(
        "all",
      )!;
      const S = fo.seqLen;
      let exact = 0;
      for (let r = 0; r < rows.length; r++) {
        const f = (t: Uint8Array, row: number) => Array.from(t.subarray(row * S, (row + 1) * S));
        assert.deepEqual(f(po.inputs, r), f(fo.inputs, rows[r]));
        assert.deepEqual(f(po.preds, r), f(fo.preds, rows[r]));
        if (f(fo.preds, rows[r]).join() === f(fo.labels!, rows[r]).join()) exact++;
      }
      assert.equal(part.sets.all.count, rows.length);
      assert.equal(Math.round(part.sets.all.exact_accuracy * rows.length), exact);
      // The full evaluation's files stay as they were (the sample's carry a suffix).
      const jsonl = await Deno.readTextFile(`${dir}/run/eval_step_4_sample3_seed2.jsonl`);
      assert.match(jsonl, /"sample_population":6/);
      await Deno.stat(`${dir}/run/eval_step_4.jsonl`);
      await assert.rejects(
        runEvaluation({ checkpoint, quiet: true, sample: { size: 7, seed: 0 } }),
        /--eval-sample 7: .*has only 6 test groups/,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
