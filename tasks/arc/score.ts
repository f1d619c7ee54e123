/**
 * ARC scoring as the reference notebook (`arc_eval.ipynb`) does it: map every
 * augmented prediction back (crop at the end markers, inverse dihedral
 * transform, inverse colour map), vote per test input, rank answers by votes
 * then by mean sigmoid(q_halt) (then by first appearance: Python's stable
 * sort), and count a test input solved at k when its true output is among the
 * top k. Two task-level rules: the notebook's, which gives the paper's numbers
 * (a task counts only when every one of its test inputs is solved:
 * `pass@k_all_tests`), and per-test fractional credit beside it (a task scores
 * the fraction of its test inputs solved: `pass@k_fraction`). They differ only
 * on tasks with several test inputs.
 * @module
 */
import { type PuzzleSplit, readReferenceSplit, type SplitName } from "../dataset.ts";
import { parseAugmentName } from "./augment.ts";
import { isCompactDir, openCompactSplit } from "./compact.ts";
import {
  CANVAS,
  COLOR0,
  cropCanvas,
  type Grid,
  gridKey,
  inverseTransformGrid,
  SEQ_LEN,
} from "./encode.ts";
import type { EvalOutputs } from "../../io/mod.ts";
import type { Pair } from "./source.ts";

/** The k of pass@k reported by default (the paper's headline is pass@2). */
export const DEFAULT_KS = [1, 2, 10, 100, 1000];

/** One evaluation task: its demonstrations (for display) and test pairs (the truth). */
export interface TruthTask {
  name: string;
  demos: Pair[];
  tests: Pair[];
}

/** A voted answer. */
export interface Answer {
  grid: Grid;
  votes: number;
  meanSigmoidQ: number;
}

/** Result for one test input. */
export interface TestResult {
  input: Grid;
  truth: Grid;
  /** All answers, best first. */
  answers: Answer[];
  /** 0-based rank of the true output among the answers; null when never predicted. */
  truthRank: number | null;
}

/** Result for one task. */
export interface TaskResult {
  name: string;
  tests: TestResult[];
  /** Fraction of test inputs solved within the top k, per k (1 = all of them). */
  passAt: Record<number, number>;
}

/** The whole score. */
export interface ArcScore {
  ks: number[];
  tasks: TaskResult[];
  /**
   * Fraction of tasks with every test input solved within the top k, per k:
   * the reference notebook's rule, which gives the paper's numbers.
   */
  overallAllTests: Record<number, number>;
  /** Mean over tasks of the fraction of test inputs solved (per-test fractional credit), per k. */
  overallFraction: Record<number, number>;
  rowsUsed: number;
  rowsPadding: number;
  /**
   * Set when the outputs are of a sampled evaluation (`--eval-sample`, their
   * `sample` metadata): only the sampled tasks (those with rows) were scored.
   */
  sample?: ArcSample;
}

/** A sampled evaluation as its outputs' metadata records it (train/eval_sample.ts). */
export interface ArcSample {
  /** Tasks (test groups) drawn. */
  size: number;
  /** Tasks in the test split. */
  population: number;
  seed: number;
}

/**
 * The `sample` metadata of saved outputs (JSON written by the evaluation), or
 * undefined when the whole test split was evaluated; throws one line when it
 * is present but not a sample record.
 */
export function parseSampleMetadata(metadata: Record<string, string>): ArcSample | undefined {
  const text = metadata.sample;
  if (text === undefined) return undefined;
  let v: Record<string, unknown> | undefined;
  try {
    v = JSON.parse(text);
  } catch { /* reported below */ }
  const int = (x: unknown) => typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
  if (!v || !int(v.size) || !int(v.population) || !int(v.seed)) {
    throw new Error(
      `outputs metadata 'sample': expected JSON {size, population, seed}, got '${text}'`,
    );
  }
  return { size: v.size as number, population: v.population as number, seed: v.seed as number };
}

/** Crops a canvas whose grid may be translated: its top-left colour token is the grid's origin. */
export function cropTranslated(tokens: ArrayLike<number>, offset = 0): Grid {
  let r0 = CANVAS, c0 = CANVAS;
  for (let r = 0; r < CANVAS; r++) {
    for (let c = 0; c < CANVAS; c++) {
      if (tokens[offset + r * CANVAS + c] >= COLOR0) {
        if (r < r0) r0 = r;
        if (c < c0) c0 = c;
      }
    }
  }
  if (r0 === CANVAS) return { rows: 0, cols: 0, cells: new Uint8Array(0) };
  const shifted = new Int32Array(SEQ_LEN);
  for (let r = r0; r < CANVAS; r++) {
    for (let c = c0; c < CANVAS; c++) {
      shifted[(r - r0) * CANVAS + c - c0] = tokens[offset + r * CANVAS + c];
    }
  }
  return cropCanvas(shifted);
}

/** Largest `.npy` train inputs file read just to show demonstrations. */
const MAX_DEMO_NPY_BYTES = 256 * 1024 * 1024;

async function openSplit(dir: string, split: SplitName): Promise<PuzzleSplit> {
  return (await isCompactDir(dir)) ? openCompactSplit(dir, split) : readReferenceSplit(dir, split);
}

/**
 * Reads the truth from a built folder (compact or `.npy`): every test-split
 * group's original puzzle gives a task's test pairs; its train-split puzzle
 * gives the demonstrations.
 */
export async function readTruth(
  dir: string,
): Promise<{ identifiers: string[]; tasks: TruthTask[] }> {
  let identifiers: string[];
  try {
    identifiers = JSON.parse(await Deno.readTextFile(`${dir}/identifiers.json`));
  } catch {
    throw new Error(`${dir}/identifiers.json: missing or not JSON`);
  }
  const pairsOf = (split: PuzzleSplit, puzzle: number): Pair[] => {
    const set = split.sets.get("all")!;
    const inp = new Int32Array(SEQ_LEN), lab = new Int32Array(SEQ_LEN);
    const out: Pair[] = [];
    for (let i = set.puzzleIndices[puzzle]; i < set.puzzleIndices[puzzle + 1]; i++) {
      set.fill(i, inp, lab, 0);
      out.push({ input: cropTranslated(inp), output: cropTranslated(lab) });
    }
    return out;
  };
  const test = await openSplit(dir, "test");
  // Demonstrations are only for display: a large materialised train split
  // (gigabytes of .npy) is not worth loading for them.
  const compact = await isCompactDir(dir);
  const trainBytes = compact ? 0 : await Deno.stat(`${dir}/train/all__inputs.npy`).then(
    (s) => s.size,
    () => Infinity,
  );
  const train = trainBytes <= MAX_DEMO_NPY_BYTES ? await openSplit(dir, "train") : null;
  const trainPuzzleOf = new Map<number, number>();
  train?.sets.get("all")?.puzzleIdentifiers.forEach((id, p) => trainPuzzleOf.set(id, p));
  const set = test.sets.get("all")!;
  const tasks: TruthTask[] = [];
  for (let g = 0; g + 1 < set.groupIndices.length; g++) {
    const p = set.groupIndices[g];
    const name = identifiers[set.puzzleIdentifiers[p]];
    if (parseAugmentName(name).stem !== name) {
      throw new Error(`${dir}: test group ${g} starts with augmented puzzle '${name}'`);
    }
    const tp = trainPuzzleOf.get(set.puzzleIdentifiers[p]);
    tasks.push({
      name,
      tests: pairsOf(test, p),
      demos: train && tp !== undefined ? pairsOf(train, tp) : [],
    });
  }
  return { identifiers, tasks };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Scores saved outputs against the truth. Throws when a row cannot be matched.
 * Outputs of a sampled evaluation (`sample` metadata) are scored on the
 * sampled tasks only, those with at least one row (every row of a sampled
 * task is evaluated), so the denominator is the sample's size; their count
 * must equal it.
 */
export function scoreArc(
  identifiers: string[],
  truth: TruthTask[],
  outputs: EvalOutputs,
  ks: number[] = DEFAULT_KS,
): ArcScore {
  if (outputs.seqLen !== SEQ_LEN) {
    throw new Error(`outputs have seq_len ${outputs.seqLen}, ARC needs ${SEQ_LEN}`);
  }
  type Vote = { grid: Grid; votes: number; sumQ: number; first: number };
  const byName = new Map<
    string,
    { task: TruthTask; inputIndex: Map<string, number[]>; votes: Map<string, Vote>[] }
  >();
  for (const task of truth) {
    const inputIndex = new Map<string, number[]>();
    task.tests.forEach((p, t) => {
      const k = gridKey(p.input);
      inputIndex.set(k, [...(inputIndex.get(k) ?? []), t]);
    });
    byName.set(task.name, { task, inputIndex, votes: task.tests.map(() => new Map()) });
  }
  const sample = parseSampleMetadata(outputs.metadata);
  const seen = new Set<string>();
  let used = 0, padding = 0;
  const n = outputs.puzzleIdentifiers.length;
  for (let i = 0; i < n; i++) {
    const id = outputs.puzzleIdentifiers[i];
    if (id === 0) {
      padding++;
      continue;
    }
    const name = identifiers[id];
    if (name === undefined) {
      throw new Error(`row ${i}: puzzle identifier ${id} is not in identifiers.json`);
    }
    const { stem, aug } = parseAugmentName(name);
    const entry = byName.get(stem);
    if (!entry) throw new Error(`row ${i}: '${name}' is not a task of the test split`);
    seen.add(stem);
    const input = inverseTransformGrid(cropCanvas(outputs.inputs, i * SEQ_LEN), aug.d, aug.map);
    const tests = entry.inputIndex.get(gridKey(input));
    if (!tests) {
      throw new Error(
        `row ${i}: the input of '${name}', with its augmentation undone, is none of ${stem}'s test inputs ` +
          `(outputs from another dataset?)`,
      );
    }
    const pred = inverseTransformGrid(cropCanvas(outputs.preds, i * SEQ_LEN), aug.d, aug.map);
    const key = gridKey(pred);
    const q = sigmoid(outputs.qHaltLogits[i]);
    for (const t of tests) {
      const v = entry.votes[t].get(key);
      if (v) {
        v.votes++;
        v.sumQ += q;
      } else entry.votes[t].set(key, { grid: pred, votes: 1, sumQ: q, first: used });
    }
    used++;
  }
  if (sample && seen.size !== sample.size) {
    throw new Error(
      `outputs of a sample of ${sample.size} tasks have rows of ${seen.size} tasks`,
    );
  }
  const tasks: TaskResult[] = [];
  for (const { task, votes } of byName.values()) {
    if (sample && !seen.has(task.name)) continue; // not drawn: not scored
    const tests: TestResult[] = task.tests.map((pair, t) => {
      const ranked = [...votes[t].values()].sort((a, b) =>
        b.votes - a.votes || b.sumQ / b.votes - a.sumQ / a.votes || a.first - b.first
      );
      const truthKey = gridKey(pair.output);
      const rank = ranked.findIndex((v) => gridKey(v.grid) === truthKey);
      return {
        input: pair.input,
        truth: pair.output,
        answers: ranked.map((v) => ({
          grid: v.grid,
          votes: v.votes,
          meanSigmoidQ: v.sumQ / v.votes,
        })),
        truthRank: rank < 0 ? null : rank,
      };
    });
    const passAt: Record<number, number> = {};
    for (const k of ks) {
      passAt[k] = tests.filter((r) => r.truthRank !== null && r.truthRank < k).length /
        tests.length;
    }
    tasks.push({ name: task.name, tests, passAt });
  }
  const overallFraction: Record<number, number> = {}, overallAllTests: Record<number, number> = {};
  for (const k of ks) {
    overallFraction[k] = tasks.length
      ? tasks.reduce((s, t) => s + t.passAt[k], 0) / tasks.length
      : 0;
    overallAllTests[k] = tasks.length
      ? tasks.filter((t) => t.passAt[k] === 1).length / tasks.length
      : 0;
  }
  return {
    ks,
    tasks,
    overallAllTests,
    overallFraction,
    rowsUsed: used,
    rowsPadding: padding,
    ...(sample ? { sample } : {}),
  };
}
