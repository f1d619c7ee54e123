/**
 * Builds `<task>/report.json` from a run's saved files (no training, no
 * evaluation): task.json, each model's result.json and metrics.jsonl.
 * @module
 */
import { join } from "node:path";
import { type PaperFixtures, paperRow, readValidated } from "../paper.ts";
import { downsample, readMetrics } from "./metrics.ts";
import {
  type Cell,
  cellStatus,
  type CurvePoint,
  type ModelResult,
  ModelResultSchema,
  type RunManifest,
  RunManifestSchema,
  type SeedEntry,
  type SeedSummary,
  type TaskId,
  type TaskRecord,
  TaskRecordSchema,
  type TaskReport,
  TIMING_METRICS,
} from "./schema.ts";
import { pathExists } from "../../io/mod.ts";
import { getTask } from "../../tasks/mod.ts";
import { meanResult, runSeeds, seedDir, seedEntry, seedSummary } from "../seeds.ts";
import { compareRuns } from "../comparisons.ts";
import type { Comparison } from "./schema.ts";

/** Everything the report writers need about one task, read from disk. */
export interface TaskInputs {
  manifest: RunManifest;
  record: TaskRecord;
  /**
   * Model id -> result (models without result.json are `not_run`); with several
   * seeds, the mean over the finished seeds (`meanResult`).
   */
  results: Map<string, ModelResult>;
  /** Model id -> each seed's result and folder, in the run's seed order. */
  seedResults: Map<string, { seed: number; result: ModelResult; dir: string }[]>;
  /** Curve name (model id, or `model/seed_<s>` with several seeds) -> points from metrics.jsonl. */
  curves: Map<string, CurvePoint[]>;
  /** Paired comparisons on the same test rows ({@link comparisonPairs}, {@link readComparisons}). */
  comparisons: Comparison[];
}

/** A `not_run` result for a model that has no result.json. */
export function notRunResult(
  model: string,
  reason: string,
  headlineMetric = "exact_accuracy",
): ModelResult {
  return {
    model,
    status: "not_run",
    reason,
    metrics: {},
    headlineMetric,
    actCurve: [],
    haltingSteps: [],
    examples: [],
    trainSteps: 0,
    parameters: null,
    checkpoint: null,
    givenCheckpoint: false,
    trainSeconds: 0,
    evalSeconds: 0,
  };
}

/** Reads `run.json` of a run folder. */
export function readManifest(runDir: string): Promise<RunManifest> {
  return readValidated(join(runDir, "run.json"), RunManifestSchema);
}

/** Reads one task's saved files (every seed of every model). */
export async function readTaskInputs(
  runDir: string,
  manifest: RunManifest,
  task: TaskId,
): Promise<TaskInputs> {
  const dir = join(runDir, task);
  const record = await readValidated(join(dir, "task.json"), TaskRecordSchema);
  const seeds = runSeeds(manifest);
  const multi = seeds.length > 1;
  const results = new Map<string, ModelResult>();
  const seedResults = new Map<string, { seed: number; result: ModelResult; dir: string }[]>();
  const curves = new Map<string, CurvePoint[]>();
  for (const spec of record.models) {
    const list: { seed: number; result: ModelResult; dir: string }[] = [];
    for (const seed of seeds) {
      const modelDir = seedDir(dir, spec.id, seed, multi);
      const resultPath = join(modelDir, "result.json");
      list.push({
        seed,
        dir: modelDir,
        result: await pathExists(resultPath)
          ? await readValidated(resultPath, ModelResultSchema)
          : notRunResult(
            spec.id,
            "no result.json (not trained or interrupted)",
            getTask(record.taskModule).headlineMetric,
          ),
      });
      curves.set(
        multi ? `${spec.id}/seed_${seed}` : spec.id,
        await readMetrics(join(modelDir, "metrics.jsonl")),
      );
    }
    seedResults.set(spec.id, list);
    const done = list.filter((x) => x.result.status === "done").map((x) => x.result);
    results.set(spec.id, done.length ? meanResult(done) : list[0].result);
  }
  const inputs = { manifest, record, results, seedResults, curves, comparisons: [] };
  return { ...inputs, comparisons: await readComparisons(inputs) };
}

/**
 * Which models are compared, as `[a, b]` pairs: each model's `compareWith`
 * (TRM against HRM and the baseline), then the first model of the task (HRM)
 * against each other one that no pair covers yet.
 */
export function comparisonPairs(models: TaskRecord["models"]): [string, string][] {
  const ids = new Set(models.map((m) => m.id));
  const own: [string, string][] = models.flatMap((m) =>
    (m.compareWith ?? []).filter((b) => ids.has(b) && b !== m.id).map((b): [string, string] => [
      m.id,
      b,
    ])
  );
  const pairs: [string, string][] = [];
  const covered = (a: string, b: string) =>
    [...own, ...pairs].some(([x, y]) => (x === a && y === b) || (x === b && y === a));
  const [first, ...others] = models;
  for (const other of others) {
    if (!covered(first.id, other.id)) pairs.push([first.id, other.id]);
  }
  for (const [a, b] of own) {
    if (!pairs.some(([x, y]) => (x === a && y === b) || (x === b && y === a))) pairs.push([a, b]);
  }
  return pairs;
}

/**
 * The paired comparisons of {@link comparisonPairs}, on the same test rows,
 * over the seeds where both models finished and saved their outputs.
 */
export async function readComparisons(inputs: TaskInputs): Promise<Comparison[]> {
  const out: Comparison[] = [];
  const usable = (id: string) =>
    new Map(
      (inputs.seedResults.get(id) ?? []).filter((x) =>
        x.result.status === "done" &&
        (x.result.outputsFile !== undefined || x.result.headlineUnits !== undefined)
      ).map((x) => [x.seed, { result: x.result, dir: x.dir }]),
    );
  for (const [idA, idB] of comparisonPairs(inputs.record.models)) {
    try {
      const c = await compareRuns(idA, idB, usable(idA), usable(idB));
      if (c) out.push(c);
    } catch (err) {
      throw new Error(`${inputs.record.task}: ${(err as Error).message}`);
    }
  }
  return out;
}

/**
 * The side-by-side cells: each model that maps onto a headline row, against
 * its own paper (HRM and Direct pred: the HRM paper; TRM: the TRM paper),
 * with that table's tolerance.
 */
export function buildCells(inputs: TaskInputs, paper: PaperFixtures): Cell[] {
  const cells: Cell[] = [];
  const task = inputs.record.task;
  for (const spec of inputs.record.models) {
    if (!spec.paperModel) continue;
    const found = paperRow(paper, spec.paperModel);
    if (!found) {
      throw new Error(
        `task.json: model '${spec.id}' maps to unknown paper row '${spec.paperModel}'`,
      );
    }
    const { row, tolerance } = found;
    const result = inputs.results.get(spec.id)!;
    const raw = result.status === "done" ? result.metrics[result.headlineMetric] : undefined;
    const ours = raw === undefined ? null : Math.round(raw * 100 * 1e6) / 1e6;
    const summary = modelSeeds(inputs, spec.id)?.summary;
    const toPct = (x: number) => Math.round(x * 100 * 1e6) / 1e6;
    cells.push({
      model: spec.id,
      paperModel: row.id,
      benchmark: task,
      metric: result.headlineMetric,
      paper: row.values[task],
      ours,
      tolerance,
      status: cellStatus(
        ours,
        row.values[task],
        tolerance,
        inputs.manifest.profile,
        result.sample !== undefined,
      ),
      citation: found.citation,
      ci95: summary?.ci95 ? [toPct(summary.ci95[0]), toPct(summary.ci95[1])] : null,
      seeds: summary?.seeds ?? 0,
      ...(result.sample ? { sample: sampleSize(result.sample) } : {}),
    });
  }
  return cells;
}

/** A sample's size in words: `1,000 test puzzles` (`10 test tasks` where the headline counts tasks). */
function sampleSize(sample: NonNullable<ModelResult["sample"]>): string {
  const unit = sample.headline?.unit ?? sample.unit;
  return `${sample.size.toLocaleString("en-US")} test ${unit}`;
}

/** A model's per-seed entries and their summary (undefined when no seed finished). */
export function modelSeeds(
  inputs: TaskInputs,
  model: string,
): { seeds: SeedEntry[]; summary: SeedSummary } | undefined {
  const done = (inputs.seedResults.get(model) ?? []).filter((x) => x.result.status === "done");
  if (!done.length) return undefined;
  const seeds = done.map((x) => seedEntry(x.seed, x.result));
  return { seeds, summary: seedSummary(seeds, done[0].result.headlineMetric) };
}

/** Assembles the task report object (validated by its writer). */
export function buildTaskReport(inputs: TaskInputs, paper: PaperFixtures): TaskReport {
  const models = inputs.record.models.map((spec) => {
    const { trainSeconds: _t, evalSeconds: _e, examples: _x, headlineUnits: _u, ...rest } = inputs
      .results.get(spec.id)!;
    return { ...rest, ...modelSeeds(inputs, spec.id) };
  });
  const timingModels: Record<string, { trainSeconds: number; evalSeconds: number }> = {};
  let wall = inputs.record.dataSeconds;
  for (const [id, r] of inputs.results) {
    timingModels[id] = { trainSeconds: r.trainSeconds, evalSeconds: r.evalSeconds };
    wall += r.trainSeconds + r.evalSeconds;
  }
  const curves: Record<string, CurvePoint[]> = {};
  for (const [id, points] of inputs.curves) {
    // Speeds and elapsed times vary from machine to machine: reports keep them in timing only.
    curves[id] = downsample(points.filter((p) => !TIMING_METRICS.has(p.metric)));
  }
  return {
    schema: "hrm-harness/task-report@1",
    run: inputs.manifest.run,
    profile: inputs.manifest.profile,
    task: inputs.record,
    environment: inputs.manifest.environment,
    timing: { wallSeconds: wall, dataSeconds: inputs.record.dataSeconds, models: timingModels },
    models,
    curves,
    cells: buildCells(inputs, paper),
    comparisons: inputs.comparisons,
    paperSource: paperSources(inputs.record.models, paper),
  };
}

/** The sources of the headline tables the task's models are compared with, joined. */
export function paperSources(models: TaskRecord["models"], paper: PaperFixtures): string {
  const sources = new Set<string>();
  for (const m of models) {
    const found = m.paperModel ? paperRow(paper, m.paperModel) : undefined;
    if (found) sources.add(`${found.citation}: ${found.source}`);
  }
  return sources.size ? [...sources].join("; ") : paper.headline.source;
}
