import assert from "node:assert/strict";
import { DenseSet, type PuzzleSplit } from "../tasks/dataset.ts";
import { evalBatches, totalSteps, TrainSampler } from "./sampler.ts";
import { IGNORE_LABEL_ID } from "../model/batch.ts";

/** groups of puzzles of examples; example e has input tokens all = e % 7 + 1. */
function makeSplit(groupSizes: number[][], seqLen = 3, ignore: number | null = 0): PuzzleSplit {
  const puzzleIndices = [0];
  const groupIndices = [0];
  const ids: number[] = [];
  for (const group of groupSizes) {
    for (const n of group) {
      puzzleIndices.push(puzzleIndices.at(-1)! + n);
      ids.push(ids.length + 1);
    }
    groupIndices.push(ids.length);
  }
  const n = puzzleIndices.at(-1)!;
  const inputs = new Int32Array(n * seqLen);
  const labels = new Int32Array(n * seqLen);
  for (let e = 0; e < n; e++) {
    for (let k = 0; k < seqLen; k++) {
      inputs[e * seqLen + k] = e;
      labels[e * seqLen + k] = k === 0 ? 0 : e + 1; // position 0 is "ignored" (id 0)
    }
  }
  const set = new DenseSet(
    seqLen,
    inputs,
    labels,
    Int32Array.from(ids),
    Int32Array.from(puzzleIndices),
    Int32Array.from(groupIndices),
  );
  return {
    metadata: {
      pad_id: 0,
      ignore_label_id: ignore,
      blank_identifier_id: 0,
      vocab_size: 1000,
      seq_len: seqLen,
      num_puzzle_identifiers: ids.length + 1,
      total_groups: groupSizes.length,
      mean_puzzle_examples: n / ids.length,
      sets: ["all"],
    },
    sets: new Map([["all", set]]),
  };
}

Deno.test("sampler: full batches only, the last partial one dropped", () => {
  const split = makeSplit(Array.from({ length: 10 }, () => [1]));
  const s1 = new TrainSampler(split, { seed: 0, globalBatchSize: 3, epochsPerIter: 1 });
  assert.equal(s1.countBatches(0), 3);
  const s2 = new TrainSampler(split, { seed: 0, globalBatchSize: 3, epochsPerIter: 2 });
  assert.equal(s2.countBatches(0), 6); // 20 examples over two epochs, packed across the boundary
  assert.equal(totalSteps(split.metadata, 2, 3), 6);
  for (const item of s2.iteration({ iteration: 0, set: 0, batch: 0 })) {
    assert.equal(item.batch.effective, 3);
    assert.equal(item.batch.batchSize, 3);
  }
});

Deno.test("sampler: one puzzle per group visit, examples without replacement, each group once per epoch", () => {
  // 6 groups, each with 2 puzzles of 4 examples; batch 6 -> a group visit adds min(4, room).
  const split = makeSplit(Array.from({ length: 6 }, () => [4, 4]));
  const set = split.sets.get("all")!;
  const sampler = new TrainSampler(split, { seed: 5, globalBatchSize: 6, epochsPerIter: 1 });
  const groupOf = (puzzle: number) => Math.floor(puzzle / 2);
  const visited: number[] = [];
  for (const { examples, puzzles } of sampler.draws(0, 0)) {
    let r = 0;
    while (r < 6) {
      const p = puzzles[r];
      const seen = new Set<number>();
      let k = r;
      while (k < 6 && puzzles[k] === p) {
        assert.ok(examples[k] >= set.puzzleIndices[p] && examples[k] < set.puzzleIndices[p + 1]);
        assert.ok(!seen.has(examples[k]), "examples of a puzzle drawn without replacement");
        seen.add(examples[k]);
        k++;
      }
      assert.ok(k - r === 4 || k === 6, "a visit takes the whole puzzle unless the batch is full");
      visited.push(groupOf(p));
      r = k;
    }
  }
  // 6 groups x 4 examples = 24 = 4 full batches; every group visited exactly once.
  assert.deepEqual([...visited].sort(), [0, 1, 2, 3, 4, 5]);
});

Deno.test("sampler: seeded, and resumable from any position", () => {
  const split = makeSplit(Array.from({ length: 9 }, (_, g) => [1 + (g % 3), 2]));
  const opts = { seed: 11, globalBatchSize: 4, epochsPerIter: 3 };
  const run = (seed: number, iteration: number, batch = 0) =>
    [...new TrainSampler(split, { ...opts, seed }).iteration({ iteration, set: 0, batch })].map((
      it,
    ) => Array.from(it.batch.inputs.filter((_, k) => k % 3 === 0)));
  const a = run(11, 0);
  assert.deepEqual(run(11, 0), a);
  assert.notDeepEqual(run(12, 0), a);
  assert.notDeepEqual(run(11, 1), a, "each iteration reshuffles");
  assert.deepEqual(run(11, 0, 5), a.slice(5));
  const items = [...new TrainSampler(split, opts).iteration({ iteration: 0, set: 0, batch: 0 })];
  assert.deepEqual(items[4].next, { iteration: 0, set: 0, batch: 5 });
  assert.ok(items.at(-1)!.epoch <= 3 && items.at(-1)!.epoch > 2.5);
});

Deno.test("sampler: ignored labels become -100; identifiers follow the puzzle", () => {
  const split = makeSplit([[2], [3]]);
  const items = [
    ...new TrainSampler(split, { seed: 0, globalBatchSize: 5, epochsPerIter: 1 }).iteration({
      iteration: 0,
      set: 0,
      batch: 0,
    }),
  ];
  assert.equal(items.length, 1);
  const b = items[0].batch;
  for (let r = 0; r < 5; r++) {
    const e = b.inputs[r * 3];
    assert.equal(b.labels[r * 3], IGNORE_LABEL_ID);
    assert.equal(b.labels[r * 3 + 1], e + 1);
    assert.equal(b.puzzleIdentifiers[r], e < 2 ? 1 : 2);
  }
});

Deno.test("eval batches: sequential, padded last batch, pad rows marked", () => {
  const split = makeSplit([[2], [3]]);
  const batches = [...evalBatches(split, 2)];
  assert.equal(batches.length, 3);
  assert.deepEqual(batches.map((b) => b.effective), [2, 2, 1]);
  assert.deepEqual(Array.from(batches[1].puzzleIdentifiers), [2, 2]);
  const last = batches[2];
  assert.deepEqual(Array.from(last.inputs), [4, 4, 4, 0, 0, 0]);
  assert.deepEqual(Array.from(last.labels), [-100, 5, 5, -100, -100, -100]);
  assert.deepEqual(Array.from(last.puzzleIdentifiers), [2, 0]);
});

Deno.test("sampler: several sets, in dataset.json order, each with its own seeded stream", () => {
  const one = makeSplit(Array.from({ length: 4 }, () => [1]));
  const setA = one.sets.get("all")!;
  const two: PuzzleSplit = {
    metadata: { ...one.metadata, sets: ["a", "b"] },
    sets: new Map([["a", setA], ["b", setA]]),
  };
  const sampler = new TrainSampler(two, { seed: 2, globalBatchSize: 2, epochsPerIter: 1 });
  const items = [...sampler.iteration({ iteration: 0, set: 0, batch: 0 })];
  assert.deepEqual(items.map((i) => i.batch.setName), ["a", "a", "b", "b"]);
  assert.deepEqual(items.map((i) => i.next), [
    { iteration: 0, set: 0, batch: 1 },
    { iteration: 0, set: 0, batch: 2 },
    { iteration: 0, set: 1, batch: 1 },
    { iteration: 0, set: 1, batch: 2 },
  ]);
  // Seeds follow the reference's `_iters` counter: seed + 1, seed + 2 for sets a, b of
  // iteration 0; seed + 3, seed + 4 for iteration 1.
  const single = new TrainSampler(one, { seed: 2, globalBatchSize: 2, epochsPerIter: 1 });
  const order = (its: { batch: { inputs: Int32Array } }[]) =>
    its.map((i) => Array.from(i.batch.inputs.filter((_, k) => k % 3 === 0)));
  // A one-set split's iteration 1 is seeded seed + 2, like set b of the two-set iteration 0.
  assert.deepEqual(
    order(items.slice(2)),
    order([...single.iteration({ iteration: 1, set: 0, batch: 0 })]),
  );
  // Resuming inside set b skips set a entirely.
  assert.deepEqual(
    order([...sampler.iteration({ iteration: 0, set: 1, batch: 1 })]),
    order(items.slice(3)),
  );
});
