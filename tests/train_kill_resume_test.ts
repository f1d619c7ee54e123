/**
 * A `deno task train` process killed with SIGKILL after it wrote a checkpoint,
 * then resumed with `resume=true`, ends with the same metrics.jsonl (timings
 * aside) as an uninterrupted run with the same seed; and the CLI's bad-input
 * path prints one `error: ...` line and exits 1.
 */
import assert from "node:assert/strict";
import { SMALL_DATASET, TINY_ARCH, writeSyntheticDataset } from "../tasks/synthetic.ts";
import { testBackends } from "../backends/testing.ts";
import { readMetrics, withoutTimings } from "../train/metrics_log.ts";
import { finish, killAtCheckpoint, train } from "./train_process.ts";

const backend = testBackends().includes("wasm") ? "wasm" : "cpu";

function args(dir: string, run: string, extra: string[] = []): string[] {
  return [
    `data_path=${dir}/data`,
    `run_dir=${dir}/${run}`,
    `backend=${backend}`,
    "global_batch_size=4",
    "epochs=12",
    "eval_interval=6",
    "lr=1e-3",
    "lr_warmup_steps=4",
    ...TINY_ARCH,
    "arch.L_cycles=2",
    "arch.halt_max_steps=3",
    "checkpoint_every=3",
    "seed=7",
    ...extra,
  ];
}

Deno.test({
  name:
    `train CLI: SIGKILL after a checkpoint, resume=true -> the uninterrupted metrics [${backend}]`,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await writeSyntheticDataset(`${dir}/data`, { ...SMALL_DATASET, testExamples: 6 });
      // 4 groups x 2 examples / batch 4 = 2 steps per epoch, 24 steps, evals at 12 and 24.
      const full = await finish(train(args(dir, "full")));
      assert.equal(full.code, 0, full.out);
      assert.match(full.out, /done: 24\/24 steps/);
      const reference = (await readMetrics(`${dir}/full/metrics.jsonl`)).map(withoutTimings);
      assert.equal(reference.length, 26);

      // Kill as soon as a checkpoint exists (mid-run: the checkpoint says where).
      const victim = train(args(dir, "killed"));
      const ckpt = `${dir}/killed/checkpoints/latest.safetensors`;
      const { killedAt, status } = await killAtCheckpoint(victim, ckpt);
      assert.ok(killedAt > 0, "a checkpoint appeared");
      assert.equal(status.signal, "SIGKILL");
      const partial = await readMetrics(`${dir}/killed/metrics.jsonl`);
      assert.ok(partial.length < reference.length, "killed before the end");
      // No temp files left visible under the checkpoint's name.
      const ckNames = [...Deno.readDirSync(`${dir}/killed/checkpoints`)].map((e) => e.name);
      assert.ok(ckNames.includes("latest.safetensors"));

      const resumed = await finish(train(args(dir, "killed", ["resume=true"])));
      assert.equal(resumed.code, 0, resumed.out);
      assert.match(resumed.out, /resumed from .* at step \d+/);
      const after = (await readMetrics(`${dir}/killed/metrics.jsonl`)).map(withoutTimings);
      assert.deepEqual(after, reference);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "train CLI: bad input is one 'error:' line and exit code 1",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const cases: [string[], RegExp][] = [
        [["data_path=x", "arch.L_cycle=8"], /^error: unknown key 'arch\.L_cycle'.*valid keys: /],
        [["data_path=x", "lr=abc"], /^error: key 'lr': /],
        [[`data_path=${dir}/none`], /^error: .*\/none: dataset folder not found$/],
      ];
      for (const [argv, pattern] of cases) {
        const r = await finish(train(argv));
        assert.equal(r.code, 1, r.out);
        const errLines = r.out.split("\n").filter((l) => l.startsWith("error:"));
        assert.equal(errLines.length, 1, r.out);
        assert.match(errLines[0], pattern);
        assert.ok(!r.out.includes("    at "), `stack trace printed: ${r.out}`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
