/**
 * End to end on a tiny trained model: the analysis of every test row agrees
 * with the run's own evaluation at the trained halt_max_steps, and it writes
 * its record, figures, strips and state matrices.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readNpy } from "../io/mod.ts";
import { writeSyntheticDataset } from "../tasks/mod.ts";
import { configFromArgs, runEvaluation, runTraining } from "../train/mod.ts";
import { analyzeModel, sampleLadder } from "./run.ts";
import { participationRatio } from "./participation.ts";
import { ANALYSIS_FILE, AnalysisSchema } from "./schema.ts";

Deno.test("sample ladder: 1, 2, 5, 10, ... up to n", () => {
  assert.deepEqual(sampleLadder(1), [1]);
  assert.deepEqual(sampleLadder(16), [1, 2, 5, 10, 16]);
  assert.deepEqual(sampleLadder(100), [1, 2, 5, 10, 20, 50, 100]);
});

Deno.test({
  name: "analysis of a tiny trained model: scaling at the trained limit = its evaluation",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "hrm-analysis-" });
    try {
      await writeSyntheticDataset(join(dir, "data"), { testExamples: 12 });
      const config = configFromArgs([
        `data_path=${dir}/data`,
        "epochs=4",
        "eval_interval=4",
        "global_batch_size=8",
        "arch.hidden_size=16",
        "arch.num_heads=2",
        "arch.H_layers=1",
        "arch.L_layers=1",
        "arch.halt_max_steps=2",
        "backend=cpu",
        "workers=1",
        `run_dir=${dir}/run`,
      ]);
      const summary = await runTraining(config, { quiet: true });
      const ev = await runEvaluation({
        checkpoint: summary.checkpoint!,
        overrides: ["backend=cpu"],
        quiet: true,
      });
      const render = (e: { prediction: number[] }) =>
        `<svg xmlns="http://www.w3.org/2000/svg" width="${10 + e.prediction.length}" height="9"/>`;
      const a = await analyzeModel({
        checkpoint: summary.checkpoint!,
        dataDir: join(dir, "data"),
        outDir: join(dir, "analysis"),
        samples: 1000,
        saveStates: join(dir, "states"),
        render,
        // A scorer that counts rows and checks the outputs it is given are evaluation-shaped.
        scoreOutputs: (o) => {
          assert.equal(o.preds.length, 12 * o.seqLen);
          assert.ok(o.labels!.every((v) => v >= 0 && v < 256));
          return Promise.resolve({ rows: o.puzzleIdentifiers.length / 100 });
        },
        title: "synthetic",
        backend: "cpu",
        quiet: true,
        log: () => {},
      });
      assert.equal(a.samples, 12);
      assert.equal(a.test_rows, 12);
      assert.equal(a.trained_halt_max_steps, 2);
      assert.deepEqual(a.inference_scaling.map((p) => p.segments), [1, 2, 3, 4]);
      assert.deepEqual(a.inference_scaling.map((p) => p.scores), Array(4).fill({ rows: 0.12 }));
      const at = a.inference_scaling[1];
      const all = ev.sets.all;
      assert.equal(at.count, all.count);
      assert.equal(at.exact_accuracy, all.exact_accuracy);
      // Evaluation sums float32-rounded per-row accuracies; ours are float64.
      assert.ok(Math.abs(at.token_accuracy - all.accuracy) < 1e-6, `${at.token_accuracy}`);
      assert.equal(a.act_halting.exact_accuracy_at_max, all.exact_accuracy);
      // Residuals over the whole unroll: 4 segments x H_cycles (2) x L_cycles (2).
      assert.equal(a.forward_residuals.z_L.length, 16);
      assert.equal(a.forward_residuals.z_H.length, 8);
      // The record on disk is the one returned; the figures and strips exist.
      const saved = AnalysisSchema.parse(
        JSON.parse(await Deno.readTextFile(join(dir, "analysis", ANALYSIS_FILE))),
      );
      assert.deepEqual(saved, a);
      for (const f of [...Object.values(a.figures), ...a.intermediate.map((i) => i.file)]) {
        assert.match(await Deno.readTextFile(join(dir, "analysis", f)), /^<svg/);
      }
      assert.equal(a.intermediate.length, 3);
      // The saved states recompute the reported PR.
      const zH = await readNpy(join(dir, "states", "z_H.npy"));
      assert.deepEqual(zH.shape, [12 * 6, 16]);
      const pr = participationRatio({ data: zH.data as Float32Array, n: 72, dim: 16 });
      assert.equal(pr, a.participation_ratio.z_H);
      assert.equal(a.participation_ratio.n_states, 72);
      assert.ok(a.participation_ratio.untrained.z_L !== null);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
