/**
 * The `paper` profile: the official data builds and trainer overrides,
 * taken from `fixtures/paper/configs.json` (a test checks the result), and
 * TRM with its own official settings from `fixtures/paper/trm_configs.json`
 * (the TRM README's command line for the benchmark), on the same data.
 * @module
 */
import { type PaperFixtures, paperRun, trmRun } from "./paper.ts";
import {
  DEFAULT_ARC_SOURCE,
  LABELS,
  modelSpecs,
  type Profile,
  type ProfileOptions,
  type TaskPlan,
  trmSpec,
} from "./plan.ts";

/** Splits a command line written as one string. */
const argv = (line: string): string[] => line.split(/\s+/).filter(Boolean);
import type { Difference, TaskId } from "./report/schema.ts";

/**
 * TRM's README run for each benchmark: TRM-MLP on Sudoku-Extreme (the
 * paper's best there), TRM-Att elsewhere.
 */
export const PAPER_TRM_RUNS: Record<TaskId, string> = {
  sudoku: "sudoku",
  maze: "maze",
  arc1: "arc1",
  arc2: "arc2",
};

/**
 * TRM's overrides in the paper profile: the README's, on this plan's data
 * (`data_path` replaced), with TRM's own defaults that this trainer does not
 * share with HRM spelled out (`arch.puzzle_emb_len` 16, `arch.name=trm`).
 * Returns the differences from TRM's run too (its data path, when the README
 * names another build).
 */
export function paperTrm(
  paper: PaperFixtures,
  runId: string,
  dataDir: string,
): { overrides: string[]; differences: Difference[] } {
  const run = trmRun(paper, runId);
  const overrides = [
    `data_path=${dataDir}`,
    ...run.overrides.filter((o) => !o.startsWith("data_path=")),
    `arch.puzzle_emb_len=${paper.trm.configs.defaults["arch.puzzle_emb_len"]}`,
  ];
  const differences = run.config.data_path === dataDir ? [] : [{
    setting: "TRM: data",
    paper: `${run.config.data_path} (${run.data.builder} ${run.data.args.join(" ")})`,
    ours: `${dataDir}, the data HRM and the baseline use here (same collections)`,
  }];
  return { overrides, differences };
}

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
    const trm = paperTrm(paper, PAPER_TRM_RUNS[task], dataDir);
    const trmPaperRow = trmRun(paper, PAPER_TRM_RUNS[task]).config["arch.mlp_t"] === true
      ? "trm_mlp"
      : "trm_att";
    return {
      task,
      label: `${LABELS[task]} (paper configuration)`,
      taskModule,
      dataDir,
      build,
      train,
      models: [
        ...modelSpecs(train, ["hrm", "direct_pred"]),
        trmSpec(trm.overrides, trmPaperRow),
      ],
      evalSegments: [1, 2, 4, 8, 16],
      examples: 6,
      differences: trm.differences,
      paperRun: task,
      trmRun: PAPER_TRM_RUNS[task],
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
