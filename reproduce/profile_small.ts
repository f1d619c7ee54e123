/**
 * The scaled-down profiles. `cpu` is a replication sized for 2 CPU cores
 * (about 2 hours with TRM, whose update costs 3 times HRM's there); `smoke` exercises the whole pipeline on tiny
 * data (under 3 minutes) so that CI sees any change of behaviour.
 *
 * Every difference in the data is stated here by hand; differences in the
 * trainer configuration are computed against the paper's (see
 * {@link configDifferences}), so the reports cannot omit one.
 * @module
 */
import { type FlatConfig, parseConfigValue } from "./paper.ts";
import {
  DEFAULT_ARC_SOURCE,
  LABELS,
  modelSpecs,
  type Profile,
  type ProfileOptions,
  type TaskPlan,
  trmSpec,
} from "./plan.ts";
import type { Difference, TaskId } from "./report/schema.ts";

/** Model size and trainer settings of a small plan. */
export interface SmallSettings {
  hidden: number;
  heads: number;
  layers: number;
  hCycles: number;
  lCycles: number;
  haltMaxSteps: number;
  batch: number;
  epochs: number;
  evalInterval: number;
  lr: number;
  warmup: number;
  /** Weight decay (and puzzle-embedding weight decay). */
  wd: number;
  embLr: number;
}

function trainOverrides(dataDir: string, s: SmallSettings): string[] {
  return [
    `data_path=${dataDir}`,
    `epochs=${s.epochs}`,
    `eval_interval=${s.evalInterval}`,
    `global_batch_size=${s.batch}`,
    `lr=${s.lr}`,
    `puzzle_emb_lr=${s.embLr}`,
    `weight_decay=${s.wd}`,
    `puzzle_emb_weight_decay=${s.wd}`,
    `lr_warmup_steps=${s.warmup}`,
    `arch.hidden_size=${s.hidden}`,
    `arch.num_heads=${s.heads}`,
    `arch.H_layers=${s.layers}`,
    `arch.L_layers=${s.layers}`,
    `arch.H_cycles=${s.hCycles}`,
    `arch.L_cycles=${s.lCycles}`,
    `arch.halt_max_steps=${s.haltMaxSteps}`,
    `arch.puzzle_emb_ndim=${s.hidden}`,
  ];
}

/**
 * TRM's size and recursion in a small plan. Its trainer settings (data,
 * epochs, batch, learning rates, ACT segments, width) are HRM's in the same
 * plan: the same budget of updates on the same data.
 */
export interface TrmSettings {
  /** `arch.L_layers` of TRM's one network (the paper: 2). */
  layers: number;
  /** `arch.H_cycles` = T, full recursions per segment (the paper: 3). */
  T: number;
  /** `arch.L_cycles` = n, latent updates per recursion (the paper: 6 on Sudoku, 4 otherwise). */
  n: number;
  /** `arch.puzzle_emb_len` (TRM's default 16). */
  puzzleEmbLen: number;
  /** TRM-MLP (`arch.mlp_t`, no positional encoding) instead of TRM-Att. */
  mlp: boolean;
  /** The README run of `fixtures/paper/trm_configs.json` this plan scales down. */
  run: string;
}

/** TRM's complete override list in a small plan: HRM's trainer settings, TRM's own shape. */
export function trmOverrides(dataDir: string, s: SmallSettings, t: TrmSettings): string[] {
  const shape = /^arch\.(H_layers|L_layers|H_cycles|L_cycles)=/;
  return [
    ...trainOverrides(dataDir, s).filter((o) => !shape.test(o)),
    `arch.L_layers=${t.layers}`,
    `arch.H_cycles=${t.T}`,
    `arch.L_cycles=${t.n}`,
    `arch.puzzle_emb_len=${t.puzzleEmbLen}`,
    ...(t.mlp ? ["arch.mlp_t=True", "arch.pos_encodings=none"] : []),
    "ema=True",
  ];
}

/** Segment counts 1, 2, 4, ... up to and including `max`. */
function segmentsUpTo(max: number): number[] {
  const out: number[] = [];
  for (let s = 1; s < max; s *= 2) out.push(s);
  out.push(max);
  return out;
}

function smallPlan(
  profile: "smoke" | "cpu",
  task: TaskId,
  taskModule: TaskPlan["taskModule"],
  build: string[],
  data: Difference[],
  s: SmallSettings,
  trm: TrmSettings,
  extra: Partial<TaskPlan> = {},
): TaskPlan {
  const dataDir = `data/${profile}/${task}`;
  const train = trainOverrides(dataDir, s);
  return {
    task,
    label: `${LABELS[task]} (${profile} profile, scaled down)`,
    taskModule,
    dataDir,
    build: [...build, "--out", dataDir],
    train,
    // The baseline gets as many blocks as HRM's two modules together (the paper: 8 = 4 + 4).
    models: [
      ...modelSpecs(train, ["hrm", "direct_pred"], {
        direct_pred: [`arch.transformer_layers=${2 * s.layers}`],
      }),
      trmSpec(trmOverrides(dataDir, s, trm), trm.mlp ? "trm_mlp" : "trm_att"),
    ],
    evalSegments: segmentsUpTo(s.haltMaxSteps),
    examples: 4,
    differences: [
      ...data,
      {
        setting: "Direct pred blocks (arch.transformer_layers)",
        paper: "8 (as many as HRM's 4 + 4)",
        ours: `${2 * s.layers} (as many as HRM's ${s.layers} + ${s.layers})`,
      },
    ],
    paperRun: task,
    trmRun: trm.run,
    ...extra,
  };
}

/** Splits a command line written as one string (no quoting needed here). */
const argv = (line: string): string[] => line.split(/\s+/).filter(Boolean);

/**
 * The `cpu` profile's HRM settings for Sudoku and Maze (ARC shrinks them
 * further). Chosen by the measured runs in docs/reproduce.md: small batches
 * buy many updates per minute on wasm, and on these sizes HRM leaves the
 * trivial baselines within a few thousand of them.
 */
export const CPU_SETTINGS: SmallSettings = {
  hidden: 64,
  heads: 2,
  layers: 1,
  hCycles: 2,
  lCycles: 2,
  haltMaxSteps: 4,
  batch: 16,
  epochs: 80,
  evalInterval: 20,
  lr: 1e-3,
  warmup: 100,
  wd: 0.1,
  embLr: 1e-3,
};

/**
 * The `cpu` profile's TRM: two layers (the paper's count) recursing T = 2
 * times over n = 2 latent updates, at HRM's width, with EMA. About 2.4 times
 * HRM's work per update here (12 layer applications per segment, 6 of them
 * back-propagated, against HRM's 6 and 2).
 */
export const CPU_TRM: Omit<TrmSettings, "mlp" | "run"> = {
  layers: 2,
  T: 2,
  n: 2,
  puzzleEmbLen: 16,
};

/** The cpu profile's data: Sudoku puzzles with this many blanks, mazes of this side. */
export const CPU_SUDOKU_BLANKS = 10;
export const CPU_MAZE_SIZE = 7;

/**
 * The `cpu` profile: a scaled-down replication for 2 cores within about 2 hours
 * (`reproduce --jobs 2` trains two models at once). Easy Sudoku (10 blanks)
 * and 7x7 mazes, HRM of hidden 64 against a 2-block Direct-pred Transformer
 * and TRM ({@link CPU_TRM}), all on the same data, settings and steps (5,000
 * updates of batch 16 on Sudoku, 10,000 on Maze); ARC is a pipeline check only.
 * HRM and the baseline took 23-26 minutes on this project's 2-core machine
 * (docs/reproduce.md, "Measured"); TRM's updates cost about 3 times HRM's
 * (docs/journal/2026-12-05-trm-cpu-profile.md).
 */
export function cpuProfile(opts: ProfileOptions = {}): Profile {
  const arcSource = opts.arcSource ?? DEFAULT_ARC_SOURCE;
  const base = CPU_SETTINGS;
  // Sudoku: 1000 groups x 80 epochs / 16 = 5,000 steps. Mazes: 1000 groups (of 8 dihedral
  // views each; an epoch samples one per group) x 160 epochs / 16 = 10,000 steps.
  const maze: SmallSettings = { ...base, epochs: 160, evalInterval: 40 };
  const arc: SmallSettings = {
    ...base,
    hidden: 32,
    epochs: 1,
    evalInterval: 1,
    haltMaxSteps: 2,
    batch: 8,
    warmup: 20,
  };
  const arcData = (paper: string) => [
    {
      setting: "tasks",
      paper,
      ours: "the first 2 task files of the first 2 folders of each collection, by name",
    },
    { setting: "augmentations", paper: "1000 per task", ours: "1 per task" },
    {
      setting: "purpose",
      paper: "measure ARC accuracy",
      ours: "pipeline check only (far too little compute to learn ARC)",
    },
  ];
  const arcBuild = (preset: string) =>
    argv(
      `--source ${arcSource} --preset ${preset} --aug 1 --seed 42 --no-progress --write-reference-layout`,
    );
  return {
    name: "cpu",
    description:
      "Scaled-down replication for 2 CPU cores (about 2 hours with TRM); not the paper's setting",
    budgetMinutes: 120,
    tasks: [
      smallPlan(
        "cpu",
        "sudoku",
        "sudoku",
        argv(
          `--train 1000 --test 200 --aug 4 --hard-share 0 --blanks ${CPU_SUDOKU_BLANKS} --seed 0 --write-reference-layout`,
        ),
        [
          {
            setting: "puzzles",
            paper:
              "1000 Sudoku-Extreme puzzles (17-30 givens, mean tdoku rating about 22) x 1001 (1000 shuffles); 423k test",
            ours:
              `1000 generated easy puzzles (exactly ${CPU_SUDOKU_BLANKS} blanks, no guessing needed) x 5 (4 shuffles); 200 test`,
          },
        ],
        base,
        { ...CPU_TRM, mlp: true, run: "sudoku" },
      ),
      smallPlan(
        "cpu",
        "maze",
        "maze",
        argv(`--size ${CPU_MAZE_SIZE} --min-path 4 --train 1000 --test 200 --aug --seed 0 --quiet`),
        [
          {
            setting: "maze size",
            paper: "30x30, shortest path > 110",
            ours: `${CPU_MAZE_SIZE}x${CPU_MAZE_SIZE}, shortest path > 4`,
          },
          {
            setting: "mazes",
            paper: "1000 train / 1000 test",
            ours: "1000 train (each with its 8 dihedral views) / 200 test",
          },
        ],
        maze,
        { ...CPU_TRM, mlp: false, run: "maze" },
      ),
      smallPlan(
        "cpu",
        "arc1",
        "arc",
        arcBuild("arc1"),
        arcData("960 (ARC-AGI-1 + ConceptARC)"),
        arc,
        { ...CPU_TRM, layers: 1, mlp: false, run: "arc1" },
        { sourceSubset: 2 },
      ),
      smallPlan(
        "cpu",
        "arc2",
        "arc",
        arcBuild("arc2"),
        arcData("1120 (ARC-AGI-2)"),
        arc,
        { ...CPU_TRM, layers: 1, mlp: false, run: "arc2" },
        { sourceSubset: 2 },
      ),
    ],
  };
}

/** The ARC tasks written for this project's tests (not public ARC tasks). */
export const ARC_FIXTURE_SOURCE = "fixtures/arc";

/** The `smoke` profile: every stage on tiny data, for CI's golden report. */
export function smokeProfile(): Profile {
  const tiny: SmallSettings = {
    hidden: 32,
    heads: 2,
    layers: 1,
    hCycles: 1,
    lCycles: 2,
    haltMaxSteps: 2,
    batch: 8,
    epochs: 4,
    evalInterval: 2,
    lr: 1e-3,
    warmup: 2,
    wd: 0.1,
    embLr: 1e-3,
  };
  // One layer, T = 2, n = 2: the smallest TRM that still has a no-grad recursion.
  const trm = { layers: 1, T: 2, n: 2, puzzleEmbLen: 16 };
  return {
    name: "smoke",
    description: "The whole pipeline on tiny data in under 3 minutes (CI); numbers are meaningless",
    budgetMinutes: 3,
    tasks: [
      smallPlan(
        "smoke",
        "sudoku",
        "sudoku",
        argv(
          "--train 16 --test 8 --aug 1 --hard-share 0 --seed 0 --workers 0 --write-reference-layout",
        ),
        [
          {
            setting: "puzzles",
            paper: "1000 x 1001, Sudoku-Extreme",
            ours: "16 x 2 generated minimal puzzles; 8 test",
          },
        ],
        tiny,
        { ...trm, mlp: true, run: "sudoku" },
      ),
      smallPlan(
        "smoke",
        "maze",
        "maze",
        argv("--size 7 --min-path 4 --train 16 --test 8 --seed 0 --workers 1 --quiet"),
        [
          {
            setting: "maze size",
            paper: "30x30, shortest path > 110",
            ours: "7x7, shortest path > 4",
          },
          { setting: "mazes", paper: "1000 train / 1000 test", ours: "16 train / 8 test" },
        ],
        tiny,
        { ...trm, mlp: false, run: "maze" },
      ),
      smallPlan(
        "smoke",
        "arc1",
        "arc",
        argv(
          `--source ${ARC_FIXTURE_SOURCE} --preset arc1 --aug 1 --seed 42 --no-progress --write-reference-layout`,
        ),
        [
          {
            setting: "tasks",
            paper: "960 public ARC tasks",
            ours: "7 small tasks written for the tests (fixtures/arc)",
          },
          { setting: "augmentations", paper: "1000 per task", ours: "1 per task" },
        ],
        { ...tiny, epochs: 1, evalInterval: 1, batch: 4 },
        { ...trm, mlp: false, run: "arc1" },
      ),
    ],
  };
}

/** Formats a config value for a differences table. */
function show(v: FlatConfig[string] | undefined): string {
  return v === undefined ? "(not set)" : String(v);
}

/**
 * The trainer settings of `overrides` that differ from the paper run's
 * resolved configuration (`data_path` excluded: it always differs).
 */
export function configDifferences(paperConfig: FlatConfig, overrides: string[]): Difference[] {
  const out: Difference[] = [];
  for (const o of overrides) {
    const eq = o.indexOf("=");
    const key = o.slice(0, eq);
    if (key === "data_path") continue;
    const ours = parseConfigValue(o.slice(eq + 1));
    if (paperConfig[key] !== ours) {
      out.push({ setting: key, paper: show(paperConfig[key]), ours: show(ours) });
    }
  }
  return out;
}
