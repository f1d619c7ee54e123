import assert from "node:assert/strict";
import { SMALL_DATASET, TINY_ARCH, writeSyntheticDataset } from "../tasks/synthetic.ts";
import { testBackends } from "../backends/testing.ts";
import { readSafetensors, writeSafetensors } from "../io/safetensors.ts";
import type { HostTensor } from "../io/dtypes.ts";
import { configFromArgs } from "./config.ts";
import { runTraining } from "./trainer.ts";
import { readCheckpoint } from "./checkpoint.ts";
import { readMetrics } from "./metrics_log.ts";
import { runEvaluation } from "./eval_run.ts";
import { parseEvalArgs } from "./args.ts";
import { readEvalOutputs } from "../io/eval_outputs.ts";

const backend = testBackends().includes("wasm") ? "wasm" : "cpu";

Deno.test({
  name:
    `eval: a training checkpoint and reference-named weights + all_config.yaml give the training-time metrics [${backend}]`,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await writeSyntheticDataset(`${dir}/data`, { ...SMALL_DATASET, testExamples: 7 });
      const args = [
        `data_path=${dir}/data`,
        `run_dir=${dir}/run`,
        `backend=${backend}`,
        "global_batch_size=4",
        "epochs=4",
        "eval_interval=4",
        "lr=3e-3",
        "lr_warmup_steps=1",
        ...TINY_ARCH,
        "arch.halt_max_steps=2",
        "arch.pos_encodings=learned",
        "eval_save_outputs=[logits]",
      ];
      await runTraining(configFromArgs(args), { quiet: true });
      const trained = (await readMetrics(`${dir}/run/metrics.jsonl`)).find((r) =>
        r.kind === "eval"
      )!;
      // Training-time outputs: the scorer's file plus the logits beside it.
      const during = await readEvalOutputs(`${dir}/run/eval_outputs/step_8`);
      assert.equal(during.puzzleIdentifiers.length, 7);
      const logits = await readSafetensors(`${dir}/run/eval_outputs/step_8_extra/all.safetensors`);
      assert.deepEqual(logits.tensors.get("logits")!.shape, [7, 4, 6]);
      const metricKeys = ["count", "accuracy", "exact_accuracy", "q_halt_accuracy", "steps"];
      const pick = (m: object) =>
        Object.fromEntries(metricKeys.map((k) => [k, (m as Record<string, unknown>)[k]]));

      // 1. Our checkpoint: config from its metadata; outputs saved without pad rows.
      const ckptPath = `${dir}/run/checkpoints/step_8.safetensors`;
      const parsed = parseEvalArgs([
        `checkpoint=${ckptPath}`,
        "save_outputs=[inputs,labels,puzzle_identifiers,preds,q_halt_logits]",
      ]);
      const a = await runEvaluation({ ...parsed, quiet: true });
      assert.equal(a.step, 8);
      assert.equal(a.outDir, `${dir}/run`);
      assert.deepEqual(pick(a.sets.all), pick(trained));
      // The ARC scorer's reader takes the folder as written.
      const out = await readEvalOutputs(a.outputsDir!);
      assert.equal(out.seqLen, 4);
      assert.equal(out.puzzleIdentifiers.length, 7, "pad rows dropped");
      assert.equal(out.qHaltLogits.length, 7);
      assert.equal(out.metadata.step, "8");
      let exact = 0;
      for (let r = 0; r < 7; r++) {
        let ok = true;
        for (let k = 0; k < 4; k++) {
          const l = out.labels![r * 4 + k];
          if (l !== 0 && out.preds[r * 4 + k] !== l) ok = false; // 0 = ignored (dataset's id)
        }
        if (ok) exact++;
      }
      assert.equal(exact / 7, a.sets.all.exact_accuracy);

      // 2. Weights only, keys as a torch.compile'd reference state dict, all_config.yaml beside.
      const ck = await readCheckpoint(ckptPath);
      const weights = new Map<string, HostTensor>();
      for (const [k, t] of ck.tensors) {
        if (!k.startsWith("optim.") && !k.startsWith("carry.")) weights.set(`_orig_mod.${k}`, t);
      }
      await Deno.mkdir(`${dir}/released`);
      await writeSafetensors(`${dir}/released/step_8.safetensors`, weights);
      const c = ck.meta!.config as { arch: Record<string, unknown> };
      const yaml = [
        "arch:",
        ...Object.entries(c.arch).filter(([k]) => k !== "loss").map(([k, v]) => `  ${k}: ${v}`),
        "  loss:",
        "    loss_type: stablemax_cross_entropy",
        "    name: losses@ACTLossHead",
        "data_path: data/somewhere-else",
        "global_batch_size: 4",
        "eval_save_outputs: []",
        "",
      ].join("\n");
      await Deno.writeTextFile(`${dir}/released/all_config.yaml`, yaml);
      const b = await runEvaluation({
        checkpoint: `${dir}/released/step_8.safetensors`,
        overrides: [`data_path=${dir}/data`, `backend=${backend}`],
        quiet: true,
      });
      assert.equal(b.step, 8, "step from the reference's step_<N> file name");
      assert.deepEqual(
        (await readEvalOutputs(b.outputsDir!)).preds,
        during.preds,
        "saved by default",
      );
      assert.deepEqual(pick(b.sets.all), pick(trained));

      // 3. Weights that are not finite, or not floats, are refused before anything is written.
      await Deno.mkdir(`${dir}/bad`);
      await Deno.copyFile(`${dir}/released/all_config.yaml`, `${dir}/bad/all_config.yaml`);
      const hKey = "_orig_mod.model.inner.H_init";
      const h = weights.get(hKey)!;
      const nan = Float32Array.from(h.data as Float32Array);
      nan[1] = NaN;
      nan[3] = -Infinity;
      const badPath = `${dir}/bad/step_8.safetensors`;
      const evalBad = () =>
        runEvaluation({
          checkpoint: badPath,
          overrides: [`data_path=${dir}/data`, `backend=${backend}`],
          quiet: true,
        });
      await writeSafetensors(badPath, new Map(weights).set(hKey, { ...h, data: nan }));
      await assert.rejects(evalBad, {
        message: `${badPath}: 2 non-finite weight value(s) (NaN or infinity), the first in ` +
          `"${hKey}"; expected finite weights, refusing to evaluate`,
      });
      const ints = { dtype: "i32" as const, shape: h.shape, data: new Int32Array(h.data.length) };
      await writeSafetensors(badPath, new Map(weights).set(hKey, ints));
      await assert.rejects(evalBad, (err: Error) => {
        // Loaded in the evaluation worker, whose errors carry a "worker: " prefix.
        assert.equal(
          err.message.replace(/^worker: /, ""),
          `${badPath}: 'model.inner.H_init' has dtype i32, expected a float (f32, bf16, f16, f64)`,
        );
        return true;
      });
      const left = [...Deno.readDirSync(`${dir}/bad`)].map((e) => e.name).sort();
      assert.deepEqual(left, ["all_config.yaml", "step_8.safetensors"], "nothing written");

      // 4. Errors: no config, and weights that do not match the config.
      await Deno.remove(`${dir}/released/all_config.yaml`);
      await assert.rejects(
        () => runEvaluation({ checkpoint: `${dir}/released/step_8.safetensors`, quiet: true }),
        /no config found .* pass data_path=/,
      );
      await assert.rejects(
        () =>
          runEvaluation({
            checkpoint: ckptPath,
            overrides: ["arch.hidden_size=32", "arch.puzzle_emb_ndim=32"],
            quiet: true,
          }),
        /step_8\.safetensors: .*shape/,
      );
      assert.throws(() => parseEvalArgs(["data_path=x"]), /checkpoint=<file> is required/);
      assert.throws(() => parseEvalArgs(["checkpoint=x", "bogus=1"]), /unknown key 'bogus'/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
