import assert from "node:assert/strict";
import { parseCsvLine, readOfficialCsv } from "./csv.ts";
import { importCsv } from "./import_csv.ts";
import { openCompactSplit } from "./store.ts";
import { readReferenceSplit } from "../dataset.ts";
import { verifySudoku } from "./verify.ts";

const DIR = new URL("../../fixtures/sudoku/official_bad_rows", import.meta.url).pathname;

Deno.test("csv: malformed rows are reported by line number", async () => {
  const rows: number[] = [];
  const problems = await readOfficialCsv(`${DIR}/train.csv`, (r) => rows.push(r.rating));
  assert.equal(rows.length, 4);
  assert.deepEqual(problems.map((p) => p.line), [4, 5, 7, 8]);
  assert.match(problems[0].message, /question has 80 characters, expected 81/);
  assert.match(problems[1].message, /character 'x' at position 11/);
  assert.match(problems[2].message, /where the question gives/);
  assert.match(problems[3].message, /not a valid completed grid/);
  await assert.rejects(
    () => readOfficialCsv(`${DIR}/train.csv`, () => {}, true),
    /train\.csv: line 4: question has 80 characters/,
  );
  assert.match(String(parseCsvLine("a,b")), /expected 4 fields/);
});

Deno.test("csv: import writes the reference layout with seeded subsampling", async () => {
  const root = await Deno.makeTempDir();
  const log = console.log;
  console.log = () => {};
  try {
    await importCsv({
      dir: DIR,
      out: `${root}/a`,
      seed: 1,
      aug: 2,
      subsample: 3,
      skipBad: true,
      force: false,
      writeReferenceLayout: true,
    });
    await importCsv({
      dir: DIR,
      out: `${root}/b`,
      seed: 1,
      aug: 2,
      subsample: 3,
      skipBad: true,
      force: false,
      writeReferenceLayout: true,
    });
    const train = await readReferenceSplit(`${root}/a`, "train");
    assert.equal(train.metadata.total_groups, 3);
    assert.equal(train.sets.get("all")!.numExamples, 9);
    const test = await readReferenceSplit(`${root}/a`, "test");
    assert.equal(test.sets.get("all")!.numExamples, 2);
    const lazy = await openCompactSplit(`${root}/a`, "train");
    assert.equal(lazy.sets.get("all")!.numExamples, 9);
    assert.equal(
      await Deno.readTextFile(`${root}/a/train.csv`),
      await Deno.readTextFile(`${root}/b/train.csv`),
    );
    const report = await verifySudoku(`${root}/a`, {});
    assert.ok(report.ok, report.lines.join("\n"));
    assert.ok(report.lines.some((l) => /sampled official ratings equal our rater's/.test(l)));
    // The official source column survives the round trip.
    assert.match(
      await Deno.readTextFile(`${root}/a/test.csv`),
      /^source,question,answer,rating\n(kaggle|forum-hardest),/,
    );
    await assert.rejects(
      () =>
        importCsv({
          dir: DIR,
          out: `${root}/c`,
          seed: 1,
          aug: 0,
          skipBad: false,
          force: false,
          writeReferenceLayout: false,
        }),
      /line 4/,
    );
  } finally {
    console.log = log;
    await Deno.remove(root, { recursive: true });
  }
});
