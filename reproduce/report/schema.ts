/**
 * The files a reproduce run saves and the reports built from them.
 *
 * Layout of `reports/<run>/`:
 * - `run.json` ({@link RunManifest}): profile, tasks, options, environment;
 * - `<task>/task.json` ({@link TaskRecord}): data build, dataset digest;
 * - `<task>/<model>/metrics.jsonl`: the trainer's log (one JSON object a line);
 * - `<task>/<model>/result.json` ({@link ModelResult}): final measurements;
 * - `<task>/done`: written last (atomically) when the task is finished;
 * - `<task>/report.{json,md,html}`, `index.html`, `summary.md`: built from the above.
 * @module
 */
import { z } from "zod";
import { AnalysisSummarySchema } from "../../analysis/mod.ts";

/** Task ids of `deno task reproduce --task`. */
export const TASK_IDS = ["sudoku", "maze", "arc1", "arc2"] as const;
/** A reproduce task id. */
export type TaskId = typeof TASK_IDS[number];

/** Status of one table cell against the paper. */
export const CELL_STATUSES = [
  "reproduced",
  "within_tolerance_scaled_down",
  "consistent_on_sample",
  "below",
  "above",
  "not_run",
] as const;
/** Status of one table cell against the paper. */
export type CellStatus = typeof CELL_STATUSES[number];

/** The software and hardware a run used (excluded from golden comparisons). */
export const EnvironmentSchema = z.object({
  backend: z.string(),
  adapter: z.string().nullable(),
  deno: z.string(),
  typescript: z.string(),
  v8: z.string(),
  tfjs: z.string(),
  os: z.string(),
  cpus: z.number().int().nonnegative(),
}).strict();
/** The software and hardware a run used. */
export type Environment = z.infer<typeof EnvironmentSchema>;

/** One model trained (or evaluated) within a task: HRM, Direct pred, ... */
export const ModelSpecSchema = z.object({
  /** `hrm`, `direct_pred`, `direct_pred_act`, `trm`. */
  id: z.string().regex(/^[a-z0-9_]+$/),
  label: z.string(),
  /** Headline-table row (of either paper) this model is compared with, if any. */
  paperModel: z.string().nullable(),
  /** Trainer overrides in the reference key=value syntax (data_path included). */
  overrides: z.array(z.string()),
  /**
   * Models this one is compared with on the same test rows, as `a` (itself)
   * against `b`; the first model of a task is also compared with every other.
   */
  compareWith: z.array(z.string()).optional(),
  /** The training budget in words (epochs, batch, depth per segment, EMA). */
  budget: z.string().optional(),
}).strict();
/** One model within a task. */
export type ModelSpec = z.infer<typeof ModelSpecSchema>;

/** How one setting of a scaled-down profile differs from the paper. */
export const DifferenceSchema = z.object({
  setting: z.string(),
  paper: z.string(),
  ours: z.string(),
}).strict();
/** How one setting differs from the paper. */
export type Difference = z.infer<typeof DifferenceSchema>;

/** A setting in which a model's configuration differs from HRM's in the same plan. */
export const ContrastSchema = z.object({
  /** The model whose setting differs (e.g. `trm`). */
  model: z.string(),
  setting: z.string(),
  /** HRM's value in this plan (`(not set)` when HRM has no such setting). */
  hrm: z.string(),
  /** The model's value. */
  value: z.string(),
}).strict();
/** A setting that differs from HRM's. */
export type Contrast = z.infer<typeof ContrastSchema>;

/** `<task>/task.json`: what the task ran on. */
export const TaskRecordSchema = z.object({
  task: z.enum(TASK_IDS),
  label: z.string(),
  /** Registry name of the Task module that built the data. */
  taskModule: z.string(),
  build: z.array(z.string()),
  dataDir: z.string(),
  /** sha256 over the dataset files (sorted by path, path and bytes hashed). */
  datasetDigest: z.string(),
  models: z.array(ModelSpecSchema),
  differences: z.array(DifferenceSchema),
  /** Where another model's settings differ from HRM's (TRM's own official settings, ...). */
  contrasts: z.array(ContrastSchema).optional(),
  /** Seconds spent building (or finding) the data. */
  dataSeconds: z.number().nonnegative(),
}).strict();
/** `<task>/task.json`. */
export type TaskRecord = z.infer<typeof TaskRecordSchema>;

/** A rendered-later example: token ids of one test row and the prediction. */
export const ExampleSchema = z.object({
  input: z.array(z.number().int()),
  label: z.array(z.number().int()),
  prediction: z.array(z.number().int()),
  /** Optional free-form name (ARC task id, ...). */
  name: z.string().optional(),
}).strict();
/** One example row. */
export type Example = z.infer<typeof ExampleSchema>;

/** Which training checkpoint was scored and by which rule (`--score-checkpoint`). */
export const ScoredCheckpointSchema = z.object({
  /** `last`, `best-train`, `eval=K` or `step=N`. */
  rule: z.string(),
  step: z.number().int().nonnegative(),
  /** 1-based index of the evaluation taken at that step; null if none was. */
  evaluation: z.number().int().positive().nullable(),
  /** Evaluations the training run made. */
  evaluations: z.number().int().nonnegative(),
  /** In words, e.g. `the 8th of 10 evaluations (step 414456)`. */
  note: z.string(),
}).strict();

/** A sampled evaluation (`--eval-sample N --eval-seed S`) and the interval it supports. */
export const EvalSampleResultSchema = z.object({
  /** Test groups drawn (puzzles with their augmented variants). */
  size: z.number().int().positive(),
  /** Test groups in the test split. */
  population: z.number().int().positive(),
  seed: z.number().int().nonnegative(),
  unit: z.string(),
  /** Test rows in the sample, and those exactly solved. */
  rows: z.number().int().nonnegative(),
  correct: z.number().int().nonnegative(),
  /** Wilson 95% interval of correct/rows (a fraction). */
  ci95: z.tuple([z.number(), z.number()]),
  /** In words: `1,000 of 422,786 test puzzles, seed 0`. */
  text: z.string(),
  /**
   * Where the headline metric's units are not the test rows (Task.headlineUnits,
   * e.g. ARC tasks): its units scored and counted, and their Wilson 95% interval.
   */
  headline: z.object({
    metric: z.string(),
    unit: z.string(),
    n: z.number().int().nonnegative(),
    correct: z.number().int().nonnegative(),
    ci95: z.tuple([z.number(), z.number()]),
  }).strict().optional(),
}).strict();

/** The headline metric's units (tasks/ `HeadlineUnits`) where they are not the test rows. */
export const HeadlineUnitsSchema = z.object({
  unit: z.string(),
  names: z.array(z.string()),
  solved: z.array(z.number().int().min(0).max(1)),
}).strict();

/** `<task>/<model>/result.json`: the final measurements of one model. */
export const ModelResultSchema = z.object({
  model: z.string(),
  status: z.enum(["done", "not_run"]),
  /** Why it did not run (for `not_run`). */
  reason: z.string().optional(),
  /** Final evaluation metrics (fractions in [0,1] unless named otherwise). */
  metrics: z.record(z.string(), z.number()),
  /** The metric that maps onto the headline table (exact accuracy or pass@2). */
  headlineMetric: z.string(),
  /** Exact accuracy at inference with halt_max_steps = segments (Fig. 5c). */
  actCurve: z.array(
    z.object({ segments: z.number().int().positive(), exact_accuracy: z.number() }),
  ),
  /** How many evaluated rows first chose to halt at each segment. */
  haltingSteps: z.array(z.object({ steps: z.number().int().positive(), count: z.number().int() })),
  examples: z.array(ExampleSchema),
  trainSteps: z.number().int().nonnegative(),
  parameters: z.number().int().nonnegative().nullable(),
  checkpoint: z.string().nullable(),
  /** True when the checkpoint was given (`--checkpoint`) instead of trained. */
  givenCheckpoint: z.boolean(),
  /**
   * The final evaluation's saved outputs (io `eval_outputs`), relative to the
   * model's folder: the paired comparisons read per-row correctness from them.
   */
  outputsFile: z.string().optional(),
  trainSeconds: z.number().nonnegative(),
  evalSeconds: z.number().nonnegative(),
  /** The trained checkpoint that was scored, and why (absent for a given checkpoint). */
  scoredCheckpoint: ScoredCheckpointSchema.optional(),
  /** Training stopped early (a non-finite loss): where, and the step scored instead. */
  training: z.object({ stopped: z.string(), scored_step: z.number().int().nonnegative() })
    .strict().optional(),
  /** Set when only a seeded sample of the test set was scored. */
  sample: EvalSampleResultSchema.optional(),
  /**
   * Per unit, whether it counts for the headline metric, where the units are
   * not the test rows (e.g. ARC tasks under the all-tests rule); the intervals
   * and paired comparisons use them. Kept in result.json, not in report.json.
   */
  headlineUnits: HeadlineUnitsSchema.optional(),
}).strict();
/** `<task>/<model>/result.json`. */
export type ModelResult = z.infer<typeof ModelResultSchema>;

/** `run.json`: the run as a whole. */
export const RunManifestSchema = z.object({
  run: z.string(),
  profile: z.enum(["smoke", "cpu", "paper"]),
  tasks: z.array(z.enum(TASK_IDS)),
  checkpoints: z.record(z.string(), z.string()),
  /** The first (or only) training seed. */
  seed: z.number().int(),
  /**
   * Every training seed when there is more than one (`--seeds`): each model is
   * trained once per seed, in `<task>/<model>/seed_<s>/`.
   */
  seeds: z.array(z.number().int().nonnegative()).min(2).optional(),
  /** `--arc-source` of the run (reused on resume). */
  arcSource: z.string().optional(),
  /** `--act-baseline` of the run (reused on resume). */
  actBaseline: z.boolean().optional(),
  /** `--data-root` of the run (reused on resume). */
  dataRoot: z.string().optional(),
  /** `--models` of the run: only these models of each task's plan (reused on resume). */
  models: z.array(z.string()).min(1).optional(),
  /** `--score-checkpoint` of the run for every task (else each plan's rule; reused on resume). */
  scoreCheckpoint: z.string().optional(),
  /** `--eval-sample N --eval-seed S` of the run (reused on resume). */
  evalSample: z.object({ size: z.number().int().positive(), seed: z.number().int().nonnegative() })
    .strict().optional(),
  startedAt: z.string(),
  environment: EnvironmentSchema,
}).strict();
/** `run.json`. */
export type RunManifest = z.infer<typeof RunManifestSchema>;

/** One point of a training or evaluation curve. */
export const CurvePointSchema = z.object({
  step: z.number(),
  split: z.enum(["train", "eval"]),
  metric: z.string(),
  value: z.number(),
}).strict();
/** One point of a curve. */
export type CurvePoint = z.infer<typeof CurvePointSchema>;

/** One cell of the side-by-side table. */
export const CellSchema = z.object({
  model: z.string(),
  paperModel: z.string(),
  benchmark: z.enum(TASK_IDS),
  metric: z.string(),
  /** Percent. */
  paper: z.number(),
  /** Percent; null when not run. */
  ours: z.number().nullable(),
  tolerance: z.number(),
  status: z.enum(CELL_STATUSES),
  /** Percent: the 95% interval of `ours` (see the model's `summary.method`); null if none. */
  ci95: z.tuple([z.number(), z.number()]).nullable().optional(),
  /** Seeds behind `ours` (their mean). */
  seeds: z.number().int().nonnegative().optional(),
  /** Set when `ours` was scored on a sample of the test set: its size, e.g. `1,000 test puzzles`. */
  sample: z.string().optional(),
  /** The paper `paper` is taken from (the model's own: HRM's or TRM's). */
  citation: z.string().optional(),
}).strict();
/** One cell of the side-by-side table. */
export type Cell = z.infer<typeof CellSchema>;

/** One seed's result of one model: the Wilson interval of its exact accuracy. */
export const SeedEntrySchema = z.object({
  seed: z.number().int(),
  /** Test rows scored. */
  n: z.number().int().nonnegative(),
  /** Rows exactly solved. */
  correct: z.number().int().nonnegative(),
  exact_accuracy: z.number(),
  /** Wilson 95% interval of correct/n, a fraction like exact_accuracy. */
  ci95: z.tuple([z.number(), z.number()]),
  headline_metric: z.string(),
  headline: z.number().nullable(),
  /** The trained checkpoint's step that was scored (`--score-checkpoint`). */
  scored_step: z.number().int().nonnegative().optional(),
  /** Set when this seed's training stopped early (`non-finite loss at step N`). */
  stopped: z.string().optional(),
  /**
   * Where the headline metric is a proportion over units: the unit (`test
   * rows`, `tasks`), units scored and counted, and the Wilson 95% interval.
   */
  headline_unit: z.string().optional(),
  headline_n: z.number().int().nonnegative().optional(),
  headline_correct: z.number().int().nonnegative().optional(),
  headline_ci95: z.tuple([z.number(), z.number()]).optional(),
}).strict();
/** One seed's result. */
export type SeedEntry = z.infer<typeof SeedEntrySchema>;

/** The headline metric over seeds: mean, sample sd, and a 95% interval (how: `method`). */
export const SeedSummarySchema = z.object({
  metric: z.string(),
  seeds: z.number().int().nonnegative(),
  mean: z.number(),
  sd: z.number().nullable(),
  ci95: z.tuple([z.number(), z.number()]).nullable(),
  method: z.string(),
}).strict();
/** A model's summary over seeds. */
export type SeedSummary = z.infer<typeof SeedSummarySchema>;

/** Words of a paired comparison's verdict. */
export const VERDICTS = ["ahead", "behind", "not distinguishable at 95%"] as const;

/** One seed of a paired comparison on the same test rows. */
export const PairedSeedSchema = z.object({
  seed: z.number().int(),
  n: z.number().int().nonnegative(),
  both: z.number().int().nonnegative(),
  a_only: z.number().int().nonnegative(),
  b_only: z.number().int().nonnegative(),
  neither: z.number().int().nonnegative(),
  difference: z.number(),
  ci95: z.tuple([z.number(), z.number()]),
  p_value: z.number(),
}).strict();

/** Model `a` against model `b` on the same test rows, paired (reproduce/comparisons.ts). */
export const ComparisonSchema = z.object({
  a: z.string(),
  b: z.string(),
  metric: z.string(),
  /** a - b, a fraction (pooled over seeds). */
  difference: z.number(),
  ci95: z.tuple([z.number(), z.number()]),
  p_value: z.number(),
  method: z.string(),
  /** `a` is ahead of / behind `b`, or not distinguishable at 95%. */
  verdict: z.enum(VERDICTS),
  per_seed: z.array(PairedSeedSchema),
  /**
   * With 2+ seeds whose differences are not all equal: the t interval of the
   * per-seed differences (seeds as the units); else null.
   */
  seed_ci95: z.tuple([z.number(), z.number()]).nullable(),
}).strict();
/** One paired comparison. */
export type Comparison = z.infer<typeof ComparisonSchema>;

/** `<task>/report.json`. */
export const TaskReportSchema = z.object({
  schema: z.literal("hrm-harness/task-report@1"),
  run: z.string(),
  profile: z.enum(["smoke", "cpu", "paper"]),
  task: TaskRecordSchema,
  environment: EnvironmentSchema,
  timing: z.object({
    wallSeconds: z.number(),
    dataSeconds: z.number(),
    models: z.record(z.string(), z.object({ trainSeconds: z.number(), evalSeconds: z.number() })),
  }),
  models: z.array(
    ModelResultSchema.omit({
      trainSeconds: true,
      evalSeconds: true,
      examples: true,
      headlineUnits: true,
    }).extend({
      seeds: z.array(SeedEntrySchema).optional(),
      summary: SeedSummarySchema.optional(),
    }),
  ),
  curves: z.record(z.string(), z.array(CurvePointSchema)),
  cells: z.array(CellSchema),
  comparisons: z.array(ComparisonSchema).optional(),
  paperSource: z.string(),
  /** Each analysed model's `analysis.json`, summarised (reproduce/report/analyses.ts). */
  analyses: z.array(AnalysisSummarySchema).optional(),
}).strict();
/** `<task>/report.json`. */
export type TaskReport = z.infer<typeof TaskReportSchema>;

/** Metrics-log fields that measure time or speed (not behaviour); kept out of curves. */
export const TIMING_METRICS: ReadonlySet<string> = new Set([
  "steps_per_s",
  "examples_per_s",
  "elapsed_s",
  "eval_s",
]);

/**
 * Status of a measured value against a published one with an absolute
 * tolerance. Only a run of the `paper` profile scored on the whole test set
 * can be `reproduced`: a scaled-down run within the tolerance is
 * `within_tolerance_scaled_down`, a paper-size run scored on a sample
 * (`--eval-sample`) `consistent_on_sample`.
 */
export function cellStatus(
  ours: number | null,
  paper: number,
  tolerance: number,
  profile = "paper",
  sampled = false,
): CellStatus {
  if (ours === null || !Number.isFinite(ours)) return "not_run";
  // Round to 1e-9 so that 53.0 vs 55.0 with tolerance 2 counts as within.
  const diff = Math.round((ours - paper) * 1e9) / 1e9;
  if (Math.abs(diff) <= tolerance) {
    if (profile !== "paper") return "within_tolerance_scaled_down";
    return sampled ? "consistent_on_sample" : "reproduced";
  }
  return diff < 0 ? "below" : "above";
}

/** Human wording of a status, for tables. */
export const STATUS_TEXT: Record<CellStatus, string> = {
  reproduced: "reproduced (within tolerance)",
  within_tolerance_scaled_down: "within tolerance, scaled-down run",
  consistent_on_sample: "consistent with the paper on a sample",
  below: "below",
  above: "above",
  not_run: "not run",
};

/**
 * Wording of a status for a run of `profile`. Only the paper profile can
 * reproduce a published number: a scaled-down run that lands within the
 * tolerance (e.g. 0% vs a published 0%) says so without the word "reproduced".
 * A cell scored on a sample says how large it was and its interval:
 * `consistent with the paper on a sample of 1,000 test puzzles (95% interval [..])`.
 */
export function statusText(
  status: CellStatus,
  profile: string,
  cell?: Pick<Cell, "sample" | "ci95">,
): string {
  if (status === "reproduced" && profile !== "paper") {
    return STATUS_TEXT.within_tolerance_scaled_down;
  }
  if (status === "consistent_on_sample" && cell?.sample) {
    const ci = cell.ci95;
    return `${STATUS_TEXT[status]} of ${cell.sample}` +
      (ci ? ` (95% interval [${ci[0].toFixed(1)}, ${ci[1].toFixed(1)}])` : " (no interval)");
  }
  return STATUS_TEXT[status];
}

/** Keys whose values depend on the machine or the moment (paths, durations). */
const VOLATILE_KEYS = new Set(["checkpoint", "dataDir", "dataSeconds"]);

/** Fields that change from machine to machine; golden comparisons drop them. */
export function stripVolatile(report: TaskReport): unknown {
  const { environment: _e, timing: _t, ...rest } = report;
  return JSON.parse(
    JSON.stringify(rest, (k, v) => VOLATILE_KEYS.has(k) ? undefined : v),
  );
}
