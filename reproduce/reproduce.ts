/**
 * `deno task reproduce`: for each task of a profile, build the data, train
 * HRM and the baseline(s), evaluate, score, and write the reports; resumable.
 *
 * The work itself (data builds, training, evaluation) is behind the
 * {@link Pipeline} interface: `pipeline.ts` wires the real Task modules and
 * trainer; tests drive this orchestration with a synthetic pipeline.
 * @module
 */
import { join } from "node:path";
import {
  acquireRunLock,
  digestDir,
  pathExists,
  type RunLock,
  writeFileAtomic,
  writeJsonAtomic,
} from "../io/mod.ts";
import { loadPaperFixtures, type PaperFixtures, readValidated } from "./paper.ts";
import type { ProfileName, TaskPlan } from "./plan.ts";
import { getProfile } from "./profiles.ts";
import {
  type Environment,
  type ModelResult,
  type ModelSpec,
  type RunManifest,
  RunManifestSchema,
  type TaskId,
  type TaskRecord,
  TaskRecordSchema,
} from "./report/schema.ts";
import { notRunResult } from "./report/build.ts";
import { checkRunInside, writeRunReports, writeTaskReport } from "./report/write.ts";
import { getTask } from "../tasks/mod.ts";
import { runInLanes } from "../util/mod.ts";
import { runSeeds, seedDir } from "./seeds.ts";
import { headlineText, isFinished, writeResult } from "./model_result.ts";

/** What one model run needs besides its plan. */
export interface ModelContext {
  /** Folder for this model's metrics.jsonl, checkpoints, eval outputs. */
  outDir: string;
  /** A checkpoint to evaluate instead of training. */
  checkpoint?: string;
  /** Continue from the trainer's last checkpoint in outDir, if any. */
  resume: boolean;
  seed: number;
  /** Which trained checkpoint to score (`--score-checkpoint`; default the plan's, else `last`). */
  scoreCheckpoint?: string;
  /** Score a seeded sample of the test groups instead of all (`--eval-sample`). */
  evalSample?: { size: number; seed: number };
  log: (line: string) => void;
}

/** The real work, behind an interface so that the orchestration is testable. */
export interface Pipeline {
  /** Describes the backend and software in use (after initialising the backend). */
  environment(): Promise<Environment>;
  /** Builds the plan's data into `plan.dataDir` (which does not exist yet). */
  buildData(plan: TaskPlan, log: (line: string) => void): Promise<void>;
  /** Trains (unless given a checkpoint) and evaluates one model. */
  runModel(plan: TaskPlan, model: ModelSpec, ctx: ModelContext): Promise<ModelResult>;
  /** The analyses (analysis/) of a task whose models all finished, before its report; optional. */
  analyze?(runDir: string, plan: TaskPlan, log: (line: string) => void): Promise<void>;
}

/** Options of one `reproduce` invocation. */
export interface ReproduceOptions {
  /** The profile; on `resume`, default the run's own (another one is refused). */
  profile?: ProfileName;
  /** Picks the profile of a new run given none (the CLI probes for a GPU); default `cpu`. */
  defaultProfile?: () => Promise<ProfileName>;
  /** Restrict to these tasks (default: all of the profile). */
  tasks?: TaskId[];
  /** Run name, a plain folder name ({@link RUN_NAME}; default: a UTC timestamp). */
  run?: string;
  /** Continue this existing run: its name, or a path to its folder inside `reportsDir`. */
  resume?: string;
  /** `task` (HRM) or `task.model` -> checkpoint path. */
  checkpoints: Record<string, string>;
  /** The training seed of a one-seed run (ignored when `seeds` is given). */
  seed: number;
  /** Train and evaluate every model once per seed (`--seeds`; two or more). */
  seeds?: number[];
  /** Folder holding the ARC checkouts (default: data/raw/arc). */
  arcSource?: string;
  /** Also train the Transformer with HRM's outer ACT loop. */
  actBaseline?: boolean;
  /** Data folder of the scaled-down profiles (default: data). */
  dataRoot?: string;
  /** Train only these models of each task's plan (`--models`; default: all of them). */
  models?: string[];
  /** `--score-checkpoint` for every task (a new run's; a resume keeps the run's own). */
  scoreCheckpoint?: string;
  /** `--eval-sample N --eval-seed S` (a new run's; a resume keeps the run's own). */
  evalSample?: { size: number; seed: number };
  /** The runs' folder: every run folder lies inside it (anything else is refused). */
  reportsDir: string;
  /**
   * Models trained at once, across tasks (default 1). More than 1 needs a pipeline
   * whose `runModel` calls may overlap (`workerPipeline`).
   */
  jobs?: number;
  log: (line: string) => void;
}

/** Marker written (atomically) when a task is completely finished. */
export const DONE_MARKER = "done";
/** Marker a data build leaves beside the data, naming its arguments. */
export const BUILD_MARKER = "reproduce-build.json";

/**
 * A run name: a plain folder name of letters, digits, `.`, `_` and `-`, not
 * starting with `.` (so never `.`, `..`, a hidden folder or a path).
 */
export const RUN_NAME: RegExp = /^[A-Za-z0-9_][\w.-]*$/;

/**
 * The run folder `--resume` names, checked before any work: a run name
 * ({@link RUN_NAME}) is a folder of `reportsDir`; anything else is a path that,
 * normalised, must lie inside `reportsDir` (and not lead outside through a
 * symlink). Throws one line; returns the folder.
 */
export async function resumeDir(reportsDir: string, resume: string): Promise<string> {
  const what = `--resume '${resume}'`;
  if (RUN_NAME.test(resume)) {
    const dir = join(reportsDir, resume);
    await checkRunInside(reportsDir, dir, what);
    return dir;
  }
  return await checkRunInside(reportsDir, resume, what);
}

/** The folder of a new run `run`, checked before any work (a plain name; not there yet). */
export async function newRunDir(reportsDir: string, run: string): Promise<string> {
  if (!RUN_NAME.test(run)) {
    throw new Error(
      `--run '${run}': a run name is a plain folder name: letters, digits, '.', '_' or '-', ` +
        `not starting with '.'`,
    );
  }
  const dir = join(reportsDir, run);
  await checkRunInside(reportsDir, dir, `--run '${run}'`);
  if (await lexists(dir)) {
    throw new Error(
      `${dir} already exists: pick another --run, or continue it with --resume ${run}`,
    );
  }
  return dir;
}

/** Whether anything (a dangling symlink included) is at `path`. */
async function lexists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/** A default run name: the UTC time, e.g. `20260129-174501`. */
export function timestampName(now = new Date()): string {
  return now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
}

/** Parses `--checkpoint task=path` / `task.model=path` values. */
export function parseCheckpoints(
  values: string[],
  tasks: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf("=");
    const key = v.slice(0, eq);
    const task = key.split(".")[0];
    if (eq <= 0 || !tasks.includes(task)) {
      throw new Error(
        `--checkpoint '${v}': expected TASK=PATH or TASK.MODEL=PATH, TASK one of ${
          tasks.join(", ")
        }`,
      );
    }
    out[key.includes(".") ? key : `${key}.hrm`] = v.slice(eq + 1);
  }
  return out;
}

/** Makes sure `plan.dataDir` holds the plan's data; returns seconds spent. */
export async function ensureData(
  plan: TaskPlan,
  pipeline: Pipeline,
  log: (l: string) => void,
): Promise<number> {
  const marker = join(plan.dataDir, BUILD_MARKER);
  if (await pathExists(marker)) {
    const saved = JSON.parse(await Deno.readTextFile(marker));
    if (JSON.stringify(saved.build) !== JSON.stringify(plan.build)) {
      throw new Error(
        `${plan.dataDir} was built with different arguments (${
          saved.build.join(" ")
        }); remove it to rebuild`,
      );
    }
    log(`${plan.task}: data already built in ${plan.dataDir}`);
    return 0;
  }
  if (await pathExists(join(plan.dataDir, "train", "dataset.json"))) {
    log(`${plan.task}: using existing data in ${plan.dataDir} (not built by reproduce)`);
    return 0;
  }
  log(`${plan.task}: building data: deno task data ${plan.taskModule} ${plan.build.join(" ")}`);
  const t0 = performance.now();
  await pipeline.buildData(plan, log);
  await writeJsonAtomic(marker, { task: plan.taskModule, build: plan.build });
  return (performance.now() - t0) / 1000;
}

/**
 * Why the plan's data cannot be built on this machine, if so: the source
 * folder a build reads (`--source`: the user's ARC checkouts, which the project
 * never ships) is missing. Such a task is reported as not run, with the reason,
 * instead of stopping the whole run.
 */
export async function missingSource(plan: TaskPlan): Promise<string | undefined> {
  const at = plan.build.indexOf("--source");
  if (at < 0 || await pathExists(join(plan.dataDir, "train", "dataset.json"))) return undefined;
  const source = plan.build[at + 1];
  if (await pathExists(source)) return undefined;
  return `source folder '${source}' not found (give --arc-source DIR with the ARC-AGI, ` +
    `ARC-AGI-2 and ConceptARC checkouts)`;
}

/**
 * Builds the task's data if needed and writes its task.json (once per run).
 * Returns why the task cannot run here (its data source is missing), if so.
 */
async function prepareTask(
  runDir: string,
  plan: TaskPlan,
  manifest: RunManifest,
  pipeline: Pipeline,
  opts: ReproduceOptions,
): Promise<string | undefined> {
  const taskDir = join(runDir, plan.task);
  await Deno.mkdir(taskDir, { recursive: true });
  const recordPath = join(taskDir, "task.json");
  if (await pathExists(recordPath)) {
    const saved = await readValidated(recordPath, TaskRecordSchema);
    if (saved.datasetDigest !== "") return undefined;
    return await missingSource(plan) ?? "its data source was missing when this run started";
  }
  const missing = await missingSource(plan);
  const dataSeconds = missing ? 0 : await ensureData(plan, pipeline, opts.log);
  const precision = {
    setting: "hardware / precision",
    paper: "8 GPUs, bfloat16",
    ours: `${manifest.environment.backend}${
      manifest.environment.adapter ? ` (${manifest.environment.adapter})` : ""
    }, float32`,
  };
  const record: TaskRecord = {
    task: plan.task,
    label: plan.label,
    taskModule: plan.taskModule,
    build: plan.build,
    dataDir: plan.dataDir,
    // Empty when the data could not be built (the task is reported as not run).
    datasetDigest: missing ? "" : await digestDir(plan.dataDir, (rel) => rel === BUILD_MARKER),
    models: plan.models,
    differences: [...plan.differences, precision],
    ...(plan.contrasts?.length ? { contrasts: plan.contrasts } : {}),
    dataSeconds,
  };
  await writeJsonAtomic(recordPath, record);
  return missing;
}

/**
 * Trains (or evaluates a given checkpoint of) one model for one seed and
 * writes its result.json (in the seed's folder, `seeds.ts` `seedDir`).
 */
async function runModel(
  runDir: string,
  plan: TaskPlan,
  index: number,
  seed: number,
  manifest: RunManifest,
  pipeline: Pipeline,
  opts: ReproduceOptions,
): Promise<void> {
  const model = plan.models[index];
  const multi = runSeeds(manifest).length > 1;
  const outDir = seedDir(join(runDir, plan.task), model.id, seed, multi);
  const name = multi ? `${model.id} seed ${seed}` : model.id;
  if (await isFinished(outDir)) {
    opts.log(`${plan.task}: ${name} already finished, skipped`);
    return;
  }
  await Deno.mkdir(outDir, { recursive: true });
  const given = Object.keys(manifest.checkpoints).filter((k) => k.startsWith(`${plan.task}.`));
  const checkpoint = manifest.checkpoints[`${plan.task}.${model.id}`];
  let result: ModelResult;
  if (given.length && !checkpoint) {
    result = notRunResult(
      model.id,
      "checkpoints were given for this task, none for this model",
      getTask(plan.taskModule).headlineMetric,
    );
  } else {
    opts.log(
      `${plan.task}: model ${index + 1}/${plan.models.length} ${name}: ` +
        (checkpoint ? `evaluating ${checkpoint}` : `training (${model.overrides.join(" ")})`),
    );
    result = await pipeline.runModel(plan, model, {
      outDir,
      checkpoint,
      resume: opts.resume !== undefined,
      seed,
      ...(manifest.scoreCheckpoint ? { scoreCheckpoint: manifest.scoreCheckpoint } : {}),
      ...(manifest.evalSample ? { evalSample: manifest.evalSample } : {}),
      log: opts.log,
    });
    opts.log(
      `${plan.task}: ${name}: ${headlineText(result)} ` +
        `(train ${result.trainSeconds.toFixed(0)} s, eval ${result.evalSeconds.toFixed(0)} s)`,
    );
  }
  await writeResult(outDir, result);
}

/** Seeds and given checkpoints exclude each other: evaluating given weights has no seed. */
function checkSeedOptions(opts: ReproduceOptions): void {
  if ((opts.seeds?.length ?? 0) > 1 && Object.keys(opts.checkpoints).length) {
    throw new Error(
      "--seeds with --checkpoint: a given checkpoint is evaluated, not trained, so several " +
        "seeds would repeat the same evaluation; give one or the other",
    );
  }
}

/** Writes the task's report and marks it done (after all its models). */
async function finishTask(runDir: string, task: TaskId, paper: PaperFixtures): Promise<void> {
  await writeTaskReport(runDir, task, paper);
  await writeFileAtomic(join(runDir, task, DONE_MARKER), new Date().toISOString() + "\n");
}

/**
 * Runs (or resumes) a reproduce run; returns the run folder. The run folder is
 * checked before any work (a plain `run` name, a `resume` inside `reportsDir`)
 * and locked for the whole run (`io` `acquireRunLock`: one writer per run
 * folder, so a second resume of a run still going is refused in one line).
 */
export async function reproduce(pipeline: Pipeline, opts: ReproduceOptions): Promise<string> {
  checkSeedOptions(opts);
  if (opts.resume !== undefined) {
    const runDir = await resumeDir(opts.reportsDir, opts.resume);
    if (!await pathExists(join(runDir, "run.json"))) {
      throw new Error(`--resume ${opts.resume}: no run.json in ${runDir}`);
    }
    const lock = await acquireRunLock(runDir, `resume run ${opts.resume}`, { onStale: opts.log });
    try {
      const manifest = await readValidated(join(runDir, "run.json"), RunManifestSchema);
      if (opts.seeds && opts.seeds.join(",") !== runSeeds(manifest).join(",")) {
        throw new Error(
          `--resume ${opts.resume}: the run used seeds ${runSeeds(manifest).join(",")}, ` +
            `not ${opts.seeds.join(",")} (a resume keeps the run's own)`,
        );
      }
      if (opts.profile !== undefined && opts.profile !== manifest.profile) {
        throw new Error(
          `--resume ${opts.resume}: the run used profile '${manifest.profile}', not '${opts.profile}'`,
        );
      }
      const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
      if (opts.scoreCheckpoint !== undefined && opts.scoreCheckpoint !== manifest.scoreCheckpoint) {
        throw new Error(
          `--resume ${opts.resume}: the run's --score-checkpoint is ` +
            `'${manifest.scoreCheckpoint ?? "(each plan's)"}', not '${opts.scoreCheckpoint}'`,
        );
      }
      if (opts.models !== undefined && !same(opts.models, manifest.models)) {
        throw new Error(
          `--resume ${opts.resume}: the run's models are ` +
            `${manifest.models?.join(",") ?? "(all of each plan's)"}, not ${opts.models.join(",")}`,
        );
      }
      if (opts.evalSample !== undefined && !same(opts.evalSample, manifest.evalSample)) {
        throw new Error(
          `--resume ${opts.resume}: the run's evaluation sample is ` +
            `${JSON.stringify(manifest.evalSample ?? "all")}, not ${
              JSON.stringify(opts.evalSample)
            }`,
        );
      }
      opts.log(
        `resuming run ${manifest.run} (profile ${manifest.profile}, tasks ${
          manifest.tasks.join(", ")
        })`,
      );
      await runTasks(runDir, manifest, await loadPaperFixtures(), pipeline, opts);
    } finally {
      await lock.release();
    }
    return runDir;
  }
  const run = opts.run ?? timestampName();
  const runDir = await newRunDir(opts.reportsDir, run);
  const profileName = opts.profile ?? await opts.defaultProfile?.() ?? "cpu";
  const paper = await loadPaperFixtures();
  const profile = getProfile(profileName, paper, {
    arcSource: opts.arcSource,
    actBaseline: opts.actBaseline,
    dataRoot: opts.dataRoot,
  });
  const available = profile.tasks.map((t) => t.task);
  const tasks = opts.tasks ?? available;
  for (const t of tasks) {
    if (!available.includes(t)) {
      throw new Error(
        `--task ${t}: not in profile '${profileName}' (has ${available.join(", ")})`,
      );
    }
  }
  const chosen = profile.tasks.filter((t) => tasks.includes(t.task));
  if (opts.models) selectModels(chosen, opts.models);
  const manifest: RunManifest = {
    run,
    profile: profileName,
    tasks: available.filter((t) => tasks.includes(t)),
    checkpoints: opts.checkpoints,
    seed: opts.seeds?.[0] ?? opts.seed,
    ...(opts.seeds && opts.seeds.length > 1 ? { seeds: opts.seeds } : {}),
    ...(opts.arcSource ? { arcSource: opts.arcSource } : {}),
    ...(opts.actBaseline ? { actBaseline: true } : {}),
    ...(opts.dataRoot ? { dataRoot: opts.dataRoot } : {}),
    ...(opts.models ? { models: opts.models } : {}),
    ...(opts.scoreCheckpoint ? { scoreCheckpoint: opts.scoreCheckpoint } : {}),
    ...(opts.evalSample ? { evalSample: opts.evalSample } : {}),
    startedAt: new Date().toISOString(),
    environment: await pipeline.environment(),
  };
  // Claim the name: a plain mkdir fails if another run took it meanwhile.
  await Deno.mkdir(opts.reportsDir, { recursive: true });
  try {
    await Deno.mkdir(runDir);
  } catch (err) {
    if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
    throw new Error(
      `${runDir} already exists: pick another --run, or continue it with --resume ${run}`,
    );
  }
  const lock: RunLock = await acquireRunLock(runDir, `reproduce run ${run}`);
  try {
    await writeJsonAtomic(join(runDir, "run.json"), manifest);
    opts.log(
      `run ${run}: profile ${profileName}, tasks ${manifest.tasks.join(", ")} -> ${runDir}`,
    );
    await runTasks(runDir, manifest, paper, pipeline, opts);
  } finally {
    await lock.release();
  }
  return runDir;
}

/**
 * The plans with only the models `ids` (`--models`), in plan order. Every id must be a model
 * of at least one plan, and every plan must keep one model; otherwise one line says which.
 */
export function selectModels(plans: TaskPlan[], ids: string[]): TaskPlan[] {
  for (const id of ids) {
    if (!plans.some((p) => p.models.some((m) => m.id === id))) {
      const known = [...new Set(plans.flatMap((p) => p.models.map((m) => m.id)))];
      throw new Error(`--models ${id}: not a model of the chosen tasks (has ${known.join(", ")})`);
    }
  }
  return plans.map((p) => {
    const models = p.models.filter((m) => ids.includes(m.id));
    if (models.length === 0) {
      throw new Error(
        `--models ${ids.join(",")}: none of them is a model of ${p.task} (has ${
          p.models.map((m) => m.id).join(", ")
        })`,
      );
    }
    return { ...p, models };
  });
}

/** The work of a run whose folder is locked: data, models in lanes, reports. */
async function runTasks(
  runDir: string,
  manifest: RunManifest,
  paper: PaperFixtures,
  pipeline: Pipeline,
  opts: ReproduceOptions,
): Promise<void> {
  const all = getProfile(manifest.profile, paper, {
    arcSource: manifest.arcSource,
    actBaseline: manifest.actBaseline,
    dataRoot: manifest.dataRoot,
  }).tasks;
  const plans = manifest.models
    ? selectModels(all.filter((t) => manifest.tasks.includes(t.task)), manifest.models)
    : all;
  // Data first (task by task), then every model of every unfinished task through one pool of
  // `jobs` lanes in plan order, so a lane freed by a quick baseline starts the next task's
  // model; a task's report is written as soon as its last model ends.
  const pending: { plan: TaskPlan; index: number; seed: number }[] = [];
  const seeds = runSeeds(manifest);
  const left = new Map<TaskId, number>();
  for (const [i, task] of manifest.tasks.entries()) {
    const plan = plans.find((p) => p.task === task)!;
    if (await pathExists(join(runDir, task, DONE_MARKER))) {
      opts.log(`[${i + 1}/${manifest.tasks.length}] ${task}: finished earlier, skipped`);
      continue;
    }
    opts.log(`[${i + 1}/${manifest.tasks.length}] ${task}: ${plan.label}`);
    const missing = await prepareTask(runDir, plan, manifest, pipeline, opts);
    if (missing) {
      opts.log(`${task}: not run: ${missing}`);
      for (const model of plan.models) {
        for (const seed of seeds) {
          const outDir = seedDir(join(runDir, task), model.id, seed, seeds.length > 1);
          await Deno.mkdir(outDir, { recursive: true });
          await writeResult(
            outDir,
            notRunResult(model.id, `no data: ${missing}`, getTask(plan.taskModule).headlineMetric),
          );
        }
      }
      await finishTask(runDir, task, paper);
      continue;
    }
    // Seed by seed, the models in plan order within each seed (so each seed's pair is ready early).
    seeds.forEach((seed) => plan.models.forEach((_, index) => pending.push({ plan, index, seed })));
    left.set(task, plan.models.length * seeds.length);
  }
  // At most --jobs models at once; after a failure the running ones end (none left half-written).
  await runInLanes(pending, opts.jobs ?? 1, async ({ plan, index, seed }) => {
    await runModel(runDir, plan, index, seed, manifest, pipeline, opts);
    const n = left.get(plan.task)! - 1;
    left.set(plan.task, n);
    if (n === 0) {
      await pipeline.analyze?.(runDir, plan, opts.log);
      await finishTask(runDir, plan.task, paper);
    }
  });
  await writeRunReports(runDir);
  opts.log(`reports: ${join(runDir, "index.html")}, ${join(runDir, "summary.md")}`);
}
