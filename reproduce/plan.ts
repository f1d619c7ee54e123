/**
 * What a reproduce profile is made of: per task, the data build, the trainer
 * overrides (the reference trainer's key=value syntax) of HRM, of TRM and of
 * the Direct-pred baseline, and how each setting differs from the paper.
 * @module
 */
import type { Contrast, Difference, ModelSpec, TaskId } from "./report/schema.ts";

/** Profile names. */
export const PROFILES = ["smoke", "cpu", "paper"] as const;
/** A profile name. */
export type ProfileName = typeof PROFILES[number];

/** Everything `reproduce` needs to run one task under one profile. */
export interface TaskPlan {
  task: TaskId;
  label: string;
  /** Registry name of the Task module (tasks/registry.ts) that builds, scores and draws. */
  taskModule: string;
  /** Where the data lives (relative to the working directory). */
  dataDir: string;
  /** Arguments of `deno task data <taskModule> ...` (Task.build). */
  build: string[];
  /** The trainer overrides shared by every model of the task. */
  train: string[];
  /** HRM, TRM and the baselines, each with its complete override list. */
  models: ModelSpec[];
  /** Inference segment counts for the accuracy-vs-segments curve. */
  evalSegments: number[];
  /** How many test rows to keep as pictures in the report. */
  examples: number;
  /** Every setting that differs from the paper (empty for `paper`). */
  differences: Difference[];
  /** Fixture id of the paper run this task corresponds to. */
  paperRun: string;
  /**
   * Id of TRM's README run (`fixtures/paper/trm_configs.json`) that the `trm`
   * model of this plan corresponds to; its differences are computed against it.
   */
  trmRun?: string;
  /** Where TRM's (or another model's) settings differ from HRM's (filled by `getProfile`). */
  contrasts?: Contrast[];
  /**
   * Build from a small selection of the `--source` folder (N per collection,
   * chosen by the task's `copySourceSubset`) instead of all of it; the
   * `--source` argument is redirected to a folder holding that selection.
   */
  sourceSubset?: number;
  /**
   * Which trained checkpoint is scored (`last` unless set; train/score_checkpoint.ts):
   * the paper profile's ARC tasks score `eval=8`, as the official ARC notebook.
   */
  scoreCheckpoint?: string;
  /** Why the plan scores that checkpoint (said in the reports). */
  scoreCheckpointWhy?: string;
}

/** Where the ARC checkouts are looked for unless `--arc-source` says otherwise. */
export const DEFAULT_ARC_SOURCE = "data/raw/arc";

/** Options that shape the plans (paths on this machine). */
export interface ProfileOptions {
  /** Folder holding the ARC-AGI, ARC-AGI-2 and ConceptARC checkouts. */
  arcSource?: string;
  /** Also train the Transformer with HRM's outer ACT loop (`direct_pred_act`). */
  actBaseline?: boolean;
  /**
   * Folder for the scaled-down profiles' data instead of `data/` (the paper
   * profile keeps the paper's data paths).
   */
  dataRoot?: string;
}

/** A profile: its plans in run order and a time budget for humans. */
export interface Profile {
  name: ProfileName;
  description: string;
  /** Wall-clock target on its intended machine, in minutes. */
  budgetMinutes: number;
  tasks: TaskPlan[];
}

/**
 * Model variants as trainer overrides. An `arch.name` naming a transformer
 * selects the Direct-pred architecture (a post-norm Transformer of the same
 * width with `arch.transformer_layers` blocks, 8 by default = HRM's 4 + 4);
 * `arch.halt_max_steps=1` makes it predict in one pass, 16 keeps HRM's outer
 * ACT loop (the ARC Prize analysis' variant).
 */
export const MODEL_VARIANTS = {
  hrm: { label: "HRM", paperModel: "hrm", overrides: [] as string[] },
  direct_pred: {
    label: "Direct pred (Transformer, one pass)",
    paperModel: "direct_pred",
    overrides: ["arch.name=transformer", "arch.halt_max_steps=1"],
  },
  direct_pred_act: {
    label: "Transformer + HRM's outer ACT loop",
    paperModel: null,
    overrides: ["arch.name=transformer", "arch.halt_max_steps=16"],
  },
  trm: {
    label: "TRM (Tiny Recursive Model)",
    paperModel: "trm_att",
    overrides: ["arch.name=trm"],
  },
} as const;
/** A model variant id. */
export type ModelVariant = keyof typeof MODEL_VARIANTS;

/** Builds the model list of a plan: shared overrides, then the variant's. */
export function modelSpecs(
  train: string[],
  variants: readonly ModelVariant[],
  extra: Partial<Record<ModelVariant, string[]>> = {},
): ModelSpec[] {
  return variants.map((id) => ({
    id,
    label: MODEL_VARIANTS[id].label,
    paperModel: MODEL_VARIANTS[id].paperModel,
    overrides: [...train, ...MODEL_VARIANTS[id].overrides, ...(extra[id] ?? [])],
  }));
}

/** TRM is compared, paired on the same rows, with HRM and with the one-pass baseline. */
export const TRM_COMPARE_WITH = ["hrm", "direct_pred"];

/**
 * The `trm` model of a plan: its own complete override list (TRM does not
 * share HRM's H/L settings), the TRM paper row it is compared with
 * (`trm_mlp` or `trm_att`), and the paired comparisons with HRM and the baseline.
 */
export function trmSpec(overrides: string[], paperModel: "trm_mlp" | "trm_att"): ModelSpec {
  const label = paperModel === "trm_mlp"
    ? "TRM-MLP (Tiny Recursive Model)"
    : "TRM-Att (Tiny Recursive Model)";
  return {
    id: "trm",
    label,
    paperModel,
    overrides: [
      ...overrides.filter((o) => !o.startsWith("arch.name=")),
      ...MODEL_VARIANTS.trm.overrides,
    ],
    compareWith: TRM_COMPARE_WITH,
  };
}

/** Benchmark names. */
export const LABELS: Record<TaskId, string> = {
  sudoku: "Sudoku-Extreme",
  maze: "Maze-Hard",
  arc1: "ARC-AGI-1",
  arc2: "ARC-AGI-2",
};
