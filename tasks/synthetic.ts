/**
 * A tiny synthetic puzzle dataset written in the reference's on-disk layout,
 * for trainer tests: each example is a random token sequence and its label is
 * the sequence reversed and shifted by one token id (so a model must use
 * positions, and exact accuracy starts at chance, (1/digits)^seq_len).
 * Token 0 is padding, 1 is unused (kept so ids match the reference's habit of
 * reserving low ids), digits are 2..vocab_size-1.
 * @module
 */
import { Rng } from "../util/mod.ts";
import { writeIdentifiers, writeReferenceSplit } from "./dataset.ts";

/** Sizes of a synthetic dataset. */
export interface SyntheticOptions {
  seqLen?: number;
  vocabSize?: number;
  /** Train puzzles (one identifier each); each has `examplesPerPuzzle` examples. */
  trainPuzzles?: number;
  examplesPerPuzzle?: number;
  /** Puzzles per group (a group = a puzzle and its "augmentations"). */
  puzzlesPerGroup?: number;
  testExamples?: number;
  seed?: number;
}

function example(rng: Rng, seqLen: number, vocab: number): [number[], number[]] {
  const digits = vocab - 2;
  const x = Array.from({ length: seqLen }, () => 2 + rng.int(digits));
  const y = x.slice().reverse().map((t) => 2 + ((t - 2 + 1) % digits));
  return [x, y];
}

/** Writes `<dir>/{train,test}/...` and `<dir>/identifiers.json`. */
export async function writeSyntheticDataset(dir: string, o: SyntheticOptions = {}): Promise<void> {
  const seqLen = o.seqLen ?? 6;
  const vocab = o.vocabSize ?? 6;
  const nPuzzles = o.trainPuzzles ?? 16;
  const per = o.examplesPerPuzzle ?? 4;
  const perGroup = o.puzzlesPerGroup ?? 2;
  const nTest = o.testExamples ?? 16;
  const rng = new Rng(o.seed ?? 1);
  const numIds = nPuzzles + 1; // 0 = blank
  const build = (nP: number, perP: number, idOf: (p: number) => number) => {
    const inputs: number[] = [];
    const labels: number[] = [];
    const puzzleIndices = [0];
    const groupIndices = [0];
    const ids: number[] = [];
    for (let p = 0; p < nP; p++) {
      for (let e = 0; e < perP; e++) {
        const [x, y] = example(rng, seqLen, vocab);
        inputs.push(...x);
        labels.push(...y);
      }
      puzzleIndices.push(puzzleIndices.at(-1)! + perP);
      ids.push(idOf(p));
      if ((p + 1) % perGroup === 0 || p === nP - 1) groupIndices.push(p + 1);
    }
    return {
      arrays: {
        inputs: {
          dtype: "i32" as const,
          shape: [nP * perP, seqLen],
          data: Int32Array.from(inputs),
        },
        labels: {
          dtype: "i32" as const,
          shape: [nP * perP, seqLen],
          data: Int32Array.from(labels),
        },
        puzzle_identifiers: Int32Array.from(ids),
        puzzle_indices: Int32Array.from(puzzleIndices),
        group_indices: Int32Array.from(groupIndices),
      },
      groups: groupIndices.length - 1,
      mean: perP,
    };
  };
  const meta = (groups: number, mean: number) => ({
    pad_id: 0,
    ignore_label_id: 0,
    blank_identifier_id: 0,
    vocab_size: vocab,
    seq_len: seqLen,
    num_puzzle_identifiers: numIds,
    total_groups: groups,
    mean_puzzle_examples: mean,
    sets: ["all"],
  });
  const train = build(nPuzzles, per, (p) => p + 1);
  await writeReferenceSplit(dir, "train", meta(train.groups, train.mean), { all: train.arrays });
  // Test examples: one puzzle each, identifiers cycling over the train puzzles.
  const test = build(nTest, 1, (p) => (p % nPuzzles) + 1);
  await writeReferenceSplit(dir, "test", meta(test.groups, test.mean), { all: test.arrays });
  await writeIdentifiers(dir, ["<blank>", ...Array.from({ length: nPuzzles }, (_, i) => `p${i}`)]);
}

/** The 8-puzzle, 2-examples-each, 4-token dataset most trainer tests train on (test size varies). */
export const SMALL_DATASET: Readonly<SyntheticOptions> = {
  trainPuzzles: 8,
  examplesPerPuzzle: 2,
  seqLen: 4,
};

/**
 * Trainer overrides of the 16-wide HRM (one layer and one cycle per module)
 * that the trainer tests train; a test appends its own keys (later ones win).
 */
export const TINY_ARCH: readonly string[] = [
  "arch.hidden_size=16",
  "arch.num_heads=2",
  "arch.H_layers=1",
  "arch.L_layers=1",
  "arch.H_cycles=1",
  "arch.L_cycles=1",
  "arch.expansion=1",
  "arch.puzzle_emb_ndim=16",
];
