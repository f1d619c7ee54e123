/**
 * The one interface every benchmark task implements (data, and how its
 * results are scored and shown), and where each task module registers
 * itself. Look tasks up through `registry.ts` (`getTask`, `listTasks`),
 * which loads every task module.
 * @module
 */
import type { EvalOutputs } from "../io/mod.ts";
import type { PuzzleSplit, SplitName } from "./dataset.ts";
import { gridSvg } from "./grid_svg.ts";

/** What `deno task data verify` prints about a folder. */
export interface VerifyReport {
  ok: boolean;
  /** Human-readable lines (counts, rating/path-length summaries, problems). */
  lines: string[];
}

/** One test row as a report shows it: token ids of the input, label and prediction. */
export interface TaskExample {
  input: number[];
  /** Empty when the evaluation saved no labels. */
  label: number[];
  prediction: number[];
  /**
   * An earlier prediction of the same row (same length), e.g. the previous
   * ACT segment's: when present, the picture marks every cell where
   * `prediction` differs from it (`change_mark.ts`).
   */
  previous?: number[];
  /** Optional free-form name (ARC task id, ...). */
  name?: string;
}

/** Where {@link Task.scoreOutputs} finds what it scores against and writes its own files. */
export interface ScoreContext {
  /** The saved evaluation outputs' file (named in error messages, read again by some scorers). */
  outputsFile: string;
  /** The built data folder the outputs were computed on. */
  dataDir: string;
  /** The model's folder: a scorer may write its own report under it. */
  outDir: string;
}

/** Files {@link Task.scoreOutputs} writes under a model's folder, linked from the HTML report. */
export interface ScoreFiles {
  /** Heading of the report section that links them. */
  heading: string;
  /** Each link: its text and its path relative to the model's folder. */
  links: { text: string; path: string }[];
}

/**
 * The headline metric as a proportion over units (e.g. ARC tasks that count
 * under the all-tests rule): the intervals, seed summaries and paired
 * comparisons of the reports use these units.
 */
export interface HeadlineUnits {
  /** Plural noun of the unit, e.g. `tasks`. */
  unit: string;
  /** Each unit's name; models scored on the same data list the same names in the same order. */
  names: string[];
  /** Per unit (same order): 1 when it counts for the headline metric, else 0. */
  solved: number[];
}

/**
 * A benchmark task: builds its data, verifies it, reads its compact form,
 * and knows how its results are scored and shown.
 */
export interface Task {
  /** Registry name, e.g. `sudoku`, `maze`, `arc`. */
  readonly name: string;
  /** One line for `--help` listings. */
  readonly description: string;
  /** Runs `deno task data <name> ...` with the arguments after the name. */
  build(args: string[]): Promise<void>;
  /** Re-checks a built folder (`deno task data verify DIR`). */
  verify(dir: string, options: { all?: boolean }): Promise<VerifyReport>;
  /** True when `dir` holds this task's compact (lazily augmented) form. */
  isCompact?(dir: string): Promise<boolean>;
  /** Opens a split of this task's compact form behind the common dataset interface. */
  openCompact?(dir: string, split: SplitName): Promise<PuzzleSplit>;
  /** True when a built folder in the reference layout looks like this task's data. */
  recognises?(meta: { seq_len: number; vocab_size: number }): boolean;
  /** Extra `deno task data <command>` entries this task owns (e.g. `sudoku-rate`). */
  readonly commands?: Readonly<Record<string, (args: string[]) => Promise<void>>>;
  /**
   * Copies a small deterministic selection of a build's `--source` folder to
   * `dest`, sized by `n` (the scaled-down profiles' `sourceSubset`); returns
   * the number of files copied.
   */
  copySourceSubset?(source: string, dest: string, n: number): Promise<number>;
  /** The metric that maps onto the paper's headline table (e.g. `exact_accuracy`, `pass@2`). */
  readonly headlineMetric: string;
  /**
   * Metrics beyond the trainer's (exact accuracy, token accuracy, ...) computed
   * from the final evaluation's saved outputs (io/eval_outputs.ts), as fractions.
   */
  scoreOutputs(outputs: EvalOutputs, at: ScoreContext): Promise<Record<string, number>>;
  /**
   * The headline metric's units from the final evaluation's saved outputs,
   * where they are not the test rows (the headline = solved / units). Absent:
   * the headline is exact accuracy and its units are the test rows.
   */
  headlineUnits?(outputs: EvalOutputs, at: ScoreContext): Promise<HeadlineUnits>;
  /** One example as an SVG picture for the HTML report. */
  renderExample(example: TaskExample): string;
  /** Files `scoreOutputs` writes per model, if any (linked from the HTML report). */
  readonly scoreFiles?: ScoreFiles;
}

/** The members a task may leave out when it registers, and what it gets instead. */
const DEFAULTS = {
  headlineMetric: "exact_accuracy",
  scoreOutputs: () => Promise.resolve({}),
  renderExample: gridSvg,
} satisfies Partial<Task>;

/**
 * What a task module registers: a {@link Task} whose report members may be
 * left out (exact accuracy as headline, no extra metrics, generic grid pictures).
 */
export type TaskDefinition =
  & Omit<Task, keyof typeof DEFAULTS>
  & Partial<Pick<Task, keyof typeof DEFAULTS>>;

const registry = new Map<string, Task>();

/** Adds a task to the registry (each task module calls this once). */
export function registerTask(task: TaskDefinition): void {
  if (registry.has(task.name)) throw new Error(`task '${task.name}' registered twice`);
  registry.set(task.name, { ...DEFAULTS, ...task });
}

/** Every registered task by name; `registry.ts` looks tasks up in it. */
export function registeredTasks(): ReadonlyMap<string, Task> {
  return registry;
}
