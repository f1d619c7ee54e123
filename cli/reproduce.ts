/**
 * `deno task reproduce [--profile smoke|cpu|paper] [--task T ...] [--run NAME]
 * [--resume NAME] [--checkpoint task=path ...] [--backend B] [--seeds 0,1,2]
 * [--score-checkpoint last|best-train|eval=K|step=N] [--eval-sample N [--eval-seed S]]`: builds the
 * data, trains HRM and the Direct-pred baseline, evaluates, and writes
 * `reports/<run>/`. The default profile is `paper` when a hardware GPU
 * adapter is found, else `cpu`. The run folder must lie inside `--reports`
 * (`--run` is a plain name; `--resume` a name or a path inside it), checked
 * before any work, and is locked while the run goes on (a second writer of
 * the same run folder is refused).
 * @module
 */
import { Command, Option } from "@commander-js/extra-typings";
import { type BackendChoice, parseBackend, probeAdapter } from "../backends/mod.ts";
import {
  officialCommandLines,
  paperWallTime,
  parseCheckpoints,
  parseSeeds,
  type ProfileName,
  PROFILES,
  realPipeline,
  reproduce,
  TASK_IDS,
  type TaskId,
  workerPipeline,
} from "../reproduce/mod.ts";
import { parseEvalSample, parseScoreRule, ruleText } from "../train/mod.ts";
import { runCli } from "../util/mod.ts";

const collect = (value: string, previous: string[]) => [...previous, value];

/** The default profile: `paper` on a hardware GPU, else `cpu`. */
async function defaultProfile(): Promise<ProfileName> {
  const adapter = await probeAdapter();
  return adapter && !adapter.isFallbackAdapter ? "paper" : "cpu";
}

/**
 * 2 models at once on the CPU backends of a machine with 2+ cores (tfjs' wasm
 * backend uses one core per instance); 1 on a GPU, which one model fills.
 */
async function defaultJobs(backend: BackendChoice): Promise<number> {
  const cores = navigator.hardwareConcurrency ?? 1;
  if (cores < 2 || backend === "webgpu") return 1;
  if (backend === "auto") {
    const adapter = await probeAdapter();
    if (adapter && !adapter.isFallbackAdapter) return 1;
  }
  return 2;
}

function stamp(start: number): string {
  const s = Math.round((performance.now() - start) / 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

const program = new Command()
  .name("deno task reproduce")
  .description(
    "Reproduce the paper's results: build data, train HRM and the Direct-pred baseline, " +
      "evaluate, score, and write reports/<run>/ (index.html, summary.md, per-task reports)",
  )
  .addOption(
    new Option("--profile <name>", "smoke | cpu | paper (default: paper on a GPU, else cpu)")
      .choices(PROFILES),
  )
  .addOption(
    new Option("--task <name>", "run only this task (repeatable)").choices(TASK_IDS).argParser(
      (v, prev: string[] | undefined) => [...(prev ?? []), v],
    ),
  )
  .option("--run <name>", "name of the run folder under --reports (default: a UTC timestamp)")
  .option("--resume <name>", "continue an interrupted run; finished tasks and models are skipped")
  .option(
    "--checkpoint <task=path>",
    "evaluate this checkpoint instead of training (repeatable; task.model=path for a baseline)",
    collect,
    [] as string[],
  )
  .option("--backend <name>", "auto | webgpu | wasm | cpu", "auto")
  .option(
    "--arc-source <dir>",
    "folder holding the ARC-AGI, ARC-AGI-2 and ConceptARC checkouts",
    "data/raw/arc",
  )
  .option(
    "--act-baseline",
    "also train the Transformer with HRM's outer ACT loop (ARC Prize's ablation)",
    false,
  )
  .option("--data-root <dir>", "where the smoke and cpu profiles put their data (default: data)")
  .option("--seed <n>", "training seed of a one-seed run", "0")
  .option(
    "--seeds <list>",
    "train and evaluate every model once per seed: N for seeds 0..N-1, or a list like 0,1,2",
  )
  .option(
    "--score-checkpoint <rule>",
    "which trained checkpoint is scored: last | best-train (highest training exact accuracy) | " +
      "eval=K (K-th evaluation) | step=N (default: last; the paper profile's ARC tasks: eval=8, " +
      "as the official ARC notebook)",
  )
  .option(
    "--eval-sample <n>",
    "score a seeded random sample of N whole test groups instead of the whole test split",
  )
  .option("--eval-seed <s>", "seed of --eval-sample's draw (same seed, same sample)", "0")
  .option(
    "--models <ids>",
    "train only these models of each task, comma-separated (e.g. trm,hrm; default: all)",
  )
  .option("--reports <dir>", "folder that holds the runs", "reports")
  .option(
    "--jobs <n>",
    "models trained at once (all tasks share one pool), each in its own worker (default: 2 on " +
      "wasm/cpu with 2+ cores, else 1)",
  )
  .option("--quiet", "no training progress (task-level lines only)", false)
  .option(
    "--print-official",
    "print the official code's data and torchrun command lines for --task (paper profile) and exit",
    false,
  )
  .option("--gpus <n>", "GPUs for --print-official's torchrun --nproc-per-node", "8")
  .action(async (opts) => {
    const start = performance.now();
    if (opts.printOfficial) {
      const tasks = (opts.task ?? []) as TaskId[];
      if (opts.profile !== "paper" || tasks.length === 0) {
        throw new Error("--print-official needs --profile paper and at least one --task");
      }
      const seed = Number(opts.seed);
      console.log(await officialCommandLines(tasks, { gpus: Number(opts.gpus), seed }));
      return;
    }
    const backend = parseBackend(opts.backend);
    if (!/^\d+$/.test(opts.seed)) {
      throw new Error(`--seed must be a non-negative integer, got '${opts.seed}'`);
    }
    const seeds = opts.seeds === undefined ? undefined : parseSeeds(opts.seeds);
    if (seeds !== undefined && opts.seed !== "0") {
      throw new Error(
        "--seed and --seeds exclude each other (--seed N: one seed N; --seeds N: seeds 0..N-1)",
      );
    }
    if (opts.run !== undefined && opts.resume !== undefined) {
      throw new Error("--run and --resume exclude each other");
    }
    const scoreCheckpoint = opts.scoreCheckpoint === undefined
      ? undefined
      : ruleText(parseScoreRule(opts.scoreCheckpoint));
    const evalSample = opts.evalSample === undefined
      ? undefined
      : parseEvalSample(opts.evalSample, opts.evalSeed);
    if (!evalSample && opts.evalSeed !== "0") throw new Error("--eval-seed needs --eval-sample N");
    const jobs = opts.jobs === undefined ? await defaultJobs(backend) : Number(opts.jobs);
    if (!Number.isInteger(jobs) || jobs < 1) {
      throw new Error(`--jobs must be a positive integer, got '${opts.jobs}'`);
    }
    const pipeline = jobs > 1
      ? workerPipeline(backend, { quiet: opts.quiet })
      : realPipeline(backend, { quiet: opts.quiet });
    const paperTimes = async (profile: ProfileName) => {
      if (profile !== "paper") return;
      for (const line of await paperWallTime(opts.task as TaskId[] | undefined)) console.log(line);
    };
    if (opts.profile === "paper" && opts.resume === undefined) await paperTimes("paper");
    const runDir = await reproduce(pipeline, {
      jobs,
      // A resumed run keeps its own profile; a new one without --profile probes for a GPU.
      profile: opts.profile as ProfileName | undefined,
      defaultProfile: async () => {
        const p = await defaultProfile();
        await paperTimes(p);
        return p;
      },
      tasks: opts.task as TaskId[] | undefined,
      run: opts.run,
      resume: opts.resume,
      checkpoints: parseCheckpoints(opts.checkpoint, TASK_IDS),
      seed: seeds?.length === 1 ? seeds[0] : Number(opts.seed),
      seeds,
      arcSource: opts.arcSource,
      actBaseline: opts.actBaseline,
      dataRoot: opts.dataRoot,
      models: opts.models?.split(",").map((m) => m.trim()).filter((m) => m !== ""),
      scoreCheckpoint,
      evalSample,
      reportsDir: opts.reports,
      log: (line) => console.log(`[${stamp(start)}] ${line}`),
    });
    console.log(`[${stamp(start)}] done: ${runDir}`);
  });

if (import.meta.main) {
  await runCli(() => program.parseAsync(Deno.args, { from: "user" }));
}
