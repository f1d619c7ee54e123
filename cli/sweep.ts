/**
 * `deno task sweep --profile P --task T --grid 'arch.H_cycles=1,2,4' [--grid ...]
 * [--grid-file F] [--preset NAME] [--seeds 3] [--models hrm,direct_pred]`: trains
 * and evaluates one task over the cross product of trainer settings, every point
 * once per seed, through the reproduce pipeline (one pool of `--jobs` workers;
 * `--resume NAME` continues), and writes `reports/<sweep>/sweep.{html,md}` and
 * `sweep-report.json`. `--list-presets` prints the presets (cpu or gpu scale).
 * @module
 */
import { Command, Option } from "@commander-js/extra-typings";
import { parseBackend, probeAdapter } from "../backends/mod.ts";
import {
  getPreset,
  parseGridAxis,
  parseSeeds,
  PROFILES,
  readGridFile,
  realPipeline,
  sweep,
  SWEEP_PRESETS,
  TASK_IDS,
  type TaskId,
  workerPipeline,
} from "../reproduce/mod.ts";
import { runCli } from "../util/mod.ts";

const program = new Command()
  .name("deno task sweep")
  .description(
    "Train and evaluate one task over a grid of trainer settings (cross product, per seed), " +
      "with 95% intervals against each swept key",
  )
  .addOption(new Option("--profile <name>", "smoke | cpu | paper").choices(PROFILES))
  .addOption(new Option("--task <name>", "the task").choices(TASK_IDS))
  .option(
    "--grid <key=values>",
    "a swept trainer key and its values, e.g. arch.H_cycles=1,2,4 (repeatable: cross product)",
    (v: string, prev: string[]) => [...prev, v],
    [] as string[],
  )
  .option("--grid-file <file>", 'JSON {"grid": {"KEY": [values...]}} (added to --grid)')
  .option("--preset <name>", "a preset ablation (--list-presets)")
  .option("--list-presets", "print the presets and exit", false)
  .option("--seeds <list>", "N for seeds 0..N-1, or a list like 0,1,2 (default 1, or the preset's)")
  .option("--models <ids>", "models of the plan to train at each point (default: hrm)")
  .option("--name <name>", "sweep folder under --reports (default: sweep-<UTC time>)")
  .option("--resume <name>", "continue a sweep; finished runs are skipped")
  .option("--reports <dir>", "folder that holds runs and sweeps", "reports")
  .option("--data-root <dir>", "where the smoke and cpu profiles put their data (default: data)")
  .option("--backend <name>", "auto | webgpu | wasm | cpu", "auto")
  .option("--jobs <n>", "runs at once, each in its own worker (default: 2 on wasm/cpu, 1 on a GPU)")
  .option("--quiet", "no training progress", false)
  .action(async (opts) => {
    if (opts.listPresets) {
      for (const [name, p] of Object.entries(SWEEP_PRESETS)) {
        const grid = p.grid.map((a) => `${a.key}=${a.values.join(",")}`).join(" ");
        console.log(`${name} [${p.scale}] ${p.profile}/${p.task} ${grid} (${p.models.join(",")})`);
        console.log(`  ${p.description}; ${p.source}${p.caveat ? `; ${p.caveat}` : ""}`);
      }
      return;
    }
    const backend = parseBackend(opts.backend);
    if (opts.resume !== undefined) {
      const given = [
        opts.profile && "--profile",
        opts.task && "--task",
        opts.grid.length && "--grid",
        opts.gridFile && "--grid-file",
        opts.preset && "--preset",
        opts.seeds && "--seeds",
        opts.models && "--models",
        opts.name && "--name",
      ].filter(Boolean);
      if (given.length) {
        throw new Error(
          `--resume continues the sweep as its sweep.json records it; drop ${given.join(", ")}`,
        );
      }
    }
    const preset = opts.preset === undefined ? undefined : getPreset(opts.preset);
    const grid = [
      ...(preset?.grid ?? []),
      ...opts.grid.map(parseGridAxis),
      ...(opts.gridFile ? await readGridFile(opts.gridFile) : []),
    ];
    const seeds = opts.seeds !== undefined
      ? parseSeeds(opts.seeds)
      : parseSeeds(String(preset?.seeds ?? 1));
    let jobs = opts.jobs === undefined ? undefined : Number(opts.jobs);
    if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) {
      throw new Error(`--jobs must be a positive integer, got '${opts.jobs}'`);
    }
    if (jobs === undefined) {
      const adapter = backend === "webgpu" || backend === "auto" ? await probeAdapter() : undefined;
      const gpu = backend === "webgpu" || (adapter && !adapter.isFallbackAdapter);
      jobs = gpu || (navigator.hardwareConcurrency ?? 1) < 2 ? 1 : 2;
    }
    const pipeline = jobs > 1
      ? workerPipeline(backend, { quiet: opts.quiet })
      : realPipeline(backend, { quiet: opts.quiet });
    const start = performance.now();
    const dir = await sweep(pipeline, {
      profile: (opts.profile ?? preset?.profile) as typeof PROFILES[number] | undefined,
      task: (opts.task ?? preset?.task) as TaskId | undefined,
      grid,
      models: opts.models?.split(",").map((m) => m.trim()) ?? preset?.models,
      seeds,
      preset: opts.preset,
      name: opts.name,
      resume: opts.resume,
      reportsDir: opts.reports,
      dataRoot: opts.dataRoot,
      jobs,
      log: (line) => console.log(`[${((performance.now() - start) / 1000).toFixed(0)} s] ${line}`),
    });
    console.log(`done: ${dir}`);
  });

if (import.meta.main) {
  await runCli(() => program.parseAsync(Deno.args, { from: "user" }));
}
