/**
 * End to end: a tiny HRM trained on a tiny synthetic dataset written in the
 * reference layout learns it (loss falls, exact accuracy rises from chance to
 * near 1), and the number of live tensors stays flat over 200 steps.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { writeSyntheticDataset } from "../tasks/synthetic.ts";
import { testBackends } from "../backends/testing.ts";
import { configFromArgs } from "../train/config.ts";
import { runTraining } from "../train/trainer.ts";
import { readMetrics } from "../train/metrics_log.ts";
import { useBackend } from "../backends/select.ts";

// wasm is several times faster than the pure-JS cpu backend on these sizes.
const backend = testBackends().includes("wasm") ? "wasm" : "cpu";

Deno.test({
  name:
    `e2e: a tiny HRM learns a synthetic task; live tensors stay flat for 200 steps [${backend}]`,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      // Labels = the input reversed with every digit shifted by one: 4 digits, 4 positions,
      // so chance exact accuracy is (1/4)^4 = 0.4%.
      await writeSyntheticDataset(`${dir}/data`, {
        trainPuzzles: 64,
        examplesPerPuzzle: 4,
        seqLen: 4,
        vocabSize: 6,
        testExamples: 32,
      });
      const tensors: number[] = [];
      const config = configFromArgs([
        `data_path=${dir}/data`,
        `run_dir=${dir}/run`,
        `backend=${backend}`,
        "global_batch_size=16",
        "epochs=100",
        "eval_interval=25",
        "lr=3e-3",
        "lr_warmup_steps=5",
        "puzzle_emb_lr=1e-2",
        "weight_decay=0.01",
        "puzzle_emb_weight_decay=0.01",
        "arch.hidden_size=32",
        "arch.num_heads=2",
        "arch.H_layers=1",
        "arch.L_layers=1",
        "arch.H_cycles=1",
        "arch.L_cycles=1",
        "arch.halt_max_steps=2",
        "arch.expansion=2",
        "arch.puzzle_emb_ndim=0",
        "arch.pos_encodings=learned",
        "checkpoint_every=0",
        "max_steps=200",
      ]);
      await useBackend(backend); // so the count before the run is on the run's backend
      const before = tf.memory().numTensors;
      const summary = await runTraining(config, {
        quiet: true,
        onRecord: (r) => r.kind === "train" && tensors.push(tf.memory().numTensors),
      });
      assert.equal(summary.steps, 200);
      const records = await readMetrics(`${dir}/run/metrics.jsonl`);
      const train = records.filter((r) => r.kind === "train");
      const evals = records.filter((r) => r.kind === "eval");
      assert.equal(train.length, 200);
      // 200 steps of 16 from 256 examples per epoch = 12.5 epochs: no regular eval yet,
      // so exactly one (the final) evaluation.
      assert.equal(evals.length, 1);
      const mean = (rs: typeof train, k: string) =>
        rs.reduce((s, r) => s + Number(r[k]), 0) / rs.length;
      const first = train.slice(0, 10);
      const last = train.slice(-10);
      const final = evals[0];
      console.log(
        `lm_loss ${mean(first, "lm_loss").toFixed(3)} -> ${mean(last, "lm_loss").toFixed(3)}, ` +
          `train exact ${mean(first, "exact_accuracy").toFixed(3)} -> ` +
          `${mean(last, "exact_accuracy").toFixed(3)}, eval exact ${final.exact_accuracy}, ` +
          `eval accuracy ${final.accuracy}`,
      );
      assert.ok(mean(first, "exact_accuracy") < 0.05, "starts near chance");
      assert.ok(mean(first, "lm_loss") > 1.2, "starts near log(4)");
      assert.ok(mean(last, "lm_loss") < 0.5 * mean(first, "lm_loss"), "loss at least halves");
      assert.ok(mean(last, "exact_accuracy") > 0.8, "train exact accuracy well above chance");
      assert.ok(Number(final.exact_accuracy) >= 0.8, "held-out exact accuracy well above chance");
      assert.equal(final.count, 32);
      // Memory: live tensors after each step never grow past the level of step 2.
      assert.equal(tensors.length, 200);
      assert.equal(Math.max(...tensors.slice(1)), tensors[1], `tensors: ${tensors.slice(0, 5)}...`);
      assert.equal(tensors.at(-1), tensors[1]);
      assert.equal(tf.memory().numTensors, before, "everything freed at the end");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
