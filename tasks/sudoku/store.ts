/**
 * On-disk forms of a Sudoku build.
 *
 * - Reference layout (HRM's build_sudoku_dataset.py): `<split>/dataset.json`
 *   and `all__{inputs,labels,puzzle_identifiers,puzzle_indices,group_indices}.npy`,
 *   inputs/labels uint8 (1 = blank, 2..10 = digits 1..9), one puzzle per
 *   example, one group per original puzzle and its shuffles.
 * - Compact form: `<split>/sudoku_compact.json` plus the original puzzles and
 *   solutions (`sudoku__puzzles.npy`, `sudoku__solutions.npy`, same tokens);
 *   the shuffles are regenerated from (seed, puzzle, k) when batching, so the
 *   1000-fold augmentation costs no disk. `openCompact` exposes it through the
 *   same PuzzleSplit interface, example for example identical to the
 *   materialised layout.
 * @module
 */
import { issueLine, quotedField } from "../../util/mod.ts";
import { z } from "zod";
import { pathExists, readNpy, writeJsonAtomic, writeNpy } from "../../io/mod.ts";
import {
  type DatasetMetadata,
  type PuzzleSet,
  type PuzzleSplit,
  readMetadata,
  type SplitName,
  writeReferenceSplit,
} from "../dataset.ts";
import { applyTransform, augmentationTransform } from "./augment.ts";

/** Token of a cell value: 0 (blank) -> 1, digit d -> d + 1 (0 is padding). */
export function toTokens(digits: Uint8Array): Uint8Array {
  const out = new Uint8Array(digits.length);
  for (let i = 0; i < digits.length; i++) out[i] = digits[i] + 1;
  return out;
}

/** The metadata the reference writes for a Sudoku split with `groups` originals. */
export function sudokuMetadata(groups: number): DatasetMetadata {
  return {
    pad_id: 0,
    ignore_label_id: 0,
    blank_identifier_id: 0,
    vocab_size: 11,
    seq_len: 81,
    num_puzzle_identifiers: 1,
    total_groups: groups,
    mean_puzzle_examples: 1,
    sets: ["all"],
  };
}

/** Original puzzles of one split (digits 0-9, N x 81 row-major). */
export interface SplitPuzzles {
  puzzles: Uint8Array;
  solutions: Uint8Array;
}

/** Writes the k-th example (k = 0 original, k >= 1 shuffle) of puzzle g as tokens. */
function exampleTokens(
  seed: number,
  data: SplitPuzzles,
  g: number,
  k: number,
  inputs: Uint8Array | Int32Array,
  labels: Uint8Array | Int32Array,
  offset: number,
): void {
  let p = data.puzzles.subarray(g * 81, g * 81 + 81);
  let s = data.solutions.subarray(g * 81, g * 81 + 81);
  if (k > 0) {
    const t = augmentationTransform(seed, g, k);
    p = applyTransform(t, p);
    s = applyTransform(t, s);
  }
  for (let i = 0; i < 81; i++) {
    inputs[offset + i] = p[i] + 1;
    labels[offset + i] = s[i] + 1;
  }
}

/** Materialises a split in the reference layout with `aug` shuffles per puzzle. */
export async function writeReference(
  dir: string,
  split: SplitName,
  data: SplitPuzzles,
  aug: number,
  seed: number,
): Promise<void> {
  const n = data.puzzles.length / 81, per = aug + 1, total = n * per;
  const inputs = new Uint8Array(total * 81), labels = new Uint8Array(total * 81);
  for (let g = 0; g < n; g++) {
    for (let k = 0; k < per; k++) {
      exampleTokens(seed, data, g, k, inputs, labels, (g * per + k) * 81);
    }
  }
  const puzzleIndices = Int32Array.from({ length: total + 1 }, (_, i) => i);
  const groupIndices = Int32Array.from({ length: n + 1 }, (_, i) => i * per);
  await writeReferenceSplit(dir, split, sudokuMetadata(n), {
    all: {
      inputs: { dtype: "u8", shape: [total, 81], data: inputs },
      labels: { dtype: "u8", shape: [total, 81], data: labels },
      puzzle_identifiers: new Int32Array(total),
      puzzle_indices: puzzleIndices,
      group_indices: groupIndices,
    },
  });
}

const CompactSchema = z.object({
  format: z.literal("sudoku-compact"),
  version: z.literal(1),
  seed: z.number().int().nonnegative(),
  num_aug: z.number().int().nonnegative(),
  num_puzzles: z.number().int().nonnegative(),
});

/** Writes a split in the compact form. */
export async function writeCompact(
  dir: string,
  split: SplitName,
  data: SplitPuzzles,
  aug: number,
  seed: number,
): Promise<void> {
  const n = data.puzzles.length / 81;
  await Deno.mkdir(`${dir}/${split}`, { recursive: true });
  await writeNpy(`${dir}/${split}/sudoku__puzzles.npy`, {
    dtype: "u8",
    shape: [n, 81],
    data: toTokens(data.puzzles),
  });
  await writeNpy(`${dir}/${split}/sudoku__solutions.npy`, {
    dtype: "u8",
    shape: [n, 81],
    data: toTokens(data.solutions),
  });
  await writeJsonAtomic(`${dir}/${split}/sudoku_compact.json`, {
    format: "sudoku-compact",
    version: 1,
    seed,
    num_aug: aug,
    num_puzzles: n,
  });
}

/** True when `dir` holds a compact Sudoku build. */
export async function isCompactDir(dir: string): Promise<boolean> {
  try {
    await Deno.stat(`${dir}/train/sudoku_compact.json`);
    return true;
  } catch {
    return false;
  }
}

async function readTokens(path: string, n: number, min: number): Promise<Uint8Array> {
  const t = await readNpy(path);
  if (t.dtype !== "u8" || t.shape.length !== 2 || t.shape[0] !== n || t.shape[1] !== 81) {
    throw new Error(`${path}: expected uint8 [${n}, 81], got ${t.dtype} [${t.shape}]`);
  }
  const out = new Uint8Array(t.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = Number(t.data[i]);
    if (v < min || v > 10) throw new Error(`${path}: token ${v} at ${i} outside ${min}..10`);
    out[i] = v - 1;
  }
  return out;
}

/**
 * When the split also has the reference layout's `dataset.json`, checks that
 * it is the one a Sudoku split of `n` originals has (a one-line error naming
 * the field otherwise).
 */
async function checkReferenceMetadata(dir: string, split: SplitName, n: number): Promise<void> {
  const path = `${dir}/${split}/dataset.json`;
  if (!(await pathExists(path))) return;
  const got = await readMetadata(dir, split);
  const want = sudokuMetadata(n);
  for (const key of Object.keys(want) as (keyof DatasetMetadata)[]) {
    if (JSON.stringify(got[key]) !== JSON.stringify(want[key])) {
      throw new Error(
        `${path}: field '${key}' is ${JSON.stringify(got[key])}, expected ${
          JSON.stringify(want[key])
        } (a Sudoku split of ${n} puzzles, as sudoku_compact.json says)`,
      );
    }
  }
}

/** Reads a compact split's originals and settings. */
export async function readCompact(
  dir: string,
  split: SplitName,
): Promise<{ seed: number; aug: number; data: SplitPuzzles }> {
  const path = `${dir}/${split}/sudoku_compact.json`;
  let raw: unknown;
  try {
    raw = JSON.parse(await Deno.readTextFile(path));
  } catch (err) {
    throw new Error(
      `${path}: ${err instanceof Deno.errors.NotFound ? "not found" : "invalid JSON"}`,
    );
  }
  const parsed = CompactSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(issueLine(parsed.error, { where: path, field: quotedField }));
  }
  const { seed, num_aug: aug, num_puzzles: n } = parsed.data;
  if (n === 0) throw new Error(`${path}: field 'num_puzzles' is 0 (an empty split is an error)`);
  if (seed > 0xffffffff) throw new Error(`${path}: field 'seed' is ${seed}, above 2^32 - 1`);
  if (n * (aug + 1) > 0x7fffffff) {
    throw new Error(
      `${path}: field 'num_aug' is ${aug}: ${n} puzzles x ${aug + 1} exceeds 2^31 - 1 examples`,
    );
  }
  await checkReferenceMetadata(dir, split, n);
  const puzzles = await readTokens(`${dir}/${split}/sudoku__puzzles.npy`, n, 1);
  const solutions = await readTokens(`${dir}/${split}/sudoku__solutions.npy`, n, 2);
  return { seed, aug, data: { puzzles, solutions } };
}

/** A set whose examples are the originals and their shuffles, made on demand. */
export class AugmentedSet implements PuzzleSet {
  readonly numExamples: number;
  readonly puzzleIndices: Int32Array;
  readonly groupIndices: Int32Array;
  readonly puzzleIdentifiers: Int32Array;
  constructor(readonly seed: number, readonly aug: number, readonly data: SplitPuzzles) {
    const n = data.puzzles.length / 81, per = aug + 1;
    this.numExamples = n * per;
    this.puzzleIndices = Int32Array.from({ length: this.numExamples + 1 }, (_, i) => i);
    this.groupIndices = Int32Array.from({ length: n + 1 }, (_, i) => i * per);
    this.puzzleIdentifiers = new Int32Array(this.numExamples);
  }
  fill(i: number, inputs: Int32Array, labels: Int32Array, offset: number): void {
    const per = this.aug + 1;
    exampleTokens(this.seed, this.data, Math.floor(i / per), i % per, inputs, labels, offset);
  }
}

/** Opens a split of a compact build behind the common dataset interface. */
export async function openCompactSplit(dir: string, split: SplitName): Promise<PuzzleSplit> {
  const { seed, aug, data } = await readCompact(dir, split);
  const set = new AugmentedSet(seed, aug, data);
  return { metadata: sudokuMetadata(data.puzzles.length / 81), sets: new Map([["all", set]]) };
}
