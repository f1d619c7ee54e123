/**
 * Batches, with the reference's `puzzle_dataset.py` semantics.
 *
 * Training, per iteration (= `epochs_per_iter` epochs, the trainer's
 * `eval_interval`) and per set: a generator seeded with `seed + n` (n counts
 * set-iterations from 1, as the reference's `_iters`) shuffles the group order
 * once per epoch and concatenates the permutations; batches are then packed by
 * walking that order: for each group, one random puzzle of the group, and
 * `min(puzzle size, room left)` of its examples drawn without replacement,
 * until the batch holds exactly `global_batch_size` examples. The last partial
 * batch of the iteration is dropped. (The reference draws the examples from
 * NumPy's global generator, which PyTorch's DataLoader worker seeds from the
 * torch seed `seed + rank`; here they come from the same seeded generator as
 * the shuffle, so the draws differ bit for bit but runs repeat exactly.)
 *
 * Evaluation: each set in order, `global_batch_size` consecutive examples per
 * batch, the last batch padded (inputs = pad_id, labels = -100, identifier =
 * blank_identifier_id); `effective` counts the real rows.
 *
 * A training position `{iteration, set, batch}` is all that resume needs: the
 * iteration's draws are replayed (integers only, no data) up to that batch.
 * @module
 */
import { Rng } from "../util/mod.ts";
import { type Batch, IGNORE_LABEL_ID } from "../model/mod.ts";
import type { DatasetMetadata, PuzzleSet, PuzzleSplit } from "../tasks/mod.ts";

/** Where the training stream stands: the next batch to produce. */
export interface TrainPosition {
  /** 0-based iteration (block of `epochs_per_iter` epochs). */
  iteration: number;
  /** Index into the split's sets (in `dataset.json` order). */
  set: number;
  /** Batches of this iteration and set already produced. */
  batch: number;
}

/** A training batch with the position after it and the (fractional) epoch reached. */
export interface TrainItem {
  batch: Batch;
  next: TrainPosition;
  epoch: number;
}

function emptyBatch(meta: DatasetMetadata, setName: string, size: number): Batch {
  return {
    setName,
    batchSize: size,
    seqLen: meta.seq_len,
    inputs: new Int32Array(size * meta.seq_len),
    labels: new Int32Array(size * meta.seq_len),
    puzzleIdentifiers: new Int32Array(size),
    effective: 0,
  };
}

/** Fills row `row` of `batch` with example `i` of `set`, mapping ignored labels to -100. */
function fillRow(
  batch: Batch,
  row: number,
  set: PuzzleSet,
  example: number,
  identifier: number,
  meta: DatasetMetadata,
): void {
  const s = batch.seqLen;
  set.fill(example, batch.inputs, batch.labels, row * s);
  if (meta.ignore_label_id !== null) {
    const ign = meta.ignore_label_id;
    for (let k = row * s; k < (row + 1) * s; k++) {
      if (batch.labels[k] === ign) batch.labels[k] = IGNORE_LABEL_ID;
    }
  }
  batch.puzzleIdentifiers[row] = identifier;
}

/** Examples per epoch as the reference estimates them: total_groups * mean_puzzle_examples. */
export function totalSteps(meta: DatasetMetadata, epochs: number, globalBatchSize: number): number {
  // Python's int() of the float product truncates toward zero.
  return Math.trunc(epochs * meta.total_groups * meta.mean_puzzle_examples / globalBatchSize);
}

/** The seeded training batch stream of one split. */
export class TrainSampler {
  private readonly setNames: string[];

  constructor(
    readonly split: PuzzleSplit,
    readonly options: { seed: number; globalBatchSize: number; epochsPerIter: number },
  ) {
    this.setNames = [...split.metadata.sets];
  }

  /** Batches from `start` to the end of its iteration (all sets), each with the position after it. */
  *iteration(start: TrainPosition): Generator<TrainItem> {
    const meta = this.split.metadata;
    const B = this.options.globalBatchSize;
    for (const d of this.draws(start.iteration, start.set)) {
      if (d.set === start.set && d.batch < start.batch) continue;
      const set = this.split.sets.get(this.setNames[d.set])!;
      const batch = emptyBatch(meta, this.setNames[d.set], B);
      for (let r = 0; r < B; r++) {
        fillRow(batch, r, set, d.examples[r], set.puzzleIdentifiers[d.puzzles[r]], meta);
      }
      batch.effective = B;
      yield {
        batch,
        next: { iteration: start.iteration, set: d.set, batch: d.batch + 1 },
        epoch: start.iteration * this.options.epochsPerIter + d.epochFraction,
      };
    }
  }

  /** The number of full batches iteration `iteration` yields (draws only, no data). */
  countBatches(iteration: number): number {
    let n = 0;
    for (const _ of this.draws(iteration, 0)) n++;
    return n;
  }

  /**
   * The draws of an iteration from set `fromSet` on: example and puzzle indices
   * of each full batch, and the fraction of the iteration's epochs consumed.
   */
  *draws(iteration: number, fromSet: number): Generator<{
    set: number;
    batch: number;
    examples: Int32Array;
    puzzles: Int32Array;
    epochFraction: number;
  }> {
    const { seed, globalBatchSize: B, epochsPerIter } = this.options;
    for (let si = fromSet; si < this.setNames.length; si++) {
      const set = this.split.sets.get(this.setNames[si])!;
      // The reference's `_iters` is incremented once per set per iteration, from 1.
      const rng = new Rng(seed + iteration * this.setNames.length + si + 1);
      const numGroups = set.groupIndices.length - 1;
      const order = new Int32Array(numGroups * epochsPerIter);
      for (let e = 0; e < epochsPerIter; e++) order.set(rng.permutation(numGroups), e * numGroups);
      let cursor = 0;
      for (let b = 0;; b++) {
        const drawn = drawBatch(rng, set, order, cursor, B);
        if (drawn.count < B) break; // drop the last partial batch
        cursor = drawn.cursor;
        yield {
          set: si,
          batch: b,
          examples: drawn.examples,
          puzzles: drawn.puzzles,
          epochFraction: cursor / numGroups,
        };
      }
    }
  }
}

/** Packs one batch's example indices, as the reference's `_sample_batch`. */
function drawBatch(
  rng: Rng,
  set: PuzzleSet,
  order: Int32Array,
  cursor: number,
  B: number,
): { cursor: number; count: number; examples: Int32Array; puzzles: Int32Array } {
  const examples = new Int32Array(B);
  const puzzles = new Int32Array(B);
  let count = 0;
  const gi = set.groupIndices;
  const pi = set.puzzleIndices;
  let scratch = new Int32Array(16);
  while (cursor < order.length && count < B) {
    const g = order[cursor++];
    const puzzle = gi[g] + rng.int(gi[g + 1] - gi[g]);
    const start = pi[puzzle];
    const size = pi[puzzle + 1] - start;
    const take = Math.min(size, B - count);
    // `take` of `size` without replacement: a partial Fisher-Yates shuffle.
    if (scratch.length < size) scratch = new Int32Array(size);
    for (let k = 0; k < size; k++) scratch[k] = k;
    for (let k = 0; k < take; k++) {
      const j = k + rng.int(size - k);
      const t = scratch[k];
      scratch[k] = scratch[j];
      scratch[j] = t;
      examples[count + k] = start + scratch[k];
      puzzles[count + k] = puzzle;
    }
    count += take;
  }
  return { cursor, count, examples, puzzles };
}

/** Evaluation batches: every set in order, sequential, the last batch padded. */
export function* evalBatches(split: PuzzleSplit, globalBatchSize: number): Generator<Batch> {
  const meta = split.metadata;
  for (const name of meta.sets) {
    const set = split.sets.get(name)!;
    const n = set.numExamples;
    const pi = set.puzzleIndices;
    let puzzle = 0;
    for (let start = 0; start < n; start += globalBatchSize) {
      const rows = Math.min(globalBatchSize, n - start);
      const batch = emptyBatch(meta, name, globalBatchSize);
      for (let r = 0; r < rows; r++) {
        const i = start + r;
        while (puzzle + 1 < pi.length && i >= pi[puzzle + 1]) puzzle++;
        fillRow(batch, r, set, i, set.puzzleIdentifiers[puzzle], meta);
      }
      for (let r = rows; r < globalBatchSize; r++) {
        batch.inputs.fill(meta.pad_id, r * meta.seq_len, (r + 1) * meta.seq_len);
        batch.labels.fill(IGNORE_LABEL_ID, r * meta.seq_len, (r + 1) * meta.seq_len);
        batch.puzzleIdentifiers[r] = meta.blank_identifier_id;
      }
      batch.effective = rows;
      yield batch;
    }
  }
}

/** Number of evaluation batches of a split. */
export function countEvalBatches(split: PuzzleSplit, globalBatchSize: number): number {
  let n = 0;
  for (const set of split.sets.values()) n += Math.ceil(set.numExamples / globalBatchSize);
  return n;
}
