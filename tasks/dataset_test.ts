import assert from "node:assert/strict";
import { readReferenceSplit, setNameProblem, writeReferenceSplit } from "./dataset.ts";
import type { DatasetMetadata } from "./dataset.ts";

const META: DatasetMetadata = {
  pad_id: 0,
  ignore_label_id: 0,
  blank_identifier_id: 0,
  vocab_size: 4,
  seq_len: 2,
  num_puzzle_identifiers: 3,
  total_groups: 2,
  mean_puzzle_examples: 1.5,
  sets: ["all"],
};

/** A train split of 3 examples in 2 puzzles (identifiers 1, 2), one group each; or an empty one. */
async function writeSplit(dir: string, examples = 3): Promise<void> {
  const tokens = new Int32Array(examples * 2).fill(1);
  const full = examples === 3;
  await writeReferenceSplit(dir, "train", META, {
    all: {
      inputs: { dtype: "i32", shape: [examples, 2], data: tokens },
      labels: { dtype: "i32", shape: [examples, 2], data: tokens },
      puzzle_identifiers: full ? Int32Array.from([1, 2]) : new Int32Array(0),
      puzzle_indices: full ? Int32Array.from([0, 2, 3]) : Int32Array.from([0]),
      group_indices: full ? Int32Array.from([0, 1, 2]) : Int32Array.from([0]),
    },
  });
}

async function patchMeta(dir: string, patch: Record<string, unknown>): Promise<void> {
  await Deno.writeTextFile(
    `${dir}/train/dataset.json`,
    JSON.stringify({ ...META, ...patch }),
  );
}

Deno.test("dataset.json totals and ranges are checked against the arrays at load, in one line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeSplit(dir);
    const ok = await readReferenceSplit(dir, "train");
    assert.equal(ok.sets.get("all")!.numExamples, 3);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ total_groups: 3 }, /field 'total_groups' is 3, but the arrays hold 2 groups$/],
      [
        { mean_puzzle_examples: 1 },
        /field 'mean_puzzle_examples' is 1, but the arrays hold 3 examples in 2 puzzles \(1\.5\)$/,
      ],
      [{ pad_id: 4 }, /field 'pad_id': 4 is outside 0\.\.3 \(vocab_size\)$/],
      [
        { ignore_label_id: -100 },
        /field 'ignore_label_id': -100 is outside 0\.\.3 \(vocab_size\)$/,
      ],
      [
        { blank_identifier_id: 3 },
        /field 'blank_identifier_id': 3 is outside 0\.\.2 \(num_puzzle_identifiers\)$/,
      ],
      [{ sets: ["../x"] }, /field 'sets\.0': set name "\.\.\/x" is not a plain file name/],
      [{ sets: ["/etc/all"] }, /field 'sets\.0': set name "\/etc\/all" is not a plain file name/],
      [{ sets: ["a..b"] }, /field 'sets\.0': set name "a\.\.b" is not a plain file name/],
      [{ sets: ["all", "all"] }, /field 'sets\.1': set 'all' is listed twice$/],
      [{ num_puzzle_identifiers: 2 }, /puzzle identifier 2 at 1 is outside 0\.\.1$/],
    ];
    for (const [patch, message] of cases) {
      await patchMeta(dir, patch);
      await assert.rejects(() => readReferenceSplit(dir, "train"), (err: Error) => {
        assert.equal(err.message.split("\n").length, 1, err.message);
        assert.match(err.message, message);
        assert.ok(err.message.startsWith(dir), err.message);
        return true;
      });
    }
    // An empty split is an error, whatever its metadata says.
    await writeSplit(dir, 0);
    await patchMeta(dir, { total_groups: 0, mean_puzzle_examples: 0 });
    await assert.rejects(
      () => readReferenceSplit(dir, "train"),
      /train\/dataset\.json: set 'all' has no examples \(an empty split is an error\)$/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("set names stay plain file names", () => {
  for (const ok of ["all", "set_1", "a.b", "A-2"]) assert.equal(setNameProblem(ok), null);
  for (const bad of ["", ".", "..", ".hidden", "-x", "a/b", "a\\b", "..x", "x..", "a b"]) {
    assert.ok(setNameProblem(bad), bad);
  }
});
