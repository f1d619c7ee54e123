/**
 * The analyses of a finished reproduce run (`deno task analyze <run>`, and
 * the end of each task in `deno task reproduce`): for each task and each
 * finished model, finds its checkpoint and the task's data, runs
 * `analyzeModel` (analysis/) and writes `<task>/<model>/analysis.json` with its
 * figures; the task's report then carries the "Analyses" section.
 * @module
 */
import { basename, dirname, isAbsolute, join } from "node:path";
import { analyzeModel, type AnalyzeRequest } from "../analysis/mod.ts";
import { pathExists } from "../io/mod.ts";
import { getTask } from "../tasks/mod.ts";
import { readValidated } from "./paper.ts";
import { readManifest } from "./report/build.ts";
import {
  ModelResultSchema,
  type RunManifest,
  type TaskId,
  TaskRecordSchema,
} from "./report/schema.ts";
import { runSeeds, seedDir } from "./seeds.ts";

/** What to analyse in a run, and how. */
export interface AnalyzeRunOptions {
  /** Only these tasks (default: every task of the run with a task.json). */
  tasks?: TaskId[];
  /** Only these model ids (default: every finished model). */
  models?: string[];
  /** The dataset folder to use instead of the one task.json names (one task only). */
  dataDir?: string;
  /** Writes the PR states under `<saveStates>/<task>/<model>/`. */
  saveStates?: string;
  /** Passed to each `analyzeModel`. */
  request?: Pick<
    AnalyzeRequest,
    "samples" | "seed" | "cycles" | "maxSegments" | "examples" | "backend" | "quiet"
  >;
  log: (line: string) => void;
}

/**
 * Test rows the analyses sample at the end of each task of `deno task reproduce`, by profile:
 * 8 in the smoke profile (every test row of its Sudoku and Maze, so the smoke test can check
 * the analysis against the evaluation), a hundred on the cpu profile, a few hundred at paper
 * scale.
 */
export const REPRODUCE_ANALYSIS_SAMPLES: Readonly<Record<RunManifest["profile"], number>> = {
  smoke: 8,
  cpu: 100,
  paper: 300,
};

/** The first of `paths` that exists (relative ones tried as given, then under `roots`). */
async function firstExisting(path: string, roots: string[]): Promise<string | undefined> {
  if (isAbsolute(path)) return await pathExists(path) ? path : undefined;
  for (const p of [path, ...roots.map((r) => join(r, path))]) if (await pathExists(p)) return p;
  return undefined;
}

/**
 * Where a run's relative paths (data folders, checkpoints, saved relative to the folder
 * `deno task reproduce` ran in) resolve: the current folder, else the folder above the runs'
 * folder (`<root>/reports/<run>` -> `<root>`).
 */
function runRoots(runDir: string): string[] {
  return [dirname(dirname(runDir))];
}

/** The checkpoint a model's result names: in its own checkpoints/ folder when it is there. */
async function checkpointOf(modelDir: string, named: string, runDir: string) {
  const local = join(modelDir, "checkpoints", basename(named));
  if (await pathExists(local)) return local;
  return await firstExisting(named, runRoots(runDir));
}

/** Runs the analyses of a run's finished models; returns the analysis.json paths written. */
export async function analyzeRun(runDir: string, opts: AnalyzeRunOptions): Promise<string[]> {
  const manifest: RunManifest = await readManifest(runDir);
  const tasks = opts.tasks ?? manifest.tasks;
  for (const t of tasks) {
    if (!manifest.tasks.includes(t)) {
      throw new Error(
        `--task ${t}: not a task of run ${manifest.run} (${manifest.tasks.join(", ")})`,
      );
    }
  }
  if (opts.dataDir && tasks.length !== 1) {
    throw new Error("--data: give one --task (a data folder belongs to one task)");
  }
  const seeds = runSeeds(manifest);
  const written: string[] = [];
  for (const task of tasks) {
    const taskDir = join(runDir, task);
    const recordPath = join(taskDir, "task.json");
    if (!await pathExists(recordPath)) {
      opts.log(`${task}: not started in this run, skipped`);
      continue;
    }
    const record = await readValidated(recordPath, TaskRecordSchema);
    const dataDir = opts.dataDir ?? await firstExisting(record.dataDir, runRoots(runDir));
    if (!dataDir) {
      opts.log(`${task}: data folder ${record.dataDir} not found here; pass --data DIR`);
      continue;
    }
    const module = getTask(record.taskModule);
    // Extra scores per segment count only from scorers that write no files (not ARC's votes).
    const scoreOutputs = module.scoreFiles ? undefined : module.scoreOutputs.bind(module);
    for (const spec of record.models) {
      if (opts.models && !opts.models.includes(spec.id)) continue;
      const modelDir = seedDir(taskDir, spec.id, seeds[0], seeds.length > 1);
      const resultPath = join(modelDir, "result.json");
      if (!await pathExists(resultPath)) {
        opts.log(`${task}/${spec.id}: no result.json, skipped`);
        continue;
      }
      const result = await readValidated(resultPath, ModelResultSchema);
      const checkpoint = result.status === "done" && result.checkpoint
        ? await checkpointOf(modelDir, result.checkpoint, runDir)
        : undefined;
      if (!checkpoint) {
        opts.log(`${task}/${spec.id}: no checkpoint (status ${result.status}), skipped`);
        continue;
      }
      const outDir = join(taskDir, spec.id);
      await analyzeModel({
        ...opts.request,
        checkpoint,
        dataDir,
        outDir,
        saveStates: opts.saveStates ? join(opts.saveStates, task, spec.id) : undefined,
        render: module.renderExample,
        scoreOutputs,
        title: `${task} / ${spec.id}`,
        log: opts.log,
      });
      written.push(join(outDir, "analysis.json"));
      opts.log(`${task}/${spec.id}: wrote ${join(outDir, "analysis.json")}`);
    }
  }
  return written;
}
