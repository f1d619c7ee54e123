/**
 * A task's compact form (examples produced when batching) and the same data
 * materialised in the reference layout train identically: one dataset
 * interface, one sampler.
 */
import assert from "node:assert/strict";
import { registerTask } from "../tasks/task.ts";
import {
  DenseSet,
  type PuzzleSet,
  type PuzzleSplit,
  readReferenceSplit,
  type SplitName,
  writeReferenceSplit,
} from "../tasks/dataset.ts";
import { TINY_ARCH, writeSyntheticDataset } from "../tasks/synthetic.ts";
import { testBackends } from "../backends/testing.ts";
import { detectFormat, openSplit } from "./data.ts";
import { configFromArgs } from "./config.ts";
import { runTraining } from "./trainer.ts";
import { readMetrics, withoutTimings } from "./metrics_log.ts";

/**
 * Compact form for the test: base examples on disk (reference layout under
 * `base/`), and `copies` "augmentations" of each puzzle made on the fly by
 * cycling the digits, each its own puzzle and identifier, grouped with its base.
 */
class CyclingSet implements PuzzleSet {
  readonly puzzleIndices: Int32Array;
  readonly groupIndices: Int32Array;
  readonly puzzleIdentifiers: Int32Array;
  constructor(private base: DenseSet, private copies: number, private digits: number) {
    const nBase = base.puzzleIndices.length - 1;
    const pi = [0];
    const ids: number[] = [];
    for (let p = 0; p < nBase; p++) {
      for (let c = 0; c < copies; c++) {
        pi.push(pi.at(-1)! + base.puzzleIndices[p + 1] - base.puzzleIndices[p]);
        ids.push(1 + p * copies + c);
      }
    }
    this.puzzleIndices = Int32Array.from(pi);
    this.puzzleIdentifiers = Int32Array.from(ids);
    // Groups as in the base, each base puzzle expanded into `copies` puzzles.
    this.groupIndices = Int32Array.from(base.groupIndices, (g) => g * copies);
  }
  get numExamples(): number {
    return this.base.numExamples * this.copies;
  }
  fill(i: number, inputs: Int32Array, labels: Int32Array, offset: number): void {
    // Example i belongs to puzzle p (copy c of base puzzle b); same offset within it.
    let p = 0;
    while (this.puzzleIndices[p + 1] <= i) p++;
    const b = Math.floor(p / this.copies);
    const c = p % this.copies;
    const e = this.base.puzzleIndices[b] + (i - this.puzzleIndices[p]);
    this.base.fill(e, inputs, labels, offset);
    const s = this.base.seqLen;
    for (let k = offset; k < offset + s; k++) {
      if (inputs[k] >= 2) inputs[k] = 2 + (inputs[k] - 2 + c) % this.digits;
      if (labels[k] >= 2) labels[k] = 2 + (labels[k] - 2 + c) % this.digits;
    }
  }
}

const COPIES = 3;
const DIGITS = 4;

async function openCompact(dir: string, split: SplitName): Promise<PuzzleSplit> {
  const base = await readReferenceSplit(`${dir}/base`, split);
  const copies = split === "train" ? COPIES : 1;
  const set = new CyclingSet(base.sets.get("all") as DenseSet, copies, DIGITS);
  const m = base.metadata;
  return {
    metadata: {
      ...m,
      num_puzzle_identifiers: (m.num_puzzle_identifiers - 1) * COPIES + 1,
      mean_puzzle_examples: m.mean_puzzle_examples,
    },
    sets: new Map([["all", set]]),
  };
}

registerTask({
  name: "test-compact-cycling",
  description: "test only: digits cycled on the fly",
  build: () => Promise.resolve(),
  verify: () => Promise.resolve({ ok: true, lines: [] }),
  isCompact: (dir) => Deno.stat(`${dir}/cycling.json`).then(() => true, () => false),
  openCompact,
});

/** Materialises a split as the reference layout (what the official scripts would write). */
async function materialise(from: PuzzleSplit, dir: string, split: SplitName): Promise<void> {
  const set = from.sets.get("all")!;
  const s = from.metadata.seq_len;
  const inputs = new Int32Array(set.numExamples * s);
  const labels = new Int32Array(set.numExamples * s);
  for (let i = 0; i < set.numExamples; i++) set.fill(i, inputs, labels, i * s);
  await writeReferenceSplit(dir, split, from.metadata, {
    all: {
      inputs: { dtype: "i32", shape: [set.numExamples, s], data: inputs },
      labels: { dtype: "i32", shape: [set.numExamples, s], data: labels },
      puzzle_identifiers: set.puzzleIdentifiers,
      puzzle_indices: set.puzzleIndices,
      group_indices: set.groupIndices,
    },
  });
}

const backend = testBackends().includes("wasm") ? "wasm" : "cpu";

Deno.test({
  name:
    `compact form: read through the task registry, trains exactly as its materialised copy [${backend}]`,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await writeSyntheticDataset(`${dir}/compact/base`, {
        trainPuzzles: 4,
        examplesPerPuzzle: 2,
        seqLen: 4,
        vocabSize: 2 + DIGITS,
        testExamples: 5,
      });
      await Deno.writeTextFile(`${dir}/compact/cycling.json`, "{}");
      // A compact store may keep dataset.json beside it (as the ARC task does): the task wins.
      await Deno.mkdir(`${dir}/compact/train`);
      await Deno.copyFile(
        `${dir}/compact/base/train/dataset.json`,
        `${dir}/compact/train/dataset.json`,
      );
      assert.deepEqual(await detectFormat(`${dir}/compact`), {
        kind: "compact",
        task: "test-compact-cycling",
      });
      for (const split of ["train", "test"] as const) {
        await materialise(await openSplit(`${dir}/compact`, split), `${dir}/dense`, split);
      }
      assert.deepEqual(await detectFormat(`${dir}/dense`), { kind: "reference" });
      const args = (data: string) => [
        `data_path=${dir}/${data}`,
        `run_dir=${dir}/run-${data}`,
        `backend=${backend}`,
        "global_batch_size=4",
        "epochs=4",
        "eval_interval=2",
        ...TINY_ARCH,
        "arch.halt_max_steps=2",
        "lr_warmup_steps=2",
      ];
      const a = await runTraining(configFromArgs(args("compact")), { quiet: true });
      const b = await runTraining(configFromArgs(args("dense")), { quiet: true });
      assert.equal(a.steps, 4);
      const lines = async (d: string) =>
        (await readMetrics(`${d}/metrics.jsonl`)).map(withoutTimings);
      assert.deepEqual(await lines(a.runDir), await lines(b.runDir));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
