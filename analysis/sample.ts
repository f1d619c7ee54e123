/**
 * The puzzles an analysis looks at: a seeded sample of `n` rows of the test
 * split, read through the evaluation's own batches (`evalBatches`, so each row
 * is exactly what evaluation feeds the model), kept in test-split order. With
 * `n` at least the split's size, every row in order (then the analysis sees
 * what evaluation sees).
 * @module
 */
import type { BatchRows } from "../model/mod.ts";
import type { PuzzleSplit } from "../tasks/mod.ts";
import { evalBatches } from "../train/mod.ts";
import { Rng } from "../util/mod.ts";

/** Sampled rows and where they come from. */
export interface Sample {
  rows: BatchRows;
  /** Each row's index in the test split (all sets, in order). */
  index: number[];
  /** Rows in the whole test split. */
  total: number;
}

/** Which of `total` rows a sample of `n` takes (sorted), drawn from `seed`. */
export function sampleIndices(total: number, n: number, seed: number): number[] {
  if (!(n >= 1)) throw new Error(`--samples must be at least 1, got ${n}`);
  if (n >= total) return Array.from({ length: total }, (_, i) => i);
  const perm = new Rng(seed).permutation(total);
  return Array.from(perm.subarray(0, n)).sort((a, b) => a - b);
}

/** Reads the sampled rows of `split`. */
export function sampleRows(split: PuzzleSplit, n: number, seed: number): Sample {
  const seq = split.metadata.seq_len;
  let total = 0;
  for (const set of split.sets.values()) total += set.numExamples;
  if (total === 0) throw new Error("analysis: the test split has no examples");
  const index = sampleIndices(total, n, seed);
  const rows: BatchRows = {
    inputs: new Int32Array(index.length * seq),
    labels: new Int32Array(index.length * seq),
    puzzleIdentifiers: new Int32Array(index.length),
  };
  let at = 0;
  let seen = 0;
  for (const batch of evalBatches(split, 256)) {
    for (let r = 0; r < batch.effective && at < index.length; r++, seen++) {
      if (seen !== index[at]) continue;
      rows.inputs.set(batch.inputs.subarray(r * seq, (r + 1) * seq), at * seq);
      rows.labels.set(batch.labels.subarray(r * seq, (r + 1) * seq), at * seq);
      rows.puzzleIdentifiers[at] = batch.puzzleIdentifiers[r];
      at++;
    }
    if (at === index.length) break;
  }
  return { rows, index, total };
}
