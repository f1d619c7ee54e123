/**
 * `deno task analyze <run> [--task T] [--model M] [--samples N] [--save-states DIR]
 * [--cycles H,L] [--max-segments S] [--reports DIR] [--backend B] [--no-report]`: the paper's
 * analyses (figures 3, 5c, 7, 8; docs/analysis.md) of a finished run's models, written as
 * `<task>/<model>/analysis.json` plus SVGs, then the run's reports rebuilt with their
 * "Analyses" section. With `--checkpoint PATH --data DIR --task T [--out DIR]` instead of a
 * run: one checkpoint (a run's, or released weights after `deno task convert`).
 * @module
 */
import { Command, Option } from "@commander-js/extra-typings";
import { join } from "node:path";
import { analyzeModel } from "../analysis/mod.ts";
import { parseBackend } from "../backends/mod.ts";
import { assertUnlocked } from "../io/mod.ts";
import {
  analyzeRun,
  checkRunInside,
  TASK_IDS,
  type TaskId,
  writeRunReports,
} from "../reproduce/mod.ts";
import { getTask } from "../tasks/mod.ts";
import { runCli } from "../util/mod.ts";

const collect = (value: string, previous: string[]) => [...previous, value];

/** `H,L` -> cycle counts (each a positive integer). */
export function parseCycles(s: string): { H: number; L: number } {
  const m = /^(\d+),(\d+)$/.exec(s.trim());
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) {
    throw new Error(`--cycles '${s}': expected two positive integers H,L (e.g. 7,7)`);
  }
  return { H: Number(m[1]), L: Number(m[2]) };
}

/** A positive integer option value, or one line naming the option. */
function positive(name: string, s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} '${s}': expected a positive integer`);
  return n;
}

const program = new Command()
  .name("deno task analyze")
  .description(
    "The paper's analyses of trained models: forward residuals (Fig. 3), inference-time " +
      "scaling and ACT halting (Fig. 5), intermediate predictions (Fig. 7), participation " +
      "ratio (Fig. 8) -> <task>/<model>/analysis.json + SVGs and the reports' Analyses section",
  )
  .argument("[run]", "run name under --reports, or a path to a run folder inside --reports")
  .option("--reports <dir>", "folder that holds the runs", "reports")
  .option(
    "--task <id>",
    "only this task (repeatable); with --checkpoint: the task module",
    collect,
    [],
  )
  .option("--model <id>", "only this model id (repeatable)", collect, [])
  .option("--checkpoint <path>", "analyse one checkpoint instead of a run (needs --data, --task)")
  .option("--data <dir>", "the dataset folder the model was trained on (its test split is used)")
  .option("--out <dir>", "with --checkpoint: where analysis.json goes (default: beside it)")
  .option("--samples <n>", "test rows sampled (seeded)", "200")
  .option("--seed <n>", "seed of the sample and the untrained control (default: the training seed)")
  .option("--cycles <H,L>", "unroll the residuals with these cycle counts (default: trained)")
  .option("--max-segments <n>", "segments for inference scaling (default: 2 x trained)")
  .option("--examples <n>", "puzzles drawn as prediction strips", "3")
  .option("--save-states <dir>", "write the PR state matrices as .npy under DIR/<task>/<model>/")
  .addOption(
    new Option("--backend <name>", "auto | webgpu | wasm | cpu").default("auto"),
  )
  .option("--no-report", "do not rebuild the run's reports afterwards")
  .option("--quiet", "no progress bars")
  .action(async (run, opts) => {
    const backend = parseBackend(opts.backend);
    const request = {
      samples: positive("--samples", opts.samples),
      seed: opts.seed === undefined ? undefined : Number(opts.seed),
      cycles: opts.cycles ? parseCycles(opts.cycles) : undefined,
      maxSegments: positive("--max-segments", opts.maxSegments),
      examples: Number(opts.examples),
      backend,
      quiet: opts.quiet ?? false,
    };
    if (request.seed !== undefined && !(Number.isInteger(request.seed) && request.seed >= 0)) {
      throw new Error(`--seed '${opts.seed}': expected a non-negative integer`);
    }
    if (opts.checkpoint) {
      if (run) throw new Error("give a run or --checkpoint, not both");
      if (!opts.data || opts.task.length !== 1) {
        throw new Error("--checkpoint needs --data DIR and one --task (the task module)");
      }
      const task = getTask(opts.task[0]);
      const out = opts.out ?? join(opts.checkpoint, "..", "analysis");
      const a = await analyzeModel({
        ...request,
        checkpoint: opts.checkpoint,
        dataDir: opts.data,
        outDir: out,
        saveStates: opts.saveStates,
        render: task.renderExample,
        scoreOutputs: task.scoreFiles ? undefined : task.scoreOutputs.bind(task),
        title: task.name,
      });
      console.log(`wrote ${join(out, "analysis.json")} (${a.seconds.toFixed(0)} s)`);
      return;
    }
    if (!run) throw new Error("give a run name (or --checkpoint PATH --data DIR --task T)");
    for (const t of opts.task) {
      if (!(TASK_IDS as readonly string[]).includes(t)) {
        throw new Error(`--task ${t}: expected one of ${TASK_IDS.join(", ")}`);
      }
    }
    const dir = /[\\/]/.test(run) || run === "." || run === ".." ? run : join(opts.reports, run);
    // Checked before any work: the run folder lies inside --reports and no writer holds it.
    await checkRunInside(opts.reports, dir, `run '${run}'`);
    await assertUnlocked(dir, "analyse it");
    const written = await analyzeRun(dir, {
      tasks: opts.task.length ? opts.task as TaskId[] : undefined,
      models: opts.model.length ? opts.model : undefined,
      dataDir: opts.data,
      saveStates: opts.saveStates,
      request,
      log: (l) => console.log(l),
    });
    console.log(`analysed ${written.length} model(s) of ${dir}`);
    if (opts.report) {
      const reports = await writeRunReports(dir, {
        reportsDir: opts.reports,
        what: `run '${run}'`,
        refuseLocked: true,
      });
      console.log(`rebuilt ${reports.length} task report(s) with their Analyses sections`);
    }
  });

if (import.meta.main) {
  await runCli(() => program.parseAsync(Deno.args, { from: "user" }));
}
