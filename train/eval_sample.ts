/**
 * Sampled evaluation (`--eval-sample N [--eval-seed S]`): a seeded random
 * sample of whole groups of the test split (a group is an original puzzle with
 * its augmented variants; in Sudoku-Extreme's and Maze-Hard's test splits each
 * group is one puzzle), evaluated exactly like the full split restricted to
 * those rows. Same seed, same sample: the groups are the first N of a seeded
 * permutation of all groups (over the split's sets in order), kept in split
 * order.
 * @module
 */
import type { DatasetMetadata, PuzzleSet, PuzzleSplit } from "../tasks/mod.ts";
import { deriveSeed, Rng } from "../util/mod.ts";

/** What to sample: `size` groups, drawn with `seed`. */
export interface EvalSampleRequest {
  size: number;
  seed: number;
}

/** What a sampled evaluation scored (recorded beside its metrics). */
export interface EvalSampleInfo {
  /** Groups drawn. */
  size: number;
  /** Groups in the test split (all sets). */
  population: number;
  seed: number;
  /** `puzzles` when every group is one puzzle, else `puzzle groups`. */
  unit: "puzzles" | "puzzle groups";
  /** Test rows (examples) in the sampled groups. */
  rows: number;
}

/** Salt of the sample's random stream (independent of every training stream). */
const SAMPLE_STREAM = 0x5a3e1e;

/**
 * Parses `--eval-sample` / `--eval-seed` values (strings from the command line
 * or numbers); throws one line naming the option. `size` must be at least 1.
 */
export function parseEvalSample(
  size: string | number,
  seed: string | number = 0,
): EvalSampleRequest {
  const n = Number(size);
  if (!/^\d+$/.test(String(size).trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new Error(`--eval-sample '${size}': expected a positive integer (test groups to score)`);
  }
  const s = Number(seed);
  if (!/^\d+$/.test(String(seed).trim()) || !Number.isSafeInteger(s)) {
    throw new Error(`--eval-seed '${seed}': expected a non-negative integer`);
  }
  return { size: n, seed: s };
}

/** Groups of a split (all sets), from its sets' group indices. */
export function countGroups(split: PuzzleSplit): number {
  let n = 0;
  for (const set of split.sets.values()) n += set.groupIndices.length - 1;
  return n;
}

/**
 * Throws one line unless `req.size` groups can be drawn from `population`
 * (`where` names the data).
 */
export function checkSampleSize(req: EvalSampleRequest, population: number, where: string): void {
  if (req.size > population) {
    throw new Error(
      `--eval-sample ${req.size}: ${where} has only ${population} test groups; ` +
        `give at most ${population} (or leave --eval-sample out to score all of them)`,
    );
  }
}

/**
 * The sampled groups' global indices (over the split's sets in order), sorted:
 * the first `size` of a permutation drawn from `seed`.
 */
export function sampleGroupIndices(population: number, size: number, seed: number): Int32Array {
  if (size > population) throw new Error(`sample of ${size} from ${population} groups`);
  const perm = new Rng(deriveSeed(SAMPLE_STREAM, seed)).permutation(population);
  return perm.subarray(0, size).slice().sort();
}

/** A set restricted to some of its groups; example `i` maps to `rows[i]` of the base set. */
export class SampledSet implements PuzzleSet {
  /** Example indices of the base set, in order. */
  readonly rows: Int32Array;
  readonly puzzleIndices: Int32Array;
  readonly groupIndices: Int32Array;
  readonly puzzleIdentifiers: Int32Array;

  /** Keeps the groups `groups` (sorted local indices) of `base`. */
  constructor(readonly base: PuzzleSet, groups: ArrayLike<number>) {
    const rows: number[] = [];
    const pIdx = [0];
    const gIdx = [0];
    const ids: number[] = [];
    const { puzzleIndices: pi, groupIndices: gi } = base;
    for (let k = 0; k < groups.length; k++) {
      const g = groups[k];
      for (let p = gi[g]; p < gi[g + 1]; p++) {
        for (let e = pi[p]; e < pi[p + 1]; e++) rows.push(e);
        pIdx.push(rows.length);
        ids.push(base.puzzleIdentifiers[p]);
      }
      gIdx.push(ids.length);
    }
    this.rows = Int32Array.from(rows);
    this.puzzleIndices = Int32Array.from(pIdx);
    this.groupIndices = Int32Array.from(gIdx);
    this.puzzleIdentifiers = Int32Array.from(ids);
  }

  /** Examples in the sample. */
  get numExamples(): number {
    return this.rows.length;
  }

  /** Writes sampled example `i` (base example `rows[i]`). */
  fill(i: number, inputs: Int32Array, labels: Int32Array, offset: number): void {
    this.base.fill(this.rows[i], inputs, labels, offset);
  }
}

/** A sampled split and what it holds. */
export interface SampledSplit {
  split: PuzzleSplit;
  /** Per set: the base split's example index of each sampled row. */
  rows: Map<string, Int32Array>;
  info: EvalSampleInfo;
}

/**
 * The test split restricted to a seeded sample of `req.size` whole groups
 * (one-line error when the split has fewer; `where` names the data).
 */
export function sampleSplit(
  split: PuzzleSplit,
  req: EvalSampleRequest,
  where: string,
): SampledSplit {
  const population = countGroups(split);
  checkSampleSize(req, population, where);
  const chosen = sampleGroupIndices(population, req.size, req.seed);
  const sets = new Map<string, PuzzleSet>();
  const rows = new Map<string, Int32Array>();
  let start = 0;
  let total = 0;
  let onePuzzleGroups = true;
  for (const name of split.metadata.sets) {
    const set = split.sets.get(name)!;
    const n = set.groupIndices.length - 1;
    const local = Array.from(chosen.filter((g) => g >= start && g < start + n), (g) => g - start);
    for (let g = 0; g < n; g++) {
      if (set.groupIndices[g + 1] - set.groupIndices[g] !== 1) onePuzzleGroups = false;
    }
    start += n;
    if (!local.length) continue;
    const sampled = new SampledSet(set, local);
    sets.set(name, sampled);
    rows.set(name, sampled.rows);
    total += sampled.numExamples;
  }
  const metadata: DatasetMetadata = {
    ...split.metadata,
    total_groups: req.size,
    sets: split.metadata.sets.filter((s) => sets.has(s)),
  };
  return {
    split: { metadata, sets },
    rows,
    info: {
      size: req.size,
      population,
      seed: req.seed,
      unit: onePuzzleGroups ? "puzzles" : "puzzle groups",
      rows: total,
    },
  };
}

/** `1,000 of 422,786 test puzzles, seed 0` (how reports name a sample). */
export function sampleText(info: EvalSampleInfo): string {
  const f = (n: number) => n.toLocaleString("en-US");
  return `${f(info.size)} of ${f(info.population)} test ${info.unit}, seed ${info.seed}` +
    (info.unit === "puzzles" ? "" : ` (${f(info.rows)} test rows)`);
}
