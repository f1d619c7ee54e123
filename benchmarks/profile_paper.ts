/**
 * The `paper` profile: the official data builds and trainer overrides,
 * taken from `fixtures/paper/configs.json` (a test checks the result).
 * @module
 */
import { type PaperFixtures, paperRun } from "./paper.ts";
import { LABELS, modelSpecs, type Profile, type TaskPlan } from "./plan.ts";
import type { TaskId } from "./report/schema.ts";

/** The `paper` profile: the official data builds and trainer overrides. */
export function paperProfile(paper: PaperFixtures): Profile {
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
      plan("sudoku", "sudoku", [
        "--output-dir",
        "data/sudoku-extreme-1k-aug-1000",
        "--subsample-size",
        "1000",
        "--num-aug",
        "1000",
      ]),
      plan("maze", "maze", ["--out", "data/maze-30x30-hard-1k"]),
      plan("arc1", "arc", ["--output-dir", "data/arc-aug-1000"]),
      plan("arc2", "arc", [
        "--dataset-dirs",
        "ARC-AGI-2/data",
        "--output-dir",
        "data/arc-2-aug-1000",
      ]),
    ],
  };
}
