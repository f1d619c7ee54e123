/**
 * `deno task eval checkpoint=<file> [key=value ...]`: evaluates a training
 * checkpoint or converted official weights on the test split, as the
 * reference's evaluate.py (see docs/training.md).
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import {
  describeConfigKeys,
  parseEvalArgs,
  parseEvalSample,
  runEvaluation,
  sampleText,
} from "../train/mod.ts";
import { runCli } from "../util/mod.ts";

const program = new Command()
  .name("deno task eval")
  .description("Evaluate a checkpoint on a dataset's test split.")
  .argument(
    "[args...]",
    "checkpoint=<file> [save_outputs=[preds,q_halt_logits,...]] and key=value overrides " +
      "(data_path=, global_batch_size=, backend=, arch.halt_max_steps=, run_dir=)",
  )
  .option(
    "--eval-sample <n>",
    "score a seeded random sample of N whole test groups (puzzles with their augmented " +
      "variants) instead of the whole test split",
  )
  .option("--eval-seed <s>", "seed of --eval-sample's draw (same seed, same sample)", "0")
  .addHelpText("after", "\n" + describeConfigKeys())
  .action(async (args, opts) => {
    const sample = opts.evalSample === undefined
      ? undefined
      : parseEvalSample(opts.evalSample, opts.evalSeed);
    if (!sample && opts.evalSeed !== "0") {
      throw new Error("--eval-seed needs --eval-sample N");
    }
    const parsed = parseEvalArgs(args);
    const s = await runEvaluation({
      checkpoint: parsed.checkpoint,
      overrides: parsed.overrides,
      saveOutputs: parsed.saveOutputs,
      sample,
    });
    if (s.sample) console.log(`scored a sample: ${sampleText(s.sample)}`);
    for (const [set, m] of Object.entries(s.sets)) {
      console.log(
        `${set}: count ${m.count} exact_accuracy ${m.exact_accuracy.toFixed(4)} accuracy ` +
          `${m.accuracy.toFixed(4)} q_halt_accuracy ${m.q_halt_accuracy.toFixed(4)} steps ` +
          `${m.steps.toFixed(2)} lm_loss ${m.lm_loss.toFixed(4)}`,
      );
    }
    const tag = s.sample ? `_sample${s.sample.size}_seed${s.sample.seed}` : "";
    console.log(
      `metrics: ${s.outDir}/eval_step_${s.step}${tag}.jsonl` +
        (s.outputsDir ? `; outputs: ${s.outputsDir}` : ""),
    );
  });

if (import.meta.main) {
  await runCli(() => program.parseAsync(Deno.args, { from: "user" }));
}
