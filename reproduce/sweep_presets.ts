/**
 * Sweep presets for the HRM paper's, ARC Prize's and the TRM paper's ablations (`deno task sweep
 * --preset NAME`). Each says whether it is sized for 2 CPU cores (`cpu`: the
 * `cpu` profile's scaled-down models and data) or for a GPU (`gpu`: the paper
 * profile's configuration with the swept keys changed), and which published
 * figure it addresses. The cpu-scale presets show the shape of an effect at
 * toy scale; they are not the paper's experiment.
 * @module
 */
import type { ProfileName } from "./plan.ts";
import type { TaskId } from "./report/schema.ts";
import type { GridAxis } from "./sweep_grid.ts";

/** A sweep preset. */
export interface SweepPreset {
  description: string;
  /** `cpu`: sized for 2 cores; `gpu`: paper scale, for a GPU. */
  scale: "cpu" | "gpu";
  profile: ProfileName;
  task: TaskId;
  grid: GridAxis[];
  /** Models of the plan trained at each point. */
  models: string[];
  /** Suggested seeds (`--seeds` overrides). */
  seeds: number;
  /** The published figure or analysis it addresses. */
  source: string;
  /** What to keep in mind when reading it. */
  caveat?: string;
}

/**
 * How our Transformer-with-outer-loop baseline (`arch.name=transformer`, 8
 * post-norm blocks, `z = M(z, x)` once per segment, `halt_max_steps` 16) differs
 * from the ARC Prize analysis fork's (`models/hrm/hrm_act_v2.py` with
 * `config/arch/hrm_v2_params_matched.yaml`, `config/cfg_pretrain.yaml`; read in
 * a public copy of arcprize/hierarchical-reasoning-model-analysis). Not
 * matched: 12 heads on a 512 width needs attention narrower than the model
 * (our model requires hidden_size divisible by num_heads), and a Q target on
 * every 4th step needs the training step in the ACT segment (a trainer change).
 */
export const ARC_PRIZE_BASELINE_DIFFERENCES =
  "Not matched to the ARC Prize fork's Transformer (hrm_v2_params_matched): (1) it has 12 " +
  "heads of 512 // 12 = 42 dims, attention 504 wide (qkv 512->1512, o_proj 504->512), 131,072 " +
  "fewer parameters over its 8 blocks; ours has 8 heads of 64 (HRM's), because our model needs " +
  "hidden_size divisible by num_heads; (2) its config sets target_q_update_every 4: the Q-continue " +
  "target and loss are computed only on every 4th training step (the other steps train LM + " +
  "Q-halt only), for its HRM runs as well; ours computes them on every step, as sapientinc/HRM " +
  "does, for both models. Same: 8 post-norm blocks of width 512, input added once per segment, " +
  "full gradient within a segment, halt_max_steps 16, exploration 0.1.";

const axis = (key: string, values: (number | string)[]): GridAxis => ({
  key,
  values: values.map(String),
});

/** The presets by name. */
export const SWEEP_PRESETS: Record<string, SweepPreset> = {
  "fig2-transformer-depth-cpu": {
    description: "Direct-pred Transformer depth 2/4/8 blocks on the cpu profile's Sudoku",
    scale: "cpu",
    profile: "cpu",
    task: "sudoku",
    grid: [axis("arch.transformer_layers", [2, 4, 8])],
    models: ["direct_pred"],
    seeds: 1,
    source: "paper, Figure 2 (accuracy vs Transformer depth; HRM's computed depth)",
    caveat:
      "easy generated Sudoku (10 blanks), hidden 64: the shape of the curve, not its values; " +
      "about 30-60 min on 2 cores, estimated from run cpu4's per-model times (not yet timed)",
  },
  "fig2-hrm-depth-cpu": {
    description: "HRM's computed depth: H_cycles 1/2/4 on the cpu profile's Sudoku",
    scale: "cpu",
    profile: "cpu",
    task: "sudoku",
    grid: [axis("arch.H_cycles", [1, 2, 4])],
    models: ["hrm"],
    seeds: 1,
    source: "paper, Figure 2 (HRM's computed depth against the Transformer's)",
    caveat: "pair with fig2-transformer-depth-cpu; about an hour on 2 cores (estimated, not timed)",
  },
  "fig2-transformer-depth": {
    description: "Direct-pred Transformer depth 8/16/32 blocks at the paper's width",
    scale: "gpu",
    profile: "paper",
    task: "sudoku",
    grid: [axis("arch.transformer_layers", [8, 16, 32])],
    models: ["direct_pred"],
    seeds: 3,
    source: "paper, Figure 2",
    caveat: "the paper's figure used Sudoku-Extreme-Full; this runs the Sudoku-Extreme-1k task " +
      "of the paper profile; the figure's exact grid is not tabulated",
  },
  "fig2-transformer-width": {
    description: "Direct-pred Transformer width 256/512/1024 at 8 blocks",
    scale: "gpu",
    profile: "paper",
    task: "sudoku",
    grid: [axis("arch.hidden_size", [256, 512, 1024])],
    models: ["direct_pred"],
    seeds: 3,
    source: "paper, Figure 2 (width scaling)",
    caveat: "the puzzle embedding stays 512 wide (it takes ceil(512 / width) positions, as in " +
      "the official code); the figure's exact grid is not tabulated",
  },
  "fig2-hrm-depth": {
    description: "HRM's computed depth: H_cycles 1/2/4 x L_cycles 1/2/4 at paper scale",
    scale: "gpu",
    profile: "paper",
    task: "sudoku",
    grid: [axis("arch.H_cycles", [1, 2, 4]), axis("arch.L_cycles", [1, 2, 4])],
    models: ["hrm"],
    seeds: 3,
    source: "paper, Figure 2 (HRM against the Transformer's depth)",
  },
  "fig5-mmax-act": {
    description: "Training M_max (halt_max_steps) 2/4/8 with ACT, paper-scale Sudoku",
    scale: "gpu",
    profile: "paper",
    task: "sudoku",
    grid: [axis("arch.halt_max_steps", [2, 4, 8])],
    models: ["hrm"],
    seeds: 3,
    source: "paper, Figure 5 (a, b): ACT with M_max 2/4/8",
    caveat: "only the ACT half of Figure 5a/b: the fixed-M comparison (every segment run, no " +
      "Q-learned halting) needs a trainer switch the model does not have yet",
  },
  "fig5-mmax-act-cpu": {
    description: "Training M_max 2/4/8 with ACT on the cpu profile's Maze",
    scale: "cpu",
    profile: "cpu",
    task: "maze",
    grid: [axis("arch.halt_max_steps", [2, 4, 8])],
    models: ["hrm"],
    seeds: 1,
    source: "paper, Figure 5 (a, b), ACT half only",
    caveat: "7x7 mazes, hidden 64: hours on 2 cores (HRM Maze took about 18 min at M_max 4)",
  },
  "arcprize-outer-loop": {
    description: "ARC Prize: outer-loop (ACT segment) count 1/2/4/8/16 for HRM on ARC-AGI-1",
    scale: "gpu",
    profile: "paper",
    task: "arc1",
    grid: [axis("arch.halt_max_steps", [1, 2, 4, 8, 16])],
    models: ["hrm"],
    seeds: 1,
    source: "ARC Prize, 'The Hidden Drivers of HRM's Performance on ARC-AGI' (2025)",
    caveat: "days per point on one GPU; the user's ARC checkouts are needed",
  },
  "arcprize-hl-vs-flat": {
    description: "ARC Prize: HRM (H/L) against a same-size flat Transformer with the outer loop",
    scale: "gpu",
    profile: "paper",
    task: "arc1",
    grid: [axis("arch.halt_max_steps", [16])],
    models: ["hrm", "direct_pred"],
    seeds: 1,
    source: "ARC Prize ablation: Transformer with HRM's outer loop 35.7% vs HRM 39.0% pass@2",
    caveat: "the grid gives the Transformer the outer loop (halt_max_steps 16, as " +
      "`--act-baseline`); the paired comparison per point is HRM against it. " +
      ARC_PRIZE_BASELINE_DIFFERENCES,
  },
  "trm-ema-cpu": {
    description: "TRM with and without EMA of the weights on the cpu profile's Sudoku",
    scale: "cpu",
    profile: "cpu",
    task: "sudoku",
    grid: [axis("ema", ["True", "False"])],
    models: ["trm"],
    seeds: 3,
    source: "TRM paper (arXiv 2510.04871), Table 1: 'no EMA' 79.9% against 87.4%",
    caveat: "easy generated Sudoku, hidden 64, 5,000 updates: EMA 0.999 averages over about " +
      "1,000 of them; the shape of the effect, not its size (not yet timed)",
  },
  "trm-recursion-cpu": {
    description: "TRM's latent updates per recursion n = L_cycles 1/2/4 (T = 2) on the cpu " +
      "profile's Sudoku, beside HRM",
    scale: "cpu",
    profile: "cpu",
    task: "sudoku",
    grid: [axis("arch.L_cycles", [1, 2, 4])],
    models: ["hrm", "trm"],
    seeds: 1,
    source: "TRM paper, Table 3 (HRM and TRM at matched effective depth) and Table 1 " +
      "('w/ T = 2, n = 2' 73.7%)",
    caveat: "L_cycles is HRM's n too: each point trains both at that n; TRM's work per " +
      "update grows with n + 1 (hours on 2 cores, estimated, not timed)",
  },
  "trm-ema": {
    description: "TRM-MLP with and without EMA at the TRM README's Sudoku settings",
    scale: "gpu",
    profile: "paper",
    task: "sudoku",
    grid: [axis("ema", ["True", "False"])],
    models: ["trm"],
    seeds: 3,
    source: "TRM paper, Table 1: 'no EMA' 79.9% against 87.4%",
    caveat: "50,000 epochs per point (the README: < 20 hours on one L40S each)",
  },
  "trm-recursion": {
    description: "TRM-MLP: T = H_cycles 2/3 x n = L_cycles 2/6 at the README's Sudoku settings",
    scale: "gpu",
    profile: "paper",
    task: "sudoku",
    grid: [axis("arch.H_cycles", [2, 3]), axis("arch.L_cycles", [2, 6])],
    models: ["trm"],
    seeds: 1,
    source: "TRM paper, Table 1 ('w/ T = 2, n = 2' 73.7%, T = 3, n = 6 87.4%) and Table 3",
  },
};

/** Looks a preset up; throws one line listing the names. */
export function getPreset(name: string): SweepPreset {
  const p = SWEEP_PRESETS[name];
  if (!p) {
    throw new Error(`--preset ${name}: unknown (one of ${Object.keys(SWEEP_PRESETS).join(", ")})`);
  }
  return p;
}
