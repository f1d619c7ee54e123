/**
 * `deno task sweep`: one task of a profile trained and evaluated over the
 * cross product of a grid of trainer settings (`--grid 'arch.H_cycles=1,2,4'`,
 * repeatable, or a grid file), every point once per seed, through the same
 * pipeline as `reproduce` (data, training, evaluation, the task's scores) and
 * one pool of `--jobs` lanes; resumable (a finished point, model and seed has
 * its result.json and is skipped). The sweep report (sweep_report.ts) puts the
 * headline metric with its 95% interval against each swept key.
 *
 * Layout of `reports/<sweep>/`: `sweep.json` (what was asked), `.lock` while
 * it runs, `point_<i>/<model>/seed_<s>/` (the trainer's run folder and
 * result.json), and the reports `sweep-report.json`, `sweep.md`, `sweep.html`.
 * @module
 */
import { join } from "node:path";
import { acquireRunLock, pathExists, writeJsonAtomic } from "../io/mod.ts";
import { configFromArgs } from "../train/mod.ts";
import { runInLanes } from "../util/mod.ts";
import { loadPaperFixtures, readValidated } from "./paper.ts";
import type { ProfileName, TaskPlan } from "./plan.ts";
import { getProfile } from "./profiles.ts";
import {
  ensureData,
  missingSource,
  newRunDir,
  type Pipeline,
  resumeDir,
  timestampName,
} from "./reproduce.ts";
import type { ModelResult, TaskId } from "./report/schema.ts";
import { seedDir } from "./seeds.ts";
import { headlineText, isFinished, writeResult } from "./model_result.ts";
import {
  type GridAxis,
  type GridPoint,
  gridPoints,
  type SweepManifest,
  SweepManifestSchema,
} from "./sweep_grid.ts";
import { writeSweepReports } from "./sweep_report.ts";

/** Options of one `deno task sweep`. */
export interface SweepOptions {
  profile?: ProfileName;
  task?: TaskId;
  grid?: GridAxis[];
  /** Model ids to train at each point (default: the plan's first model, HRM). */
  models?: string[];
  seeds?: number[];
  preset?: string;
  /** Sweep folder name (default: `sweep-<UTC time>`). */
  name?: string;
  /** Continue this sweep (name or path inside `reportsDir`). */
  resume?: string;
  reportsDir: string;
  dataRoot?: string;
  jobs?: number;
  log: (line: string) => void;
}

/** The plan of the sweep's task (from its profile). */
function sweepPlan(
  m: Pick<SweepManifest, "profile" | "task" | "dataRoot">,
  paper: Awaited<
    ReturnType<typeof loadPaperFixtures>
  >,
): TaskPlan {
  const plan = getProfile(m.profile, paper, { dataRoot: m.dataRoot }).tasks.find((t) =>
    t.task === m.task
  );
  if (!plan) throw new Error(`--task ${m.task}: not in profile '${m.profile}'`);
  return plan;
}

/**
 * Checks every point's configuration before any work: each model's overrides
 * with the point's appended (the point wins) must be a valid trainer config.
 */
export function checkPoints(plan: TaskPlan, models: string[], points: GridPoint[]): void {
  for (const id of models) {
    const spec = plan.models.find((m) => m.id === id);
    if (!spec) {
      throw new Error(
        `--models ${id}: not a model of ${plan.task} (has ${
          plan.models.map((m) => m.id).join(", ")
        })`,
      );
    }
    for (const p of points) {
      try {
        configFromArgs([...spec.overrides, ...p.overrides]);
      } catch (err) {
        throw new Error(`--grid ${p.overrides.join(" ")} (${id}): ${(err as Error).message}`);
      }
    }
  }
}

/** Runs (or resumes) a sweep; returns its folder. Writes its reports at the end. */
export async function sweep(pipeline: Pipeline, opts: SweepOptions): Promise<string> {
  const paper = await loadPaperFixtures();
  let dir: string;
  let manifest: SweepManifest;
  if (opts.resume !== undefined) {
    dir = await resumeDir(opts.reportsDir, opts.resume);
    if (!await pathExists(join(dir, "sweep.json"))) {
      throw new Error(`--resume ${opts.resume}: no sweep.json in ${dir}`);
    }
    manifest = await readValidated(join(dir, "sweep.json"), SweepManifestSchema);
  } else {
    if (!opts.profile || !opts.task || !opts.grid?.length) {
      throw new Error("a new sweep needs --profile, --task and --grid (or --grid-file, --preset)");
    }
    const seen = new Set<string>();
    for (const a of opts.grid) {
      if (seen.has(a.key)) throw new Error(`--grid: key ${a.key} given twice`);
      seen.add(a.key);
    }
    const plan0 = sweepPlan(
      { profile: opts.profile, task: opts.task, dataRoot: opts.dataRoot },
      paper,
    );
    const models = opts.models ?? [plan0.models[0].id];
    checkPoints(plan0, models, gridPoints(opts.grid));
    const name = opts.name ?? `sweep-${timestampName()}`;
    dir = await newRunDir(opts.reportsDir, name);
    manifest = {
      schema: "hrm-harness/sweep@1",
      name,
      profile: opts.profile,
      task: opts.task,
      grid: opts.grid,
      models,
      seeds: opts.seeds ?? [0],
      ...(opts.preset ? { preset: opts.preset } : {}),
      ...(opts.dataRoot ? { dataRoot: opts.dataRoot } : {}),
      startedAt: new Date().toISOString(),
      environment: await pipeline.environment(),
    };
    await Deno.mkdir(opts.reportsDir, { recursive: true });
    await Deno.mkdir(dir);
  }
  const lock = await acquireRunLock(dir, `sweep ${manifest.name}`, { onStale: opts.log });
  try {
    if (opts.resume === undefined) await writeJsonAtomic(join(dir, "sweep.json"), manifest);
    await runSweep(dir, manifest, pipeline, opts, paper);
  } finally {
    await lock.release();
  }
  return dir;
}

/** The work of a locked sweep folder: data, then every (point, seed, model) in lanes. */
async function runSweep(
  dir: string,
  manifest: SweepManifest,
  pipeline: Pipeline,
  opts: SweepOptions,
  paper: Awaited<ReturnType<typeof loadPaperFixtures>>,
): Promise<void> {
  const plan = sweepPlan(manifest, paper);
  const missing = await missingSource(plan);
  if (missing) throw new Error(`${plan.task}: ${missing}`);
  await ensureData(plan, pipeline, opts.log);
  const points = gridPoints(manifest.grid);
  const units = points.flatMap((point) =>
    manifest.seeds.flatMap((seed) => manifest.models.map((model) => ({ point, seed, model })))
  );
  opts.log(
    `sweep ${manifest.name}: ${points.length} points x ${manifest.seeds.length} seeds x ` +
      `${manifest.models.length} models = ${units.length} runs (${plan.task}, profile ${manifest.profile})`,
  );
  let finished = 0;
  await runInLanes(units, opts.jobs ?? 1, async ({ point, seed, model }) => {
    const spec = plan.models.find((m) => m.id === model)!;
    const outDir = seedDir(join(dir, point.id), model, seed, true);
    const what = `${point.id} (${point.overrides.join(" ")}) ${model} seed ${seed}`;
    if (await isFinished(outDir)) {
      opts.log(`${what}: already finished, skipped`);
      finished++;
      return;
    }
    await Deno.mkdir(outDir, { recursive: true });
    opts.log(`${what}: training`);
    const result: ModelResult = await pipeline.runModel(
      plan,
      { ...spec, overrides: [...spec.overrides, ...point.overrides] },
      { outDir, resume: opts.resume !== undefined, seed, log: opts.log },
    );
    await writeResult(outDir, result);
    finished++;
    opts.log(`${what}: ${headlineText(result)} (${finished}/${units.length})`);
  });
  await writeSweepReports(dir);
  opts.log(`sweep report: ${join(dir, "sweep.html")}, ${join(dir, "sweep.md")}`);
}
