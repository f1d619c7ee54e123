import assert from "node:assert/strict";
import { SMALL_DATASET, TINY_ARCH, writeSyntheticDataset } from "../tasks/synthetic.ts";
import { testBackends } from "../backends/testing.ts";
import { configFromArgs } from "./config.ts";
import { NonFiniteLossError, runTraining } from "./trainer.ts";
import { readMetrics, withoutTimings } from "./metrics_log.ts";
import { readCheckpoint } from "./checkpoint.ts";

/** A tiny model and data: 4 groups x 2 examples per epoch, batch 4, 4 epochs = 8 steps, 2 evals. */
function tinyArgs(dir: string, backend: string, extra: string[] = []): string[] {
  return [
    `data_path=${dir}/data`,
    `backend=${backend}`,
    "global_batch_size=4",
    "epochs=4",
    "eval_interval=2",
    "lr=1e-3",
    "lr_warmup_steps=3",
    "lr_min_ratio=0.1",
    ...TINY_ARCH,
    "arch.H_cycles=2",
    "arch.halt_max_steps=3",
    "arch.halt_exploration_prob=0.5",
    "checkpoint_every=2",
    "seed=3",
    ...extra,
  ];
}

const opts = { sanitizeResources: false, sanitizeOps: false };

for (const backend of testBackends().filter((b) => b === "cpu" || b === "wasm")) {
  Deno.test({
    ...opts,
    name:
      `trainer: same seed -> same metrics.jsonl; interrupted + resumed = uninterrupted [${backend}]`,
    fn: async () => {
      const dir = await Deno.makeTempDir();
      try {
        await writeSyntheticDataset(`${dir}/data`, { ...SMALL_DATASET, testExamples: 6 });
        const run = (name: string, extra: string[] = [], signal?: AbortSignal, stopAfter = 0) => {
          let n = 0;
          const ac = new AbortController();
          return runTraining(
            configFromArgs(tinyArgs(dir, backend, [`run_dir=${dir}/${name}`, ...extra])),
            {
              quiet: true,
              signal: signal ?? ac.signal,
              onRecord: (r) => {
                if (stopAfter && r.kind === "train" && ++n === stopAfter) ac.abort();
              },
            },
          );
        };
        const lines = async (name: string) =>
          (await readMetrics(`${dir}/${name}/metrics.jsonl`)).map(withoutTimings);
        await run("a");
        await run("b");
        const a = await lines("a");
        assert.equal(a.filter((r) => r.kind === "train").length, 8);
        assert.equal(a.filter((r) => r.kind === "eval").length, 2);
        assert.deepEqual(await lines("b"), a, "same seed, same backend: identical metrics");
        // The reference's schedule: warm-up over 3 steps, then cosine to 0.1 x lr at step 8.
        const lr = a.filter((r) => r.kind === "train").map((r) => Number(r.lr));
        assert.ok(Math.abs(lr[0] - 1e-3 / 3) < 1e-12);
        assert.equal(lr[2], 1e-3);
        assert.ok(Math.abs(lr[7] - 1e-4) < 1e-12);
        // A fresh run does not overwrite an existing one.
        await assert.rejects(() => run("a"), /run_dir .*\/a already holds a run .* resume=true/);
        await run("c", ["seed=4"]);
        assert.notDeepEqual(await lines("c"), a, "another seed differs");
        // Stop after step 3 (checkpoint written at the stop), then resume to the end.
        const stopped = await run("d", [], undefined, 3);
        assert.equal(stopped.interrupted, true);
        assert.equal(stopped.steps, 3);
        const resumed = await run("d", ["resume=true"]);
        assert.equal(resumed.steps, 8);
        assert.deepEqual(await lines("d"), a, "resumed run repeats the uninterrupted one");
        // The final checkpoint holds everything a resume needs.
        const ck = await readCheckpoint(`${dir}/d/checkpoints/step_8.safetensors`);
        assert.equal(ck.meta!.kind, "final");
        assert.deepEqual(ck.meta!.position, { iteration: 2, set: 0, batch: 0 });
        for (
          const k of [
            "model.inner.H_init",
            "model.inner.puzzle_emb.weights",
            "carry.z_H",
            "carry.halted",
            "carry.inputs",
          ]
        ) assert.ok(ck.tensors.has(k), k);
        assert.ok([...ck.tensors.keys()].some((k) => k.startsWith("optim.adam.m.")));
        assert.ok(Array.isArray((ck.meta!.state as { rng: number[] }).rng));
        // A finished run resumed again has nothing to do.
        assert.equal((await run("d", ["resume=true"])).steps, 8);
        assert.deepEqual(await lines("d"), a);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

Deno.test({
  ...opts,
  name: "trainer: a non-finite loss stops the run naming the step, last good state saved",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await writeSyntheticDataset(`${dir}/data`, { ...SMALL_DATASET, testExamples: 4 });
      const backend = testBackends().includes("wasm") ? "wasm" : "cpu";
      // An absurd learning rate overflows the weights within a few steps.
      const config = configFromArgs(
        tinyArgs(dir, backend, [`run_dir=${dir}/r`, "lr=1e38", "lr_warmup_steps=0", "epochs=8"]),
      );
      let err: Error | undefined;
      try {
        await runTraining(config, { quiet: true });
      } catch (e) {
        err = e as Error;
      }
      assert.ok(err instanceof NonFiniteLossError, "the run must fail on the loss");
      const m =
        /^step (\d+): loss is (NaN|-?Infinity) \(not finite\); stopped\. The last good state \(step (\d+)\) is saved in (\S+)$/
          .exec(err.message);
      assert.ok(m, err.message);
      assert.equal(Number(m[3]), Number(m[1]) - 1);
      const ck = await readCheckpoint(m[4]);
      assert.equal(ck.meta!.kind, "nonfinite");
      assert.equal(ck.meta!.step, Number(m[3]));
      assert.deepEqual([err.step, err.lastGoodStep, err.checkpoint], [
        Number(m[1]),
        Number(m[3]),
        m[4],
      ]);
      const records = await readMetrics(`${dir}/r/metrics.jsonl`);
      assert.equal(records.filter((r) => r.kind === "train").length, Number(m[3]));
      for (const r of records) assert.ok(Number.isFinite(Number(r.loss ?? 0)));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  ...opts,
  name: "trainer: configs that do not fit the data are one-line errors",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await writeSyntheticDataset(`${dir}/data`, { ...SMALL_DATASET, testExamples: 4 });
      await writeSyntheticDataset(`${dir}/data6`, { seqLen: 6 });
      const fail = async (extra: string[], pattern: RegExp) => {
        const config = configFromArgs(tinyArgs(dir, "cpu", [`run_dir=${dir}/r`, ...extra]));
        await assert.rejects(() => runTraining(config, { quiet: true }), (e: Error) => {
          assert.match(e.message, pattern);
          assert.ok(!e.message.includes("\n"), e.message);
          return true;
        });
      };
      await fail(
        ["global_batch_size=1000"],
        /data\/train: 4 epochs of 4 groups x 2 examples make no full batch of global_batch_size 1000/,
      );
      await fail(["eval_interval=3"], /eval_interval 3 must divide epochs 4/);
      await fail(
        ["arch.hidden_size=30", "arch.num_heads=4"],
        /hidden_size 30 is not divisible by num_heads 4/,
      );
      // A checkpoint trained on seq_len 4 does not resume on seq_len 6 data.
      await runTraining(configFromArgs(tinyArgs(dir, "cpu", [`run_dir=${dir}/r`, "max_steps=1"])), {
        quiet: true,
      });
      await fail(
        [`data_path=${dir}/data6`, "resume=true"],
        /step_1\.safetensors: the model has seq_len 4 but the dataset has 6/,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  ...opts,
  name: "trainer: workers=2 logs the metrics of workers=1 (to float rounding) and records workers",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await writeSyntheticDataset(`${dir}/data`, { ...SMALL_DATASET, testExamples: 6 });
      const logs: Record<string, unknown>[][] = [];
      for (const workers of [1, 2]) {
        const runDir = `${dir}/w${workers}`;
        await runTraining(
          configFromArgs(tinyArgs(dir, "wasm", [`run_dir=${runDir}`, `workers=${workers}`])),
          { quiet: true },
        );
        const config = JSON.parse(await Deno.readTextFile(`${runDir}/config.json`));
        assert.equal(config.workers, workers);
        logs.push((await readMetrics(`${runDir}/metrics.jsonl`)).map(withoutTimings));
      }
      const [one, two] = logs;
      assert.equal(two.length, one.length);
      assert.ok(one.some((r) => r.kind === "eval"));
      for (let i = 0; i < one.length; i++) {
        for (const [k, v] of Object.entries(one[i])) {
          const w = two[i][k];
          if (typeof v === "number" && !Number.isInteger(v)) {
            assert.ok(Math.abs(v - (w as number)) <= 1e-4 * Math.max(1, Math.abs(v)), `${k} @${i}`);
          } else assert.deepEqual(w, v, `${k} @${i}`);
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  ...opts,
  name: "trainer: one writer per run folder; resume checks config and dataset (override)",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const sleeper = new Deno.Command("sleep", { args: ["60"] }).spawn();
    try {
      await writeSyntheticDataset(`${dir}/data`, { ...SMALL_DATASET, testExamples: 4 });
      await writeSyntheticDataset(`${dir}/data2`, { ...SMALL_DATASET, testExamples: 4, seed: 9 });
      const cfg = (extra: string[]) =>
        configFromArgs(tinyArgs(dir, "cpu", [`run_dir=${dir}/r`, "checkpoint_every=1", ...extra]));
      const run = (extra: string[]) => runTraining(cfg(extra), { quiet: true });
      const refused = async (extra: string[], pattern: RegExp) => {
        await assert.rejects(() => run(extra), (e: Error) => {
          assert.match(e.message, pattern);
          assert.ok(!e.message.includes("\n"), e.message);
          return true;
        });
      };
      assert.equal((await run(["max_steps=1"])).steps, 1);
      // A live process holds the lock: a second trainer and a resume are refused.
      const live = { pid: sleeper.pid, hostname: Deno.hostname(), started: "T0", what: "train" };
      await Deno.writeTextFile(`${dir}/r/.lock`, JSON.stringify(live));
      await refused(
        ["resume=true", "max_steps=2"],
        new RegExp(
          `r/\\.lock: locked by pid ${sleeper.pid} \\(train\\) since T0; refusing to ` +
            `resume training$`,
        ),
      );
      // Its owner died: the lock is taken over, leftover temp files of our naming removed.
      const dead = new Deno.Command(Deno.execPath(), { args: ["eval", "0"] }).spawn();
      await dead.status;
      await Deno.writeTextFile(`${dir}/r/.lock`, JSON.stringify({ ...live, pid: dead.pid }));
      const temp = `latest.safetensors.${dead.pid}.0badc0de.tmp`;
      await Deno.writeTextFile(`${dir}/r/checkpoints/${temp}`, "half a checkpoint");
      await Deno.writeTextFile(`${dir}/r/checkpoints/mine.tmp`, "not ours");
      const s2 = await run(["resume=true", "max_steps=2"]);
      assert.equal(s2.steps, 2);
      assert.match(s2.notes[0], new RegExp(`taking over a stale lock of pid ${dead.pid}`));
      assert.ok(
        s2.notes.includes(
          `removed 1 temporary file(s) left by a killed write: ` +
            `checkpoints/${temp}`,
        ),
        s2.notes.join("\n"),
      );
      assert.ok(s2.notes.includes("resume: changed keys: max_steps 1 -> 2"), s2.notes.join("|"));
      const names = [...Deno.readDirSync(`${dir}/r/checkpoints`)].map((e) => e.name).sort();
      assert.deepEqual(names, [
        "latest.safetensors",
        "mine.tmp",
        "step_1.safetensors",
        "step_2.safetensors",
      ]);
      assert.ok(!(await Deno.stat(`${dir}/r/.lock`).catch(() => null)), "lock released");
      // Keys that change the trajectory, or other data, are refused, listing the changes.
      await refused(
        ["resume=true", "lr=2e-3", "seed=5"],
        /step_2\.safetensors was trained with another config or dataset \(lr 0\.001 -> 0\.002; seed 3 -> 5\); .*resume_override=true/,
      );
      await refused(
        ["resume=true", `data_path=${dir}/data2`],
        /dataset fingerprint [0-9a-f]{16} -> [0-9a-f]{16} \(.*data2 holds other data\)/,
      );
      // ... unless overridden, which is said.
      const s3 = await run(["resume=true", "lr=2e-3", "max_steps=3", "resume_override=true"]);
      assert.equal(s3.steps, 3);
      assert.ok(s3.notes.some((n) => /resume_override=true despite: lr 0\.001 -> 0\.002/.test(n)));
      // Two trainers in one process on one folder: the second is refused while the first runs.
      const again = ["resume=true", "max_steps=8", "lr=2e-3"];
      let second: Promise<string> | undefined;
      const first = runTraining(cfg(again), {
        quiet: true,
        onRecord: () => {
          second ??= run(again).then(() => "it ran", (e: Error) => e.message);
        },
      });
      assert.equal((await first).steps, 8);
      assert.match(await second!, /r\/\.lock: locked by pid \d+ \(resume training\) .*refusing to/);
    } finally {
      sleeper.kill();
      await sleeper.status;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
