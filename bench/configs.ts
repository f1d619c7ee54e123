/**
 * Named benchmark configurations: model config (the reference's field names),
 * batch size, and how many timed runs each gets by default.
 *
 * `sudoku-paper` and `maze-paper` are the paper's architectures (hidden 512,
 * 8 heads, 4+4 layers, 2x2 cycles, 16 segments, puzzle embedding 512); the
 * `cpu-*` ones are the HRM models the `cpu` reproduction profile trains
 * (reproduce/profile_small.ts: hidden 64, 2 heads, 1+1 layers, 2x2 cycles,
 * 4 segments, batch 16) at its sequence lengths (Sudoku 81, Maze 7x7 = 49).
 * `sudoku-trm-mlp` and `sudoku-trm-att` are TRM at the TRM README's Sudoku
 * size (hidden 512, 2 layers, T = 3, n = 6, 16 puzzle positions, EMA; MLP over
 * positions with no positional encoding, or attention with RoPE).
 * @module
 */
import type { ModelConfigInput, OptimConfigInput } from "../model/mod.ts";
import { CPU_MAZE_SIZE, CPU_SETTINGS } from "../reproduce/mod.ts";

/** One benchmark configuration. */
export interface BenchConfig {
  name: string;
  description: string;
  model: ModelConfigInput;
  /** Default batch size. */
  batch: number;
  /** Timed training steps (after one warm-up step). */
  trainRuns: number;
  /** Timed evaluation unrolls (after a warm-up unroll of one row per worker). */
  evalRuns: number;
  /** Backends too slow to be worth timing on this config, with the reason. */
  skip?: Partial<Record<"cpu" | "webgpu-fallback", string>>;
  /** Optimizer settings beyond the bench's (`BENCH_OPTIM`): TRM's EMA of the weights. */
  optim?: Partial<OptimConfigInput>;
}

const paperArch = {
  hidden_size: 512,
  num_heads: 8,
  expansion: 4,
  H_layers: 4,
  L_layers: 4,
  H_cycles: 2,
  L_cycles: 2,
  halt_max_steps: 16,
  halt_exploration_prob: 0.1,
  pos_encodings: "rope",
  puzzle_emb_ndim: 512,
  loss_type: "stablemax_cross_entropy",
} as const;

/** The cpu profile's HRM, taken from the profile itself so the two cannot drift. */
const cpuArch = {
  ...paperArch,
  hidden_size: CPU_SETTINGS.hidden,
  num_heads: CPU_SETTINGS.heads,
  H_layers: CPU_SETTINGS.layers,
  L_layers: CPU_SETTINGS.layers,
  H_cycles: CPU_SETTINGS.hCycles,
  L_cycles: CPU_SETTINGS.lCycles,
  halt_max_steps: CPU_SETTINGS.haltMaxSteps,
  puzzle_emb_ndim: CPU_SETTINGS.hidden,
};

/** TRM at the TRM README's Sudoku settings (`config/arch/trm.yaml` + the README's command). */
const trmSudokuArch = {
  arch: "trm",
  hidden_size: 512,
  num_heads: 8,
  expansion: 4,
  H_layers: 0,
  L_layers: 2,
  H_cycles: 3,
  L_cycles: 6,
  halt_max_steps: 16,
  halt_exploration_prob: 0.1,
  puzzle_emb_ndim: 512,
  puzzle_emb_len: 16,
  no_ACT_continue: true,
  loss_type: "stablemax_cross_entropy",
} as const;

/** TRM's EMA of the weights, on in every TRM README run. */
const TRM_OPTIM = { ema: true, ema_rate: 0.999 };

const TOO_SLOW_CPU = "tfjs' cpu backend runs ~1 GFLOP/s: minutes per step at this size";
const TOO_SLOW_SOFT_GPU = "WebGPU on a software adapter (llvmpipe) runs ~5 GFLOP/s";

/**
 * A default configuration: one of the architectures above at a task's sequence
 * length and vocabulary (one puzzle identifier, as the 1k datasets have), with
 * the model's batch equal to the benchmark's and the slow backends skipped.
 */
function sized(
  name: string,
  description: string,
  arch: Omit<ModelConfigInput, "batch_size" | "seq_len" | "vocab_size" | "num_puzzle_identifiers">,
  data: { seq_len: number; vocab_size: number },
  batch: number,
  runs: { trainRuns: number; evalRuns: number },
  optim?: Partial<OptimConfigInput>,
): BenchConfig {
  return {
    name,
    description,
    model: { ...arch, ...data, num_puzzle_identifiers: 1, batch_size: batch },
    batch,
    ...runs,
    skip: { cpu: TOO_SLOW_CPU, "webgpu-fallback": TOO_SLOW_SOFT_GPU },
    ...(optim ? { optim } : {}),
  };
}

const SUDOKU = { seq_len: 81, vocab_size: 11 };

/** Every named configuration, by name. */
export const BENCH_CONFIGS: Record<string, BenchConfig> = {
  "sudoku-paper": sized(
    "sudoku-paper",
    "paper Sudoku architecture (27.3M parameters), seq 81, batch 8",
    paperArch,
    SUDOKU,
    8,
    { trainRuns: 3, evalRuns: 1 },
  ),
  "maze-paper": sized(
    "maze-paper",
    "paper Maze architecture, seq 900 (30x30), batch 1",
    paperArch,
    { seq_len: 900, vocab_size: 6 },
    1,
    { trainRuns: 2, evalRuns: 1 },
  ),
  "sudoku-trm-mlp": sized(
    "sudoku-trm-mlp",
    "TRM-MLP at the TRM README's Sudoku size (5.03M parameters), seq 81, batch 8",
    { ...trmSudokuArch, mlp_t: true, pos_encodings: "none" },
    SUDOKU,
    8,
    { trainRuns: 3, evalRuns: 1 },
    TRM_OPTIM,
  ),
  "sudoku-trm-att": sized(
    "sudoku-trm-att",
    "TRM-Att at the TRM README's Sudoku size (6.83M parameters, RoPE), seq 81, batch 8",
    { ...trmSudokuArch, pos_encodings: "rope" },
    SUDOKU,
    8,
    { trainRuns: 3, evalRuns: 1 },
    TRM_OPTIM,
  ),
  "cpu-sudoku": sized(
    "cpu-sudoku",
    "cpu profile's Sudoku HRM (seq 81)",
    cpuArch,
    SUDOKU,
    CPU_SETTINGS.batch,
    { trainRuns: 20, evalRuns: 5 },
  ),
  "cpu-maze": sized(
    "cpu-maze",
    `cpu profile's Maze HRM (${CPU_MAZE_SIZE}x${CPU_MAZE_SIZE}, seq ${CPU_MAZE_SIZE ** 2})`,
    cpuArch,
    { seq_len: CPU_MAZE_SIZE ** 2, vocab_size: 6 },
    CPU_SETTINGS.batch,
    { trainRuns: 20, evalRuns: 5 },
  ),
  "tiny": {
    name: "tiny",
    description: "a tiny model for smoke tests of the harness (not part of the default run)",
    model: {
      ...cpuArch,
      hidden_size: 32,
      num_heads: 2,
      H_layers: 1,
      L_layers: 1,
      halt_max_steps: 2,
      puzzle_emb_ndim: 32,
      seq_len: 9,
      vocab_size: 5,
      num_puzzle_identifiers: 2,
      batch_size: 4,
    },
    batch: 4,
    trainRuns: 2,
    evalRuns: 1,
  },
};

/**
 * The configurations `deno task bench` runs without `--only` or `--configs`:
 * the 10-minute run. `maze-paper` is left to `--configs all` (or `--only`):
 * at batch 1 one training step and one 16-segment unroll take about 13-20 s
 * and 70-86 s here, as much again for the PyTorch peer, in each of 2 rounds.
 * Of TRM, the default run times TRM-MLP (the TRM paper's Sudoku model); TRM-Att
 * is left to `--configs all`: at batch 2 one 16-segment TRM-MLP unroll took
 * 40-48 s here under load (docs/journal/2026-12-05-trm-cpu-profile.md).
 */
export const DEFAULT_CONFIGS = ["sudoku-paper", "sudoku-trm-mlp", "cpu-sudoku", "cpu-maze"];

/** What `--configs all` runs: every configuration except the harness' own `tiny`. */
export const ALL_CONFIGS = Object.keys(BENCH_CONFIGS).filter((name) => name !== "tiny");

/** Looks a configuration up; one-line error listing the names otherwise. */
export function getBenchConfig(name: string): BenchConfig {
  const c = BENCH_CONFIGS[name];
  if (!c) {
    throw new Error(
      `unknown bench config '${name}', expected one of: ${Object.keys(BENCH_CONFIGS).join(", ")}`,
    );
  }
  return c;
}
