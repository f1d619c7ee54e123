/**
 * `deno task eval checkpoint=<file> [key=value ...]`: evaluates a training
 * checkpoint or converted official weights on the test split, as the
 * reference's evaluate.py (see docs/training.md).
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { describeConfigKeys, parseEvalArgs, runEvaluation } from "../train/mod.ts";
import { runCli } from "../util/mod.ts";

const program = new Command()
  .name("deno task eval")
  .description("Evaluate a checkpoint on a dataset's test split.")
  .argument(
    "[args...]",
    "checkpoint=<file> [save_outputs=[preds,q_halt_logits,...]] and key=value overrides " +
      "(data_path=, global_batch_size=, backend=, arch.halt_max_steps=, run_dir=)",
  )
  .addHelpText("after", "\n" + describeConfigKeys())
  .action(async (args) => {
    const parsed = parseEvalArgs(args);
    const s = await runEvaluation({
      checkpoint: parsed.checkpoint,
      overrides: parsed.overrides,
      saveOutputs: parsed.saveOutputs,
    });
    for (const [set, m] of Object.entries(s.sets)) {
      console.log(
        `${set}: count ${m.count} exact_accuracy ${m.exact_accuracy.toFixed(4)} accuracy ` +
          `${m.accuracy.toFixed(4)} q_halt_accuracy ${m.q_halt_accuracy.toFixed(4)} steps ` +
          `${m.steps.toFixed(2)} lm_loss ${m.lm_loss.toFixed(4)}`,
      );
    }
    console.log(
      `metrics: ${s.outDir}/eval_step_${s.step}.jsonl` +
        (s.outputsDir ? `; outputs: ${s.outputsDir}` : ""),
    );
  });

if (import.meta.main) {
  await runCli(() => program.parseAsync(Deno.args, { from: "user" }));
}
