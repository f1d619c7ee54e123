import assert from "node:assert/strict";
import { readReferenceSplit } from "../dataset.ts";
import { buildCommand } from "./cli.ts";
import { openCompactSplit } from "./store.ts";
import { verifySudoku } from "./verify.ts";
import { sudokuTask } from "./mod.ts";

const SMALL = [
  "--seed",
  "3",
  "--train",
  "6",
  "--test",
  "4",
  "--aug",
  "3",
  "--hard-share",
  "0.5",
  "--pool-size",
  "4",
  "--per-job",
  "2",
  "--hard-threshold",
  "2",
  "--max-iterations",
  "20",
];

const GOLDEN = "c25d0b70d2027563c64a8a9989ab63a636f450a33ee4aceddb6ec66e616f47be";

/** SHA-256 over every file of a folder (sorted relative paths and contents). */
async function digest(dir: string): Promise<string> {
  const files: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      if (e.isDirectory) await walk(`${d}/${e.name}`);
      else files.push(`${d}/${e.name}`);
    }
  };
  await walk(dir);
  files.sort();
  const parts: Uint8Array[] = [];
  for (const f of files) {
    parts.push(new TextEncoder().encode(f.slice(dir.length) + "\n"));
    parts.push(await Deno.readFile(f));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) all.set(p, (o += p.length) - p.length);
  const h = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return [...h].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function quiet<T>(body: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = () => {};
  try {
    return await body();
  } finally {
    console.log = log;
  }
}

Deno.test("build: same seed gives the same bytes, inline or on 2 workers", async () => {
  const root = await Deno.makeTempDir();
  try {
    await quiet(() => buildCommand([...SMALL, "--workers", "0", "--out", `${root}/a`]));
    await quiet(() => buildCommand([...SMALL, "--workers", "2", "--out", `${root}/b`]));
    const a = await digest(`${root}/a`), b = await digest(`${root}/b`);
    assert.equal(a, b);
    // Pinned: the same seed must give these bytes on every machine. A deliberate change to
    // the generator changes it (update it then, and bump `generator` in build.json).
    assert.equal(a, GOLDEN);
    await quiet(() =>
      buildCommand([...SMALL, "--workers", "0", "--seed", "4", "--out", `${root}/c`])
    );
    assert.notEqual(await digest(`${root}/c`), a);
    // Refuses to overwrite without --force.
    await assert.rejects(
      () => quiet(() => buildCommand([...SMALL, "--workers", "0", "--out", `${root}/a`])),
      /exists and is not empty/,
    );
    const report = await verifySudoku(`${root}/a`, { all: true });
    assert.ok(report.ok, report.lines.join("\n"));
    // A corrupted label and a wrong stored rating are caught.
    const path = `${root}/c/test/sudoku__solutions.npy`;
    const bytes = await Deno.readFile(path);
    const last = bytes.length - 1;
    bytes[last] = bytes[last] === 2 ? 3 : 2;
    await Deno.writeFile(path, bytes);
    const csv = await Deno.readTextFile(`${root}/c/train.csv`);
    await Deno.writeTextFile(
      `${root}/c/train.csv`,
      csv.replace(/,(\d+)\n/, (_, r) => `,${Number(r) + 1}\n`),
    );
    const bad = await verifySudoku(`${root}/c`, {});
    assert.equal(bad.ok, false);
    assert.ok(
      bad.lines.some((l) => /test: example 3: label is not a valid solution/.test(l)),
      bad.lines.join("\n"),
    );
    assert.ok(bad.lines.some((l) => /train\.csv: 1 rows disagree/.test(l)), bad.lines.join("\n"));
    assert.ok(await sudokuTask.isCompact!(`${root}/a`));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("build: --blanks gives easy puzzles that verify checks for their blank count", async () => {
  const root = await Deno.makeTempDir();
  try {
    const args = ["--seed", "5", "--train", "6", "--test", "4", "--aug", "2", "--hard-share", "0"];
    await quiet(() => buildCommand([...args, "--blanks", "20", "--workers", "0", "--out", root]));
    const build = JSON.parse(await Deno.readTextFile(`${root}/build.json`));
    assert.equal(build.blanks, 20);
    const test = await openCompactSplit(root, "test");
    const inputs = new Int32Array(81), labels = new Int32Array(81);
    test.sets.get("all")!.fill(0, inputs, labels, 0);
    assert.equal(inputs.filter((v) => v === 1).length, 20); // token 1 = blank
    const report = await verifySudoku(root, { all: true });
    assert.ok(report.ok, report.lines.join("\n"));
    assert.ok(report.lines.some((l) => /20 blanks on all/.test(l)), report.lines.join("\n"));
    // A folder claiming another blank count fails.
    await Deno.writeTextFile(`${root}/build.json`, JSON.stringify({ ...build, blanks: 21 }));
    const bad = await verifySudoku(root, {});
    assert.equal(bad.ok, false);
    assert.ok(bad.lines.some((l) => /train: 6 puzzles do not have exactly 21 blanks/.test(l)));
    await assert.rejects(
      () => quiet(() => buildCommand([...args, "--blanks", "51", "--out", `${root}/x`])),
      /--blanks.*1\.\.50/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("build: compact form reads exactly like the materialised reference layout", async () => {
  const root = await Deno.makeTempDir();
  try {
    await quiet(() =>
      buildCommand([
        ...SMALL,
        "--workers",
        "0",
        "--write-reference-layout",
        "--out",
        root,
        "--force",
      ])
    );
    for (const split of ["train", "test"] as const) {
      const ref = await readReferenceSplit(root, split);
      const lazy = await openCompactSplit(root, split);
      assert.deepEqual(lazy.metadata, ref.metadata);
      const r = ref.sets.get("all")!, l = lazy.sets.get("all")!;
      assert.equal(l.numExamples, r.numExamples);
      assert.deepEqual(l.puzzleIndices, r.puzzleIndices);
      assert.deepEqual(l.groupIndices, r.groupIndices);
      assert.deepEqual(l.puzzleIdentifiers, r.puzzleIdentifiers);
      const a = new Int32Array(162), b = new Int32Array(162);
      for (let i = 0; i < r.numExamples; i++) {
        r.fill(i, a.subarray(0, 81), a.subarray(81), 0);
        l.fill(i, b.subarray(0, 81), b.subarray(81), 0);
        assert.deepEqual(b, a, `${split} example ${i}`);
      }
      const expectExamples = split === "train" ? 6 * 4 : 4;
      assert.equal(r.numExamples, expectExamples);
      assert.equal(ref.metadata.total_groups, split === "train" ? 6 : 4);
    }
    const meta = JSON.parse(await Deno.readTextFile(`${root}/train/dataset.json`));
    assert.deepEqual(meta.sets, ["all"]);
    assert.equal(meta.vocab_size, 11);
    assert.equal(meta.num_puzzle_identifiers, 1);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(`${root}/identifiers.json`)), ["<blank>"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
