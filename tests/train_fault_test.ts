/**
 * Fault test: `deno task train` processes are SIGKILLed at seeded random
 * points, in a loop over one run folder: after a random delay once a newer
 * checkpoint exists, or in the middle of a checkpoint write (the
 * `HRM_FAULT_ATOMIC` hook of io/atomic.ts pauses the write of `latest` half
 * way, so the kill leaves a partial temp file). While each victim runs, a
 * second trainer races it on the same folder and must be refused naming the
 * owner. Before the last resume the newest checkpoint gets a flipped bit, and
 * the resume must fall back to the previous one, saying so. The end result:
 * metrics.jsonl equal (timings aside) to an uninterrupted run's, no temp file
 * and no lock left. Seed: `HRM_FAULT_SEED` (default 1).
 */
import assert from "node:assert/strict";
import { SMALL_DATASET, TINY_ARCH, writeSyntheticDataset } from "../tasks/synthetic.ts";
import { testBackends } from "../backends/testing.ts";
import { Rng } from "../util/rng.ts";
import { TEMP_FILE_PATTERN } from "../io/atomic.ts";
import { readMetrics, withoutTimings } from "../train/metrics_log.ts";
import { listCheckpoints, readCheckpointMeta } from "../train/checkpoint.ts";

const backend = testBackends().includes("wasm") ? "wasm" : "cpu";
const script = new URL("../cli/train.ts", import.meta.url).pathname;
const seed = Number(Deno.env.get("HRM_FAULT_SEED") ?? 1);

function args(dir: string, run: string, extra: string[] = []): string[] {
  return [
    `data_path=${dir}/data`,
    `run_dir=${dir}/${run}`,
    `backend=${backend}`,
    "global_batch_size=4",
    "epochs=40",
    "eval_interval=10",
    "lr=1e-3",
    "lr_warmup_steps=4",
    ...TINY_ARCH,
    "arch.L_cycles=2",
    "arch.halt_max_steps=3",
    "checkpoint_every=4",
    "seed=7",
    "workers=1",
    ...extra,
  ];
}

function train(argv: string[], env: Record<string, string> = {}): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...argv],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
  }).spawn();
}

const decoder = new TextDecoder();
async function finish(p: Deno.ChildProcess): Promise<{ code: number; out: string }> {
  const r = await p.output();
  return { code: r.code, out: decoder.decode(r.stdout) + decoder.decode(r.stderr) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 10 ms (up to 60 s); true once it holds. */
async function until(check: () => Promise<boolean> | boolean): Promise<boolean> {
  for (let i = 0; i < 6000; i++) {
    if (await check()) return true;
    await sleep(10);
  }
  return false;
}

const names = (dir: string) => {
  try {
    return [...Deno.readDirSync(dir)].map((e) => e.name);
  } catch {
    return [];
  }
};

/** A temporary file of the paused `latest.safetensors` write. */
const pausedTemp = (n: string) => n.startsWith("latest.safetensors.") && TEMP_FILE_PATTERN.test(n);

Deno.test({
  name: `train CLI faults: seeded kills (mid-write too), a racing trainer, a damaged checkpoint ` +
    `-> the uninterrupted metrics [${backend}, seed ${seed}]`,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const rng = new Rng(seed);
    try {
      await writeSyntheticDataset(`${dir}/data`, { ...SMALL_DATASET, testExamples: 6 });
      // 4 groups x 2 examples / batch 4 = 2 steps per epoch: 80 steps, evals every 20.
      const full = await finish(train(args(dir, "full")));
      assert.equal(full.code, 0, full.out);
      const reference = (await readMetrics(`${dir}/full/metrics.jsonl`)).map(withoutTimings);
      assert.equal(reference.filter((r) => r.kind === "train").length, 80);

      const runDir = `${dir}/run`;
      const ckDir = `${runDir}/checkpoints`;
      const latestStep = async () =>
        (await readCheckpointMeta(`${ckDir}/latest.safetensors`).catch(() => undefined))?.step ??
          0;
      const modes = ["delay", "mid-write", "delay"] as const;
      for (const [i, mode] of modes.entries()) {
        const before = await latestStep();
        const resume = before > 0 ? ["resume=true"] : [];
        // mid-write: every write of latest.safetensors stops half way for 60 s (we kill first).
        const env: Record<string, string> = mode === "mid-write"
          ? { HRM_FAULT_ATOMIC: "latest.safetensors:60000" }
          : {};
        const victim = train(args(dir, "run", resume), env);
        let exited = false;
        victim.status.then(() => exited = true);
        let killedIn = "";
        if (mode === "mid-write") {
          // Kill while a checkpoint write is half done (its temp file exists) ...
          assert.ok(
            // The paused write is latest's (a step_N write may pass by unpaused meanwhile).
            await until(() => exited || names(ckDir).some(pausedTemp)),
            "a checkpoint write started",
          );
          killedIn = names(ckDir).find(pausedTemp) ?? "";
          assert.ok(killedIn && !exited, "the victim is paused in a checkpoint write");
          // ... after a second trainer raced it on the same folder and was refused.
          const racer = await finish(train(args(dir, "run", ["resume=true"])));
          assert.equal(racer.code, 1, racer.out);
          assert.match(
            racer.out,
            new RegExp(
              `error: .*run/\\.lock: locked by pid ${victim.pid} \\(resume training\\) ` +
                `since \\S+; refusing to resume training\\n`,
            ),
          );
          assert.ok(!exited, "the victim still runs");
        } else {
          assert.ok(
            // The last one runs past the first evaluation (step 20), so two checkpoints exist.
            await until(async () =>
              exited ||
              (await latestStep()) > (i === modes.length - 1 ? Math.max(before, 20) : before)
            ),
            "a newer checkpoint",
          );
          await sleep(Math.floor(rng.uniform() * 400));
        }
        victim.kill("SIGKILL");
        const status = await victim.status;
        const victimOut = await new Response(victim.stdout).text();
        await victim.stderr.cancel();
        assert.equal(status.signal, "SIGKILL", `iteration ${i} ended before the kill`);
        if (i > 0 && modes[i - 1] === "mid-write") {
          // The next start removed the killed write's partial temp file, saying so.
          assert.match(victimOut, /removed 1 temporary file\(s\) left by a killed write/);
        }
        if (killedIn) {
          assert.ok(names(ckDir).includes(killedIn), "the partial temp file is left behind");
        }
        // The dead victim's lock stays behind, to be taken over as stale.
        assert.ok(names(runDir).includes(".lock"));
      }

      // A flipped bit in the newest checkpoint: the resume falls back, saying so.
      const listing = await listCheckpoints(runDir);
      assert.ok(listing.valid.length >= 2, "latest and step_20");
      const damaged = listing.valid[0].path;
      const bytes = await Deno.readFile(damaged);
      bytes[bytes.length - 1 - rng.int(64)] ^= 1 << rng.int(8);
      await Deno.writeFile(damaged, bytes);
      const resumed = await finish(train(args(dir, "run", ["resume=true"])));
      assert.equal(resumed.code, 0, resumed.out);
      assert.match(resumed.out, /taking over a stale lock of pid \d+/);
      const name = damaged.split("/").at(-1)!.replaceAll(".", "\\.");
      assert.match(resumed.out, new RegExp(`${name}: damaged checkpoint.*falling back`));
      assert.match(resumed.out, /using .* \(step \d+\), the newest intact checkpoint/);
      const after = (await readMetrics(`${runDir}/metrics.jsonl`)).map(withoutTimings);
      assert.deepEqual(after, reference);
      // Nothing of ours left over: no temp file, no lock.
      for (const d of [runDir, ckDir]) {
        assert.deepEqual(names(d).filter((n) => TEMP_FILE_PATTERN.test(n)), [], d);
      }
      assert.ok(!names(runDir).includes(".lock"), "the lock is released");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
