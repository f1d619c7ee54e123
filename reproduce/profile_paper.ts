/**
 * The `paper` profile: the official data builds and trainer overrides,
 * taken from `fixtures/paper/configs.json` (a test checks the result).
 * @module
 */
import { type PaperFixtures, paperRun } from "./paper.ts";
import {
  DEFAULT_ARC_SOURCE,
  LABELS,
  modelSpecs,
  type Profile,
  type ProfileOptions,
  type TaskPlan,
} from "./plan.ts";

/** Splits a command line written as one string. */
const argv = (line: string): string[] => line.split(/\s+/).filter(Boolean);
import type { TaskId } from "./report/schema.ts";

/** The official ARC notebook scores `step_414456`, the 8th of the run's 10 evaluations. */
const ARC_SCORED = {
  scoreCheckpoint: "eval=8",
  scoreCheckpointWhy:
    "the official ARC notebook scores step_414456, the 8th of 10 evaluations, not the last",
};

/** The `paper` profile: the official data builds and trainer overrides. */
export function paperProfile(paper: PaperFixtures, opts: ProfileOptions = {}): Profile {
  const arcSource = opts.arcSource ?? DEFAULT_ARC_SOURCE;
  const plan = (task: TaskId, taskModule: TaskPlan["taskModule"], build: string[]): TaskPlan => {
    const run = paperRun(paper, task);
    const dataDir = String(run.config.data_path);
    // The README's overrides, with data_path made explicit where it relied on the default.
    const train = run.overrides.some((o) => o.startsWith("data_path="))
      ? [...run.overrides]
      : [`data_path=${dataDir}`, ...run.overrides];
    return {
      task,
      label: `${LABELS[task]} (paper configuration)`,
      taskModule,
      dataDir,
      build,
      train,
      models: modelSpecs(train, ["hrm", "direct_pred"]),
      evalSegments: [1, 2, 4, 8, 16],
      examples: 6,
      differences: [],
      paperRun: task,
    };
  };
  return {
    name: "paper",
    description:
      "The paper's exact configurations (8 GPUs in the paper; needs a GPU, hours to days)",
    budgetMinutes: 60 * 24 * 4,
    tasks: [
      // The official data: Sudoku-Extreme and Maze-Hard CSVs as published on Hugging Face
      // (sapientinc/sudoku-extreme, sapientinc/maze-30x30-hard-1k), downloaded by the user.
      plan(
        "sudoku",
        "sudoku",
        argv(
          "--from-csv data/raw/sudoku-extreme --subsample 1000 --aug 1000 --write-reference-layout " +
            "--out data/sudoku-extreme-1k-aug-1000",
        ),
      ),
      plan(
        "maze",
        "maze",
        argv("--from-csv data/raw/maze-30x30-hard-1k --out data/maze-30x30-hard-1k"),
      ),
      {
        ...plan(
          "arc1",
          "arc",
          argv(`--source ${arcSource} --preset arc1 --aug 1000 --seed 42 --out data/arc-aug-1000`),
        ),
        ...ARC_SCORED,
      },
      {
        ...plan(
          "arc2",
          "arc",
          argv(
            `--source ${arcSource} --preset arc2 --aug 1000 --seed 42 --out data/arc-2-aug-1000`,
          ),
        ),
        ...ARC_SCORED,
      },
    ],
  };
}
