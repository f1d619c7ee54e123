/**
 * The expected wall time of each paper task on one GPU, printed by
 * `deno task reproduce --profile paper` before it starts (docs/gpu.md).
 *
 * Work is counted in FLOPs from the resolved configuration and the official
 * data's sizes; time = FLOPs / throughput, with the throughput taken from
 * {@link THROUGHPUT}. With D = hidden_size, F = the SwiGLU inner size and
 * T = positions (seq_len + puzzle positions), one block on one position costs
 * 2(4D² + 3DF + 2TD) FLOPs (q, k, v, o, the MLP, QKᵀ and AV). A training step
 * runs the segment twice forward (the official trainer's second forward gives
 * the Q-learning target) and the last H and L calls backward (twice their
 * forward): 2·H_cycles·(L_cycles·L_layers + H_layers) + 2·(H_layers + L_layers)
 * block calls per row (64 for the paper's model; the heads are under 1% and
 * not counted). An evaluation runs every test row for halt_max_steps segments
 * forward, after each eval_interval epochs. Steps = epochs · (train groups ·
 * mean examples per puzzle) / global_batch_size, as the official trainer.
 * @module
 */
import { swigluInner } from "../model/mod.ts";
import { WEBGPU_TENSOR_LIMIT } from "../train/mod.ts";
import type { PaperFixtures } from "./paper.ts";
import { loadPaperFixtures, resolveOverrides } from "./paper.ts";
import { getProfile } from "./profiles.ts";
import type { Profile } from "./plan.ts";
import type { TaskId } from "./report/schema.ts";

/** The official data's sizes (what the step and evaluation counts need). */
export interface TaskSize {
  seqLen: number;
  /** train groups x mean examples per puzzle: the examples one epoch counts. */
  trainEpochExamples: number;
  /** Rows of the test split (every row is evaluated). */
  testRows: number;
  /** Where the numbers come from. */
  source: string;
}

/** Sizes of the official datasets. */
export const TASK_SIZES: Record<TaskId, TaskSize> = {
  sudoku: {
    seqLen: 81,
    trainEpochExamples: 1000,
    testRows: 423_000,
    source: "1000 groups of 1 example; the Sudoku-Extreme test set, about 423k puzzles",
  },
  maze: {
    seqLen: 900,
    trainEpochExamples: 1000,
    testRows: 1000,
    source: "1000 groups of 1 example; 1000 test mazes",
  },
  arc1: {
    seqLen: 900,
    trainEpochExamples: 3988,
    testRows: 419 * 1001,
    source: "960 tasks with 3988 train pairs (ARC-AGI training + evaluation demonstrations + " +
      "ConceptARC); 419 test pairs x 1001 (1000 augmentations); counted on the public data",
  },
  arc2: {
    seqLen: 900,
    trainEpochExamples: 4667,
    testRows: 167 * 1001,
    source: "1120 tasks with 4667 train pairs; 167 test pairs x 1001; counted on the public data",
  },
};

/** A throughput the estimate may use. */
export interface Throughput {
  /** The device and software, e.g. `one H200, tfjs-webgpu float32`. */
  device: string;
  /** Sustained model FLOP/s, low and high end. */
  flops: [number, number];
  /** `estimate` until a GPU run measured it. */
  kind: "estimate" | "measured";
  source: string;
}

/**
 * The throughput table. No GPU measurement exists yet: the one entry is the
 * estimate of the GPU notes (5-20 TFLOP/s for tfjs-webgpu's 32x32-tile
 * float32 kernels on an H100/H200), to be replaced by the device check's
 * docs/bench/<date>-webgpu-<gpu>.json.
 */
export const THROUGHPUT: Throughput[] = [{
  device: "one H100/H200 through tfjs-webgpu, float32",
  flops: [5e12, 20e12],
  kind: "estimate",
  source: "estimate in the GPU notes (no GPU measurement yet; dev/device_webgpu.sh measures it)",
}];

/** FLOPs of one task's run: training and all its evaluations. */
export interface TaskWork {
  task: TaskId;
  steps: number;
  evaluations: number;
  trainFlops: number;
  evalFlops: number;
  stepFlops: number;
  /** Bytes of the largest tensor of a step, the attention scores [batch*heads, T, T]. */
  scoreBytes: number;
}

/** The work of `task` under the resolved flat configuration `config` (official key names). */
export function taskWork(task: TaskId, config: Record<string, unknown>): TaskWork {
  const n = (k: string) => {
    const v = Number(config[k]);
    if (!Number.isFinite(v)) throw new Error(`paper config: '${k}' is not a number`);
    return v;
  };
  const size = TASK_SIZES[task];
  const d = n("arch.hidden_size");
  const f = swigluInner({ expansion: n("arch.expansion"), hidden_size: d });
  const t = size.seqLen + Math.ceil(n("arch.puzzle_emb_ndim") / d);
  const perBlock = 2 * t * (4 * d * d + 3 * d * f + 2 * t * d);
  const hL = n("arch.H_layers");
  const lL = n("arch.L_layers");
  const segmentCalls = n("arch.H_cycles") * (n("arch.L_cycles") * lL + hL);
  const act = n("arch.halt_max_steps") > 1 ? 2 : 1;
  const trainCalls = act * segmentCalls + 2 * (hL + lL);
  const batch = n("global_batch_size");
  const epochs = n("epochs");
  const steps = Math.floor(epochs * size.trainEpochExamples / batch);
  const evaluations = Math.floor(epochs / n("eval_interval"));
  const stepFlops = batch * trainCalls * perBlock;
  return {
    task,
    steps,
    evaluations,
    stepFlops,
    scoreBytes: batch * n("arch.num_heads") * t * t * 4,
    trainFlops: steps * stepFlops,
    evalFlops: evaluations * size.testRows * n("arch.halt_max_steps") * segmentCalls * perBlock,
  };
}

/** Hours in a short form: `42 min`, `3.4 h`, `12 h`, `5.2 days`. */
export function formatHours(h: number): string {
  if (h < 1) return `${Math.round(h * 60)} min`;
  if (h < 10) return `${h.toFixed(1)} h`;
  if (h < 72) return `${Math.round(h)} h`;
  return `${(h / 24).toFixed(1)} days`;
}

/** The lines `--profile paper` prints before it starts, for the plans of `profile` in `tasks`. */
export function wallTimeLines(
  profile: Profile,
  paper: PaperFixtures,
  tasks?: readonly TaskId[],
  throughput: Throughput = THROUGHPUT[0],
): string[] {
  const [lo, hi] = throughput.flops;
  const lines = [
    `expected wall time per task on ${throughput.device} at ${lo / 1e12}-${hi / 1e12} TFLOP/s ` +
    `(${throughput.kind === "estimate" ? "an ESTIMATE, not a measurement: " : ""}` +
    `${throughput.source}); HRM only, not the Direct-pred baseline:`,
  ];
  for (const plan of profile.tasks) {
    if (tasks && !tasks.includes(plan.task)) continue;
    const w = taskWork(plan.task, resolveOverrides(paper.configs.defaults, plan.train));
    const hours = (flops: number, rate: number) => flops / rate / 3600;
    const span = (flops: number) =>
      `${formatHours(hours(flops, hi))}-${formatHours(hours(flops, lo))}`;
    lines.push(
      `  ${plan.task}: ${w.steps.toLocaleString("en-US")} steps x ${
        (w.stepFlops / 1e12).toFixed(1)
      } TFLOP = ${span(w.trainFlops)} training + ${w.evaluations} evaluations = ` +
        `${span(w.evalFlops)}; total ${span(w.trainFlops + w.evalFlops)}` +
        (w.scoreBytes > WEBGPU_TENSOR_LIMIT
          ? ` (one WebGPU device refuses to train this batch: a ${
            (w.scoreBytes / 2 ** 30).toFixed(1)
          } GiB tensor; docs/gpu.md)`
          : ""),
    );
  }
  return lines;
}

/** {@link wallTimeLines} of the paper profile, from the committed paper fixtures. */
export async function paperWallTime(tasks?: readonly TaskId[]): Promise<string[]> {
  const paper = await loadPaperFixtures();
  return wallTimeLines(getProfile("paper", paper), paper, tasks);
}
