import assert from "node:assert/strict";
import { readReferenceSplit } from "../dataset.ts";
import { buildCommand } from "./cli.ts";
import { openCompactSplit } from "./store.ts";
import { verifySudoku } from "./verify.ts";
import { sudokuTask } from "./mod.ts";

const REPO = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

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

/** Runs `body` with Worker replaced by a stub that counts (and refuses) every start. */
async function countingWorkers(body: () => Promise<void>): Promise<number> {
  const real = globalThis.Worker;
  let started = 0;
  globalThis.Worker = class {
    constructor() {
      started++;
      throw new Error("no worker may start");
    }
  } as unknown as typeof Worker;
  try {
    await body();
  } finally {
    globalThis.Worker = real;
  }
  return started;
}

Deno.test("build --out: refused before any work, nothing deleted; --force replaces only ours", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${root}/mine`);
    await Deno.writeTextFile(`${root}/mine/notes.txt`, "keep me");
    // A big build on 2 workers: refused before a worker starts or a file is written.
    const big = [...SMALL, "--train", "100000", "--workers", "2"];
    const started = await countingWorkers(async () => {
      for (const force of [[], ["--force"]]) {
        await assert.rejects(
          buildCommand([...big, "--out", `${root}/mine`, ...force]),
          new RegExp(`${root}/mine: is not empty and was not built by deno task data sudoku`),
        );
      }
      // The import is refused before its CSV folder is read.
      await assert.rejects(
        buildCommand(["--from-csv", `${root}/no-csv`, "--out", `${root}/mine`, "--force"]),
        /mine: is not empty and was not built/,
      );
      for (
        const [out, why] of [
          [".", /\.: is the current folder; refusing to replace it$/],
          ["..", /\.\.: is a parent of the current folder/],
          [REPO, /: is the current folder|: is a parent of|: is a git repository/],
          [`${REPO}/tasks/sudoku`, /sudoku: git tracks files in it|sudoku: is a source folder/],
        ] as const
      ) {
        await assert.rejects(buildCommand([...big, "--out", out, "--force"]), why);
      }
    });
    assert.equal(started, 0);
    assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name), ["mine"]);
    assert.equal(await Deno.readTextFile(`${root}/mine/notes.txt`), "keep me");
    assert.ok((await Deno.stat(`${REPO}/.git`)).isDirectory);
    assert.ok((await Deno.stat(`${REPO}/tasks/sudoku/build.ts`)).isFile);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("build: a killed build is unfinished for verify; --force replaces it and a finished one", async () => {
  const root = await Deno.makeTempDir();
  try {
    // What a build killed while writing leaves: the unfinished marker and some files.
    const k = `${root}/k`;
    await Deno.mkdir(`${k}/train`, { recursive: true });
    await Deno.writeTextFile(
      `${k}/build.json`,
      JSON.stringify({ task: "sudoku", unfinished: true }),
    );
    await Deno.writeFile(`${k}/train/sudoku__puzzles.npy`, new Uint8Array(10));
    await assert.rejects(verifySudoku(k, {}), new RegExp(`${k}: unfinished sudoku build`));
    await assert.rejects(
      quiet(() => buildCommand([...SMALL, "--workers", "0", "--out", k])),
      /k: already exists and is not empty \(use --force to replace this unfinished sudoku build\)/,
    );
    await quiet(() => buildCommand([...SMALL, "--workers", "0", "--out", k, "--force"]));
    assert.equal(await digest(k), GOLDEN);
    assert.ok((await verifySudoku(k, {})).ok);
    // A finished build of ours is replaced too, and nothing is left beside it.
    await quiet(() => buildCommand([...SMALL, "--workers", "0", "--out", k, "--force"]));
    assert.equal(await digest(k), GOLDEN);
    assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name), ["k"]);
    // A file we did not write stops --force; it and the build stay.
    await Deno.writeTextFile(`${k}/reproduce-build.json`, "{}");
    await assert.rejects(
      quiet(() => buildCommand([...SMALL, "--workers", "0", "--out", k, "--force"])),
      /k: holds reproduce-build\.json, which deno task data sudoku did not write/,
    );
    await Deno.remove(`${k}/reproduce-build.json`);
    assert.equal(await digest(k), GOLDEN);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
