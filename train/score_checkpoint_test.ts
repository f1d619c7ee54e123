import assert from "node:assert/strict";
import { SMALL_DATASET, TINY_ARCH, writeSyntheticDataset } from "../tasks/synthetic.ts";
import { testBackends } from "../backends/testing.ts";
import { configFromArgs } from "./config.ts";
import { runTraining } from "./trainer.ts";
import { readMetrics } from "./metrics_log.ts";
import {
  chooseCheckpoint,
  evaluationSteps,
  ordinal,
  parseScoreRule,
  ruleText,
  trainAccuracyByEvaluation,
} from "./score_checkpoint.ts";

const backend = testBackends().includes("wasm") ? "wasm" : "cpu";

Deno.test("score rule: parse and print; bad rules are one line naming the option", () => {
  for (const t of ["last", "best-train", "eval=8", "step=0", "step=414456"]) {
    assert.equal(ruleText(parseScoreRule(t)), t);
  }
  assert.deepEqual(parseScoreRule("eval=8"), { kind: "eval", k: 8 });
  for (const bad of ["eval=0", "eval=x", "best", "step=-1", "first"]) {
    assert.throws(
      () => parseScoreRule(bad),
      new RegExp(`^Error: --score-checkpoint '${bad}': expected last, best-train, eval=K`),
    );
  }
  assert.deepEqual([1, 2, 3, 4, 8, 11, 12, 13, 21, 22, 101].map(ordinal), [
    "1st",
    "2nd",
    "3rd",
    "4th",
    "8th",
    "11th",
    "12th",
    "13th",
    "21st",
    "22nd",
    "101st",
  ]);
});

Deno.test({
  name:
    `score checkpoint: last, eval=K, step=N and best-train pick the kept checkpoints [${backend}]`,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await writeSyntheticDataset(`${dir}/data`, { ...SMALL_DATASET, testExamples: 4 });
      // 4 groups x 2 rows / batch 4 = 2 steps an epoch; an evaluation every epoch: steps 2, 4, 6.
      await runTraining(
        configFromArgs([
          `data_path=${dir}/data`,
          `run_dir=${dir}/run`,
          `backend=${backend}`,
          "global_batch_size=4",
          "epochs=3",
          "eval_interval=1",
          "lr_warmup_steps=1",
          "checkpoint_every=0",
          ...TINY_ARCH,
          "arch.halt_max_steps=2",
        ]),
        { quiet: true },
      );
      const run = `${dir}/run`;
      assert.deepEqual(await evaluationSteps(run), [2, 4, 6]);
      const last = await chooseCheckpoint(run, parseScoreRule("last"));
      assert.equal(last.step, 6);
      assert.equal(last.note, "the last checkpoint (step 6)");
      const second = await chooseCheckpoint(run, parseScoreRule("eval=2"));
      assert.equal(second.path, `${run}/checkpoints/step_4.safetensors`);
      assert.deepEqual([second.step, second.evaluation, second.evaluations], [4, 2, 3]);
      assert.equal(second.note, "the 2nd of 3 evaluations (step 4)");
      assert.equal((await chooseCheckpoint(run, parseScoreRule("step=2"))).evaluation, 1);
      await assert.rejects(
        chooseCheckpoint(run, parseScoreRule("eval=4")),
        /^Error: --score-checkpoint eval=4: the run made 3 evaluation\(s\), not 4$/,
      );
      await assert.rejects(
        chooseCheckpoint(run, parseScoreRule("step=3")),
        /no checkpoint at step 3 \(kept: 2, 4, 6\)/,
      );
      // After an early stop an unreachable rule falls back to the newest checkpoint, saying so.
      // (As if the loss turned non-finite at step 6: the state saved at step 5 is excluded.)
      const fb = await chooseCheckpoint(run, parseScoreRule("eval=4"), { lastGoodStep: 5 });
      assert.equal(fb.step, 4);
      assert.ok(fb.fallback);
      assert.match(fb.note, /the last good checkpoint \(step 4\), the newest before the loss/);
      const kept = await chooseCheckpoint(run, parseScoreRule("eval=1"), { lastGoodStep: 5 });
      assert.deepEqual([kept.step, kept.fallback], [2, false]);
      await assert.rejects(
        chooseCheckpoint(run, parseScoreRule("last"), { lastGoodStep: 2 }),
        /^Error: no checkpoint before step 2 with finite weights; nothing to score$/,
      );

      // best-train reads the train lines of metrics.jsonl only: rewrite them so that the
      // 2nd interval (steps 3..4) is best; a tie with the 3rd goes to the earlier one.
      const records = await readMetrics(`${run}/metrics.jsonl`);
      const acc = (step: number) => step <= 2 ? 0.25 : 0.75;
      const lines = records.map((r) =>
        JSON.stringify(
          r.kind === "train" ? { ...r, exact_accuracy: acc(r.step as number), count: 4 } : r,
        )
      );
      await Deno.writeTextFile(`${run}/metrics.jsonl`, lines.join("\n") + "\n");
      assert.deepEqual(await trainAccuracyByEvaluation(run, [2, 4, 6]), [0.25, 0.75, 0.75]);
      const best = await chooseCheckpoint(run, parseScoreRule("best-train"));
      assert.equal(best.step, 4);
      assert.match(best.note, /^the 2nd of 3 evaluations \(step 4\): the highest training exact/);
      // A line at 100% in the 3rd interval lifts its mean above the 2nd's: the 3rd wins.
      const weighted = records.map((r) =>
        JSON.stringify(
          r.kind === "train"
            ? { ...r, exact_accuracy: r.step === 6 ? 1 : acc(r.step as number), count: 4 }
            : r,
        )
      );
      await Deno.writeTextFile(`${run}/metrics.jsonl`, weighted.join("\n") + "\n");
      assert.equal((await chooseCheckpoint(run, parseScoreRule("best-train"))).step, 6);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
