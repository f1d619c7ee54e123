/**
 * TRM through the trainer: `arch=trm ... ema=True` trains, evaluates on the EMA weights,
 * checkpoints the EMA shadow, and an interrupted + resumed run repeats the uninterrupted one
 * exactly (metrics and every checkpoint tensor, `ema.*` included).
 */
import assert from "node:assert/strict";
import { SMALL_DATASET, writeSyntheticDataset } from "../tasks/synthetic.ts";
import { testBackends } from "../backends/testing.ts";
import { typedArrayBytes } from "../io/mod.ts";
import { configFromArgs } from "./config.ts";
import { runTraining } from "./trainer.ts";
import { readMetrics, withoutTimings } from "./metrics_log.ts";
import { readCheckpoint } from "./checkpoint.ts";
import { runEvaluation } from "./eval_run.ts";

/** A tiny TRM: 4 groups x 2 examples per epoch, batch 4, 4 epochs = 8 steps, 2 evals. */
function tinyTrm(dir: string, backend: string, extra: string[] = []): string[] {
  return [
    "arch=trm",
    `data_paths=[${dir}/data]`,
    `backend=${backend}`,
    "global_batch_size=4",
    "epochs=4",
    "eval_interval=2",
    "lr=1e-3",
    "lr_warmup_steps=3",
    "arch.hidden_size=16",
    "arch.num_heads=2",
    "arch.L_layers=1",
    "arch.H_cycles=2",
    "arch.L_cycles=2",
    "arch.expansion=1",
    "arch.puzzle_emb_ndim=16",
    "arch.puzzle_emb_len=2",
    "arch.halt_max_steps=3",
    "arch.halt_exploration_prob=0.5",
    "ema=True",
    "ema_rate=0.9",
    "checkpoint_every=2",
    "seed=3",
    "workers=1",
    ...extra,
  ];
}

const opts = { sanitizeResources: false, sanitizeOps: false };

for (const backend of testBackends().filter((b) => b === "cpu" || b === "wasm")) {
  Deno.test({
    ...opts,
    name: `trm trainer: EMA checkpointed; interrupted + resumed = uninterrupted [${backend}]`,
    fn: async () => {
      const dir = await Deno.makeTempDir();
      try {
        await writeSyntheticDataset(`${dir}/data`, { ...SMALL_DATASET, testExamples: 6 });
        const run = (name: string, extra: string[] = [], stopAfter = 0) => {
          let n = 0;
          const ac = new AbortController();
          return runTraining(
            configFromArgs(tinyTrm(dir, backend, [`run_dir=${dir}/${name}`, ...extra])),
            {
              quiet: true,
              signal: ac.signal,
              onRecord: (r) => {
                if (stopAfter && r.kind === "train" && ++n === stopAfter) ac.abort();
              },
            },
          );
        };
        const lines = async (name: string) =>
          (await readMetrics(`${dir}/${name}/metrics.jsonl`)).map(withoutTimings);
        await run("a");
        const a = await lines("a");
        assert.equal(a.filter((r) => r.kind === "train").length, 8);
        assert.ok(
          a.filter((r) => r.kind === "train").every((r) => r.q_continue_loss === 0),
          "TRM has no Q-continue loss",
        );
        const ck = await readCheckpoint(`${dir}/a/checkpoints/step_8.safetensors`);
        assert.equal(ck.meta!.model_config.arch, "trm");
        const key = "model.inner.lm_head.weight";
        const shadow = ck.tensors.get(`ema.${key}`)!;
        assert.ok(shadow, "the EMA shadow is checkpointed");
        assert.notDeepEqual(
          typedArrayBytes(shadow.data),
          typedArrayBytes(ck.tensors.get(key)!.data),
          "the shadow is not the raw weights",
        );
        // Stop after step 3 (a checkpoint at the stop), resume to the end: identical run.
        const stopped = await run("d", [], 3);
        assert.equal(stopped.steps, 3);
        const resumed = await run("d", ["resume=true"]);
        assert.equal(resumed.steps, 8);
        assert.deepEqual(await lines("d"), a, "resumed TRM run repeats the uninterrupted one");
        const cd = await readCheckpoint(`${dir}/d/checkpoints/step_8.safetensors`);
        assert.deepEqual([...cd.tensors.keys()].sort(), [...ck.tensors.keys()].sort());
        for (const [k, t] of ck.tensors) {
          assert.deepEqual(typedArrayBytes(cd.tensors.get(k)!.data), typedArrayBytes(t.data), k);
        }
        // deno task eval on the final checkpoint evaluates its EMA shadow: the trainer's numbers.
        const ev = await runEvaluation({
          checkpoint: `${dir}/a/checkpoints/step_8.safetensors`,
          overrides: [`run_dir=${dir}/eval`],
          saveOutputs: [],
          quiet: true,
        });
        const last = a.filter((r) => r.kind === "eval").at(-1)!;
        const set = Object.values(ev.sets)[0];
        assert.equal(typeof set.lm_loss, "number");
        assert.equal(set.exact_accuracy, last.exact_accuracy);
        assert.equal(set.lm_loss, last.lm_loss);
        // Without EMA the evaluation (raw weights) differs: the shadow is what was evaluated.
        await run("n", ["ema=False"]);
        const evalOf = (rs: typeof a) => rs.filter((r) => r.kind === "eval").map((r) => r.lm_loss);
        assert.notDeepEqual(evalOf(await lines("n")), evalOf(a));
        const trainOf = (rs: typeof a) =>
          rs.filter((r) => r.kind === "train").map((r) => r.lm_loss);
        assert.deepEqual(trainOf(await lines("n")), trainOf(a), "EMA never changes training");
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
