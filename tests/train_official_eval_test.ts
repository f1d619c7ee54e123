/**
 * The released-weights path end to end: a PyTorch checkpoint in the official
 * trainer's form (`torch.compile` key prefixes, bf16 H_init/L_init) goes
 * through `deno task convert`, then `deno task eval checkpoint=...` with the
 * reference's `all_config.yaml` beside it, on a test split holding the golden
 * batch; the metrics match what the official evaluate() computed for it.
 */
import assert from "node:assert/strict";
import { readSafetensors } from "../io/safetensors.ts";
import { writeIdentifiers, writeReferenceSplit } from "../tasks/dataset.ts";
import { convertCheckpoint } from "../cli/convert.ts";
import { runEvaluation } from "../train/eval_run.ts";
import { testBackends } from "../backends/testing.ts";

const root = new URL("../fixtures/hrm-reference/tiny-rope/", import.meta.url).pathname;

// One backend is enough here (the model's per-backend conformance is tested in model/);
// wasm is the fast one.
for (const backend of [testBackends().includes("wasm") ? "wasm" : "cpu"]) {
  Deno.test({
    name:
      `eval: converted official checkpoint + all_config.yaml reproduces evaluate() [${backend}]`,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const dir = await Deno.makeTempDir();
      try {
        const m = JSON.parse(await Deno.readTextFile(`${root}config.json`)).model;
        const batches = (await readSafetensors(`${root}batches.safetensors`)).tensors;
        const golden = (await readSafetensors(`${root}eval.safetensors`)).tensors;
        const steps = m.halt_max_steps;
        const g = (k: string) => Number(golden.get(`step${steps}.metrics.${k}`)!.data[0]);
        // Test split = the golden batch, one puzzle per example; labels' -100 stored as 0
        // (ignore_label_id), which the golden labels never use as a class.
        const split = (name: string) => {
          const labels = Int32Array.from(
            batches.get(`${name}.labels`)!.data as Int32Array,
            (v) => (v === -100 ? 0 : v),
          );
          assert.ok(!(batches.get(`${name}.labels`)!.data as Int32Array).includes(0));
          const n = m.batch_size;
          return {
            inputs: {
              dtype: "i32" as const,
              shape: [n, m.seq_len],
              data: batches.get(`${name}.inputs`)!.data as Int32Array,
            },
            labels: { dtype: "i32" as const, shape: [n, m.seq_len], data: labels },
            puzzle_identifiers: batches.get(`${name}.puzzle_identifiers`)!.data as Int32Array,
            puzzle_indices: Int32Array.from({ length: n + 1 }, (_, i) => i),
            group_indices: Int32Array.from({ length: n + 1 }, (_, i) => i),
          };
        };
        const meta = {
          pad_id: 0,
          ignore_label_id: 0,
          blank_identifier_id: 0,
          vocab_size: m.vocab_size,
          seq_len: m.seq_len,
          num_puzzle_identifiers: m.num_puzzle_identifiers,
          total_groups: m.batch_size,
          mean_puzzle_examples: 1,
          sets: ["all"],
        };
        await writeReferenceSplit(`${dir}/data`, "train", meta, { all: split("batch2") });
        await writeReferenceSplit(`${dir}/data`, "test", meta, { all: split("batch1") });
        await writeIdentifiers(`${dir}/data`, ["<blank>", "a", "b", "c", "d"]);

        // The released folder: step_<N> weights converted from .pt, all_config.yaml beside.
        await Deno.mkdir(`${dir}/released`);
        await convertCheckpoint(`${root}checkpoint.pt`, `${dir}/released/step_500.safetensors`);
        const archKeys = [
          "H_cycles",
          "H_layers",
          "L_cycles",
          "L_layers",
          "expansion",
          "halt_exploration_prob",
          "halt_max_steps",
          "hidden_size",
          "num_heads",
          "pos_encodings",
          "puzzle_emb_ndim",
        ];
        await Deno.writeTextFile(
          `${dir}/released/all_config.yaml`,
          [
            "arch:",
            ...archKeys.map((k) => `  ${k}: ${m[k]}`),
            "  loss:",
            `    loss_type: ${m.loss_type}`,
            "    name: losses@ACTLossHead",
            "  name: hrm.hrm_act_v1@HierarchicalReasoningModel_ACTV1",
            "beta1: 0.9",
            "beta2: 0.95",
            "checkpoint_every_eval: true",
            "data_path: data/not-here",
            "epochs: 10",
            "eval_interval: 10",
            "eval_save_outputs: []",
            `global_batch_size: ${m.batch_size}`,
            "lr: 0.0001",
            "project_name: Tiny ACT-torch",
            "run_name: null",
            "seed: 0",
            "",
          ].join("\n"),
        );
        const r = await runEvaluation({
          checkpoint: `${dir}/released/step_500.safetensors`,
          overrides: [`data_path=${dir}/data`, `backend=${backend}`, `run_dir=${dir}/out`],
          quiet: true,
        });
        assert.equal(r.step, 500);
        const s = r.sets.all;
        const count = g("count");
        assert.equal(s.count, count);
        assert.equal(s.exact_accuracy, g("exact_accuracy") / count);
        assert.equal(s.q_halt_accuracy, g("q_halt_accuracy") / count);
        assert.equal(s.steps, g("steps") / count);
        // H_init/L_init went through bfloat16 in the .pt: allow that rounding, nothing more.
        assert.ok(Math.abs(s.accuracy - g("accuracy") / count) < 1e-6, `${s.accuracy}`);
        assert.ok(Math.abs(s.lm_loss / (g("lm_loss") / count) - 1) < 1e-2, `${s.lm_loss}`);
        assert.ok(Math.abs(s.q_halt_loss / (g("q_halt_loss") / count) - 1) < 1e-2);
        // The released file itself (`checkpoint`, a torch.save zip) evaluates the same, unconverted.
        await Deno.copyFile(`${root}checkpoint.pt`, `${dir}/released/checkpoint`);
        const direct = await runEvaluation({
          checkpoint: `${dir}/released/checkpoint`,
          overrides: [`data_path=${dir}/data`, `backend=${backend}`, `run_dir=${dir}/out`],
          saveOutputs: [],
          quiet: true,
        });
        assert.equal(direct.step, 0);
        assert.deepEqual(direct.sets, r.sets);
        // The float32 weights (params.safetensors, H_init not rounded) match to the fixture tolerance.
        await Deno.copyFile(`${root}params.safetensors`, `${dir}/released/step_501.safetensors`);
        const exact = await runEvaluation({
          checkpoint: `${dir}/released/step_501.safetensors`,
          overrides: [`data_path=${dir}/data`, `backend=${backend}`, `run_dir=${dir}/out`],
          saveOutputs: [],
          quiet: true,
        });
        const e = exact.sets.all;
        assert.ok(Math.abs(e.lm_loss / (g("lm_loss") / count) - 1) < 1e-3, `${e.lm_loss}`);
        assert.ok(Math.abs(e.q_halt_loss / (g("q_halt_loss") / count) - 1) < 1e-3);
        assert.equal(e.accuracy, s.accuracy);
        console.log(
          `[${backend}] lm_loss ${s.lm_loss} vs ${
            g("lm_loss") / count
          }, q_halt_loss ${s.q_halt_loss} ` +
            `vs ${g("q_halt_loss") / count}; float32 weights: ${e.lm_loss}, ${e.q_halt_loss}`,
        );
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
