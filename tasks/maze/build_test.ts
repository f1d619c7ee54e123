import assert from "node:assert/strict";
import { readReferenceSplit } from "../dataset.ts";
import { writeNpy } from "../../io/npy.ts";
import { buildMaze, DATA_FILES } from "./build.ts";
import { decodeGrid } from "./grid.ts";
import { type BuildOptions, parseBuildArgs } from "./options.ts";
import { verifyMaze } from "./verify.ts";

function options(out: string, extra: Partial<BuildOptions> = {}): BuildOptions {
  return {
    seed: 3,
    train: 12,
    test: 8,
    out,
    size: 12,
    minPath: 24,
    aug: false,
    workers: 1,
    skipBad: false,
    force: false,
    quiet: true,
    ...extra,
  };
}

async function readAll(dir: string): Promise<Record<string, Uint8Array>> {
  const out: Record<string, Uint8Array> = {};
  for (const f of [...DATA_FILES, "build.json"]) out[f] = await Deno.readFile(`${dir}/${f}`);
  return out;
}

Deno.test("build: same seed -> same bytes, whatever the worker count; verify passes", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const s1 = await buildMaze(options(`${tmp}/a`));
    await buildMaze(options(`${tmp}/b`, { workers: 2 }));
    assert.deepEqual(await readAll(`${tmp}/a`), await readAll(`${tmp}/b`));
    await buildMaze(options(`${tmp}/c`, { seed: 4 }));
    const c = await readAll(`${tmp}/c`);
    assert.notDeepEqual(
      c["train/all__inputs.npy"],
      (await readAll(`${tmp}/a`))["train/all__inputs.npy"],
    );
    assert.equal(s1.counts.train.mazes, 12);
    assert.ok(s1.pathLength.train.min > 24 && s1.pathLength.test.min > 24);
    assert.equal(s1.pathLength.train.count, 12);
    const sp = s1.shortestPaths.train;
    assert.ok(sp.min >= 1 && sp.min <= sp.median && sp.median <= sp.max && sp.unique <= 12);
    const report = await verifyMaze(`${tmp}/a`);
    assert.ok(report.ok, report.lines.join("\n"));
    assert.ok(report.lines.some((l) => l.includes("labelling rule picks the label 12/12")));
    // Reference layout and metadata.
    const train = await readReferenceSplit(`${tmp}/a`, "train");
    assert.deepEqual(train.metadata, {
      pad_id: 0,
      ignore_label_id: 0,
      blank_identifier_id: 0,
      vocab_size: 6,
      seq_len: 144,
      num_puzzle_identifiers: 1,
      total_groups: 12,
      mean_puzzle_examples: 1,
      sets: ["all"],
    });
    assert.equal(await Deno.readTextFile(`${tmp}/a/identifiers.json`), '[\n  "<blank>"\n]\n');
    // No overwrite without --force; nothing left behind.
    await assert.rejects(
      buildMaze(options(`${tmp}/a`)),
      /a: already exists and is not empty \(use --force to replace this finished maze build\)$/,
    );
    await assert.rejects(
      buildMaze(options(`${tmp}/e`, { minPath: 100 })),
      /--min-path 100 is impossible on a 12x12 grid with at least 43 walls/,
    );
    await buildMaze(options(`${tmp}/a`, { force: true, seed: 4 }));
    assert.deepEqual(await readAll(`${tmp}/a`), c);
    assert.deepEqual([...Deno.readDirSync(tmp)].map((e) => e.name).sort(), ["a", "b", "c"]);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("build --aug: 8 dihedral examples per training maze; verify catches a bad label", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const s = await buildMaze(options(`${tmp}/d`, { aug: true, train: 4, test: 3 }));
    assert.deepEqual(s.counts, {
      train: { mazes: 4, examples: 32 },
      test: { mazes: 3, examples: 3 },
    });
    const train = await readReferenceSplit(`${tmp}/d`, "train");
    const set = train.sets.get("all")!;
    assert.deepEqual([...set.groupIndices], [0, 8, 16, 24, 32]);
    assert.equal(set.puzzleIndices.length, 33);
    assert.ok((await verifyMaze(`${tmp}/d`)).ok);
    // Erase one path cell of test maze 1: the label is no longer a path.
    const test = await readReferenceSplit(`${tmp}/d`, "test");
    const labels = Uint8Array.from(
      (test.sets.get("all") as unknown as { labels: Int32Array }).labels,
    );
    const cell = labels.indexOf(5, 144);
    labels[cell] = 2;
    await writeNpy(`${tmp}/d/test/all__labels.npy`, { dtype: "u8", shape: [3, 144], data: labels });
    const report = await verifyMaze(`${tmp}/d`);
    assert.equal(report.ok, false);
    assert.ok(report.lines.some((l) => /test maze 1: label is not a valid shortest path/.test(l)));
    assert.ok(report.lines.some((l) => /test\/all__labels\.npy: digest/.test(l)));
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

/** Writes a built folder's mazes as official-style CSV files. */
async function exportCsv(dir: string, csvDir: string): Promise<void> {
  await Deno.mkdir(csvDir, { recursive: true });
  for (const split of ["train", "test"] as const) {
    const data = await readReferenceSplit(dir, split);
    const set = data.sets.get("all") as unknown as { inputs: Int32Array; labels: Int32Array };
    const s = data.metadata.seq_len;
    const rows = ["source,question,answer,rating"];
    for (let i = 0; i < set.inputs.length / s; i++) {
      const q = decodeGrid(set.inputs.subarray(i * s, (i + 1) * s));
      const a = decodeGrid(set.labels.subarray(i * s, (i + 1) * s));
      rows.push(`gen,${q},"${a}",${i}`);
    }
    await Deno.writeTextFile(`${csvDir}/${split}.csv`, rows.join("\n") + "\n");
  }
}

Deno.test("build --from-csv: round trip, and bad rows by line number", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    await buildMaze(options(`${tmp}/gen`, { train: 5, test: 4 }));
    await exportCsv(`${tmp}/gen`, `${tmp}/csv`);
    const s = await buildMaze(options(`${tmp}/imp`, { fromCsv: `${tmp}/csv`, size: 30 }));
    assert.equal(s.source, "csv");
    assert.equal(s.args.size, 12);
    const gen = await readAll(`${tmp}/gen`);
    const imp = await readAll(`${tmp}/imp`);
    for (const f of DATA_FILES) assert.deepEqual(imp[f], gen[f], f);
    assert.ok((await verifyMaze(`${tmp}/imp`)).ok);
    // Break the 3rd and 4th mazes of test.csv (lines 4 and 5).
    const lines = (await Deno.readTextFile(`${tmp}/csv/test.csv`)).split("\n");
    lines[3] = lines[3].replace("G", "x");
    lines[4] = lines[4].replace(/o/g, " ");
    await Deno.writeTextFile(`${tmp}/csv/test.csv`, lines.join("\n"));
    await assert.rejects(
      buildMaze(options(`${tmp}/bad`, { fromCsv: `${tmp}/csv` })),
      (err: Error) => {
        assert.match(err.message, /^2 bad rows \(use --skip-bad/);
        assert.ok(!err.message.includes("\n"), "one line");
        assert.match(err.message, /test\.csv:4: question has unknown character "x"/);
        assert.match(err.message, /test\.csv:5: answer path does not connect S to G/);
        return true;
      },
    );
    const skipped = await buildMaze(
      options(`${tmp}/bad`, { fromCsv: `${tmp}/csv`, skipBad: true }),
    );
    assert.deepEqual(skipped.badRows, { train: 0, test: 2 });
    assert.equal(skipped.counts.test.mazes, 2);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("parseBuildArgs: defaults, flags and one-line errors", () => {
  const o = parseBuildArgs(["--out", "d", "--seed", "7", "--aug", "--min-path", "20"])!;
  assert.deepEqual(
    [o.seed, o.train, o.test, o.size, o.minPath, o.aug, o.workers, o.out],
    [7, 1000, 1000, 30, 20, true, 2, "d"],
  );
  assert.throws(
    () => parseBuildArgs(["--out", "d", "--seed", "x"]),
    /--seed must be a non-negative/,
  );
  assert.throws(() => parseBuildArgs([]), /required option '--out <dir>'/);
  assert.throws(() => parseBuildArgs(["--out", "d", "--train", "0"]), /--train: /);
  assert.throws(() => parseBuildArgs(["--out", "d", "--bogus"]), /unknown option '--bogus'/);
});

Deno.test("build --out: refused before any work and nothing deleted; a killed build is unfinished", async () => {
  const tmp = await Deno.makeTempDir();
  const real = globalThis.Worker;
  let started = 0;
  globalThis.Worker = class {
    constructor() {
      started++;
      throw new Error("no worker may start");
    }
  } as unknown as typeof Worker;
  try {
    await Deno.mkdir(`${tmp}/mine`);
    await Deno.writeTextFile(`${tmp}/mine/keep.ts`, "export {};\n");
    for (const force of [false, true]) {
      await assert.rejects(
        buildMaze(options(`${tmp}/mine`, { train: 100000, workers: 2, force })),
        new RegExp(`${tmp}/mine: is a source folder \\(it holds keep\\.ts\\); refusing`),
      );
    }
    for (const out of [".", "..", new URL("../..", import.meta.url).pathname]) {
      await assert.rejects(
        buildMaze(options(out, { train: 100000, workers: 2, force: true })),
        /current folder|parent of the current folder|git repository/,
      );
    }
    assert.equal(started, 0);
    assert.deepEqual([...Deno.readDirSync(tmp)].map((e) => e.name), ["mine"]);
    assert.equal(await Deno.readTextFile(`${tmp}/mine/keep.ts`), "export {};\n");
  } finally {
    globalThis.Worker = real;
  }
  try {
    // A build killed midway: its unfinished marker and part of its files.
    const k = `${tmp}/k`;
    await Deno.mkdir(`${k}/train`, { recursive: true });
    await Deno.writeTextFile(`${k}/build.json`, JSON.stringify({ task: "maze", unfinished: true }));
    await Deno.writeFile(`${k}/train/all__inputs.npy`, new Uint8Array(7));
    await assert.rejects(verifyMaze(k), new RegExp(`${k}: unfinished maze build \\(interrupted`));
    await assert.rejects(buildMaze(options(k)), /replace this unfinished maze build/);
    await buildMaze(options(k, { force: true }));
    await buildMaze(options(`${tmp}/fresh`));
    assert.deepEqual(await readAll(k), await readAll(`${tmp}/fresh`));
    assert.ok((await verifyMaze(k)).ok);
    // Another task's build is not ours to replace.
    await Deno.remove(`${tmp}/mine/keep.ts`);
    await Deno.writeTextFile(`${tmp}/mine/build.json`, JSON.stringify({ task: "sudoku" }));
    await assert.rejects(
      buildMaze(options(`${tmp}/mine`, { force: true })),
      /mine: holds a sudoku build, not a maze one; refusing to replace it/,
    );
    assert.ok(await Deno.stat(`${tmp}/mine/build.json`));
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
