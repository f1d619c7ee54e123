import assert from "node:assert/strict";
import { importCsv, type ImportOptions } from "./import_csv.ts";
import { verifySudoku } from "./verify.ts";
import { readNpy, writeNpy } from "../../io/mod.ts";

const BAD = new URL("../../fixtures/sudoku/official_bad_rows", import.meta.url).pathname;
const HEADER = "source,question,answer,rating";
const GOOD = await Deno.readTextFile(`${BAD}/test.csv`);
/** A solved grid (the fixture's); `nonUnique` blanks a rectangle of it to get two solutions. */
const ANSWER = "529361874431987265786452193912673458365248719874519326248196537653724981197835642";

async function quietly<T>(body: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void lines.push(a.join(" "));
  try {
    return { value: await body(), lines };
  } finally {
    console.log = log;
  }
}

function options(dir: string, out: string, more: Partial<ImportOptions> = {}): ImportOptions {
  return {
    dir,
    out,
    seed: 1,
    aug: 1,
    skipBad: false,
    force: false,
    writeReferenceLayout: false,
    ...more,
  };
}

/** ANSWER with an unavoidable rectangle blanked: 2 rows of one band, 2 columns, digits a/b swapped. */
function nonUnique(): string {
  const cells = ANSWER.split("");
  for (let r1 = 0; r1 < 9; r1++) {
    for (let r2 = r1 + 1; r2 < 9 && Math.floor(r2 / 3) === Math.floor(r1 / 3); r2++) {
      for (let c1 = 0; c1 < 9; c1++) {
        for (let c2 = c1 + 1; c2 < 9; c2++) {
          const [a, b] = [cells[r1 * 9 + c1], cells[r1 * 9 + c2]];
          if (cells[r2 * 9 + c1] === b && cells[r2 * 9 + c2] === a) {
            const q = cells.slice();
            for (const i of [r1 * 9 + c1, r1 * 9 + c2, r2 * 9 + c1, r2 * 9 + c2]) q[i] = ".";
            return q.join("");
          }
        }
      }
    }
  }
  throw new Error("no rectangle");
}

Deno.test("import: a bad row fails by default in one line naming file, line and count; nothing written", async () => {
  const root = await Deno.makeTempDir();
  try {
    await assert.rejects(
      () => importCsv(options(BAD, `${root}/out`)),
      (err: Error) => {
        assert.equal(err.message.split("\n").length, 1);
        assert.match(
          err.message,
          /official_bad_rows\/train\.csv: 4 bad rows \(lines 4, 5, 7, 8\): line 4: question has 80 characters, expected 81 \(use --skip-bad to skip bad rows\)$/,
        );
        return true;
      },
    );
    assert.deepEqual([...Deno.readDirSync(root)], []);
    // --skip-bad imports the rest and reports the count and the first lines.
    const { lines } = await quietly(() =>
      importCsv(options(BAD, `${root}/out`, { skipBad: true }))
    );
    assert.ok(lines.some((l) => /train\.csv: 4 bad rows \(lines 4, 5, 7, 8\).*skipped/.test(l)));
    const build = JSON.parse(await Deno.readTextFile(`${root}/out/build.json`));
    assert.deepEqual(build.skipped_bad_rows, { train: 4 });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("import: a puzzle that is not uniquely solvable is refused (or skipped); empty splits fail", async () => {
  const root = await Deno.makeTempDir();
  try {
    const src = `${root}/src`;
    await Deno.mkdir(src);
    const twice = nonUnique();
    await Deno.writeTextFile(`${src}/train.csv`, GOOD);
    await Deno.writeTextFile(`${src}/test.csv`, `${GOOD}forum-hardest,${twice},${ANSWER},3\n`);
    await assert.rejects(
      () => importCsv(options(src, `${root}/out`)),
      /src\/test\.csv: 1 bad row \(line 4\): line 4: question is not uniquely solvable \(2 or more solutions\) \(use --skip-bad/,
    );
    assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name), ["src"]);
    const { lines } = await quietly(() =>
      importCsv(options(src, `${root}/out`, { skipBad: true }))
    );
    assert.ok(lines.some((l) => /test\.csv: line 4: question is not uniquely solvable/.test(l)));
    assert.ok(lines.some((l) => /imported 2 train \/ 2 test/.test(l)));
    // A split left empty (by --min-difficulty here) fails before anything is written.
    await assert.rejects(
      () => importCsv(options(src, `${root}/none`, { minDifficulty: 1000 })),
      /src\/train\.csv: no puzzles to import \(2 data rows: 0 bad, 2 below --min-difficulty\); an empty split is an error$/,
    );
    await Deno.writeTextFile(`${src}/test.csv`, `${HEADER}\n`);
    await assert.rejects(
      () => importCsv(options(src, `${root}/none`)),
      /src\/test\.csv: no puzzles to import \(0 data rows: 0 bad\); an empty split is an error$/,
    );
    assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name).sort(), ["out", "src"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("verify: the reference .npy layout of a compact build is checked (overwritten test labels fail)", async () => {
  const root = await Deno.makeTempDir();
  try {
    const out = `${root}/out`;
    await quietly(() =>
      importCsv(options(BAD, out, { skipBad: true, writeReferenceLayout: true }))
    );
    assert.ok((await verifySudoku(out, {})).ok);
    const ok = await verifySudoku(out, {});
    assert.ok(ok.lines.some((l) => /test: reference \.npy layout equals the compact form/.test(l)));
    // Every test label overwritten with the first one: the compact form still passes.
    const path = `${out}/test/all__labels.npy`;
    const labels = await readNpy(path);
    const data = labels.data as Uint8Array;
    for (let i = 81; i < data.length; i += 81) data.set(data.subarray(0, 81), i);
    await writeNpy(path, labels);
    const bad = await verifySudoku(out, {});
    assert.equal(bad.ok, false);
    assert.ok(
      bad.lines.some((l) =>
        /problem: .*test\/all__labels\.npy: example 1: labels differ from the compact form/.test(l)
      ),
      bad.lines.join("\n"),
    );
    // A dataset.json that disagrees with the compact store is refused when the split is read.
    const meta = JSON.parse(await Deno.readTextFile(`${out}/test/dataset.json`));
    await Deno.writeTextFile(
      `${out}/test/dataset.json`,
      JSON.stringify({ ...meta, total_groups: 7 }),
    );
    await assert.rejects(
      () => verifySudoku(out, {}),
      /test\/dataset\.json: field 'total_groups' is 7, expected 2 \(a Sudoku split of 2 puzzles/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
