/**
 * TRM through `deno task train` with TinyRecursiveModels' spellings (`arch=trm`,
 * `data_paths=[...]`, `evaluators=[]`, `arch.mlp_t=True`, `arch.pos_encodings=none`,
 * `+run_name`, `ema=True`) at a tiny size: killed with SIGKILL after a checkpoint, resumed with
 * `resume=true`, it ends with the uninterrupted run's metrics.jsonl and final EMA shadow.
 */
import assert from "node:assert/strict";
import { SMALL_DATASET, writeSyntheticDataset } from "../tasks/synthetic.ts";
import { testBackends } from "../backends/testing.ts";
import { readMetrics, withoutTimings } from "../train/metrics_log.ts";
import { readCheckpoint } from "../train/checkpoint.ts";
import { finish, killAtCheckpoint, train } from "./train_process.ts";
import { typedArrayBytes } from "../io/mod.ts";

const backend = testBackends().includes("wasm") ? "wasm" : "cpu";

function args(dir: string, run: string, extra: string[] = []): string[] {
  return [
    "arch=trm",
    `data_paths=[${dir}/data]`,
    "evaluators=[]",
    "epochs=12",
    "eval_interval=6",
    "lr=1e-3",
    "puzzle_emb_lr=1e-3",
    "weight_decay=1.0",
    "puzzle_emb_weight_decay=1.0",
    "arch.mlp_t=True",
    "arch.pos_encodings=none",
    "arch.L_layers=1",
    "arch.H_cycles=2",
    "arch.L_cycles=2",
    `+run_name=${run}`,
    "ema=True",
    // The tiny size and this project's keys.
    "arch.hidden_size=16",
    "arch.num_heads=2",
    "arch.expansion=1",
    "arch.puzzle_emb_len=1",
    "arch.halt_max_steps=3",
    "global_batch_size=4",
    "lr_warmup_steps=4",
    `run_dir=${dir}/${run}`,
    `backend=${backend}`,
    "checkpoint_every=3",
    "seed=7",
    ...extra,
  ];
}

Deno.test({
  name: `train CLI: TRM (README spellings) SIGKILLed and resumed = uninterrupted [${backend}]`,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await writeSyntheticDataset(`${dir}/data`, { ...SMALL_DATASET, testExamples: 6 });
      const full = await finish(train(args(dir, "full")));
      assert.equal(full.code, 0, full.out);
      assert.match(full.out, /done: 24\/24 steps/);
      const reference = (await readMetrics(`${dir}/full/metrics.jsonl`)).map(withoutTimings);

      const victim = train(args(dir, "killed"));
      const ckpt = `${dir}/killed/checkpoints/latest.safetensors`;
      const { killedAt } = await killAtCheckpoint(victim, ckpt);
      assert.ok(killedAt > 0, "a checkpoint appeared");
      assert.ok((await readMetrics(`${dir}/killed/metrics.jsonl`)).length < reference.length);

      const resumed = await finish(train(args(dir, "killed", ["resume=true"])));
      assert.equal(resumed.code, 0, resumed.out);
      assert.deepEqual(
        (await readMetrics(`${dir}/killed/metrics.jsonl`)).map(withoutTimings),
        reference,
      );
      const a = await readCheckpoint(`${dir}/full/checkpoints/step_24.safetensors`);
      const b = await readCheckpoint(`${dir}/killed/checkpoints/step_24.safetensors`);
      assert.equal(a.meta!.model_config.arch, "trm");
      const emaKeys = [...a.tensors.keys()].filter((k) => k.startsWith("ema."));
      assert.ok(emaKeys.includes("ema.model.inner.L_level.layers.0.mlp_t.gate_up_proj.weight"));
      for (const k of [...emaKeys, "model.inner.lm_head.weight", "carry.z_L"]) {
        assert.deepEqual(
          typedArrayBytes(b.tensors.get(k)!.data),
          typedArrayBytes(a.tensors.get(k)!.data),
          k,
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
