/**
 * Builds `<task>/report.json` from a run's saved files (no training, no
 * evaluation): task.json, each model's result.json and metrics.jsonl.
 * @module
 */
import { join } from "node:path";
import { type PaperFixtures, readValidated } from "../paper.ts";
import { downsample, readMetrics } from "./metrics.ts";
import {
  type Cell,
  cellStatus,
  type CurvePoint,
  type ModelResult,
  ModelResultSchema,
  type RunManifest,
  RunManifestSchema,
  type TaskId,
  type TaskRecord,
  TaskRecordSchema,
  type TaskReport,
  TIMING_METRICS,
} from "./schema.ts";
import { pathExists } from "../../io/mod.ts";
import { getTask } from "../../tasks/mod.ts";

/** Everything the report writers need about one task, read from disk. */
export interface TaskInputs {
  manifest: RunManifest;
  record: TaskRecord;
  /** Model id -> result (models without result.json are `not_run`). */
  results: Map<string, ModelResult>;
  /** Model id -> all curve points from metrics.jsonl. */
  curves: Map<string, CurvePoint[]>;
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

/** Reads one task's saved files. */
export async function readTaskInputs(
  runDir: string,
  manifest: RunManifest,
  task: TaskId,
): Promise<TaskInputs> {
  const dir = join(runDir, task);
  const record = await readValidated(join(dir, "task.json"), TaskRecordSchema);
  const results = new Map<string, ModelResult>();
  const curves = new Map<string, CurvePoint[]>();
  for (const spec of record.models) {
    const resultPath = join(dir, spec.id, "result.json");
    results.set(
      spec.id,
      await pathExists(resultPath)
        ? await readValidated(resultPath, ModelResultSchema)
        : notRunResult(
          spec.id,
          "no result.json (not trained or interrupted)",
          getTask(record.taskModule).headlineMetric,
        ),
    );
    curves.set(spec.id, await readMetrics(join(dir, spec.id, "metrics.jsonl")));
  }
  return { manifest, record, results, curves };
}

/** The side-by-side cells: each model that maps onto a headline row. */
export function buildCells(inputs: TaskInputs, paper: PaperFixtures): Cell[] {
  const cells: Cell[] = [];
  const task = inputs.record.task;
  for (const spec of inputs.record.models) {
    if (!spec.paperModel) continue;
    const row = paper.headline.models.find((m) => m.id === spec.paperModel);
    if (!row) {
      throw new Error(
        `task.json: model '${spec.id}' maps to unknown paper row '${spec.paperModel}'`,
      );
    }
    const result = inputs.results.get(spec.id)!;
    const raw = result.status === "done" ? result.metrics[result.headlineMetric] : undefined;
    const ours = raw === undefined ? null : Math.round(raw * 100 * 1e6) / 1e6;
    cells.push({
      model: spec.id,
      paperModel: row.id,
      benchmark: task,
      metric: result.headlineMetric,
      paper: row.values[task],
      ours,
      tolerance: paper.headline.tolerance,
      status: cellStatus(ours, row.values[task], paper.headline.tolerance),
    });
  }
  return cells;
}

/** Assembles the task report object (validated by its writer). */
export function buildTaskReport(inputs: TaskInputs, paper: PaperFixtures): TaskReport {
  const models = inputs.record.models.map((spec) => {
    const { trainSeconds: _t, evalSeconds: _e, examples: _x, ...rest } = inputs.results.get(
      spec.id,
    )!;
    return rest;
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
    paperSource: paper.headline.source,
  };
}
