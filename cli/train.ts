/**
 * `deno task train key=value ...`: trains HRM with the official trainer's
 * override syntax and names (see docs/training.md). Ctrl-C stops at the next
 * step boundary after writing a checkpoint; `resume=true run_dir=...`
 * continues exactly.
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import {
  describeConfigKeys,
  resolvedConfig,
  runTraining,
  trainConfigFromArgs,
} from "../train/mod.ts";
import { runCli } from "../util/mod.ts";

const program = new Command()
  .name("deno task train")
  .description("Train HRM on a dataset folder (reference layout or a task's compact form).")
  .argument("[overrides...]", "key=value settings, e.g. data_path=data/sudoku epochs=20000")
  .addHelpText("after", "\n" + describeConfigKeys())
  .action(async (overrides) => {
    const config = await trainConfigFromArgs(overrides);
    console.log("config: " + JSON.stringify(resolvedConfig(config)));
    const abort = new AbortController();
    const onSigint = () => {
      if (abort.signal.aborted) Deno.exit(130);
      console.log("\nstopping after this step (Ctrl-C again to quit now)...");
      abort.abort();
    };
    Deno.addSignalListener("SIGINT", onSigint);
    try {
      const s = await runTraining(config, { signal: abort.signal });
      const evalLine = s.lastEval
        ? Object.entries(s.lastEval).map(([set, m]) =>
          `${set}: exact_accuracy ${m.exact_accuracy.toFixed(4)} accuracy ${m.accuracy.toFixed(4)}`
        ).join("; ")
        : "no evaluation";
      console.log(
        `${s.interrupted ? "interrupted" : "done"}: ${s.steps}/${s.totalSteps} steps, ` +
          `${evalLine}; run folder ${s.runDir}` +
          (s.checkpoint ? `, checkpoint ${s.checkpoint}` : ""),
      );
      if (s.interrupted) Deno.exit(130);
    } finally {
      Deno.removeSignalListener("SIGINT", onSigint);
    }
  });

if (import.meta.main) {
  await runCli(() => program.parseAsync(Deno.args, { from: "user" }));
}
