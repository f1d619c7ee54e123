import assert from "node:assert/strict";
import { buildArc } from "./build.ts";
import { findCollection, parseTask, TaskFileError } from "./source.ts";

const FIXTURES = new URL("../../fixtures/arc", import.meta.url).pathname;
const quiet = { progress: false, log: () => {}, warn: () => {} };
const ok = { input: [[1, 2], [3, 4]], output: [[0]] };

/** Copies the ARC-AGI-2 fixtures to `<dir>/src`; returns `<dir>/src`. */
async function copyArc2(dir: string): Promise<string> {
  const src = `${dir}/src`;
  for (const sub of ["ARC-AGI-2/data/training", "ARC-AGI-2/data/evaluation"]) {
    await Deno.mkdir(`${src}/${sub}`, { recursive: true });
    for await (const e of Deno.readDir(`${FIXTURES}/${sub}`)) {
      await Deno.copyFile(`${FIXTURES}/${sub}/${e.name}`, `${src}/${sub}/${e.name}`);
    }
  }
  return src;
}

const MALFORMED: [string, string, RegExp][] = [
  ["notjson", "{train: [", /bad\.json: not valid JSON/],
  ["array", "[1, 2]", /bad\.json: expected a JSON object/],
  ["notrain", JSON.stringify({ test: [ok] }), /bad\.json: missing 'train'/],
  ["notest", JSON.stringify({ train: [ok] }), /bad\.json: missing 'test'/],
  ["emptytrain", JSON.stringify({ train: [], test: [ok] }), /train: expected a non-empty list/],
  [
    "ragged",
    JSON.stringify({ train: [{ input: [[1, 2], [3]], output: [[1]] }], test: [ok] }),
    /train\[0\]\.input: not rectangular \(row 1 has 1 cells, row 0 has 2\)/,
  ],
  [
    "value10",
    JSON.stringify({ train: [ok], test: [{ input: [[1]], output: [[10]] }] }),
    /test\[0\]\.output: cell \[0\]\[0\] is 10, expected an integer 0-9/,
  ],
  [
    "float",
    JSON.stringify({ train: [{ input: [[1.5]], output: [[1]] }], test: [ok] }),
    /cell \[0\]\[0\] is 1\.5/,
  ],
  [
    "toolarge",
    JSON.stringify({ train: [{ input: Array(31).fill([1]), output: [[1]] }], test: [ok] }),
    /train\[0\]\.input: 31 rows, at most 30 allowed/,
  ],
  [
    "toowide",
    JSON.stringify({ train: [{ input: [Array(31).fill(1)], output: [[1]] }], test: [ok] }),
    /31 columns, at most 30 allowed/,
  ],
  [
    "nooutput",
    JSON.stringify({ train: [{ input: [[1]] }], test: [ok] }),
    /train\[0\]: missing 'output'/,
  ],
];

Deno.test("source: each kind of malformed task file is named with its problem", () => {
  for (const [label, text, pattern] of MALFORMED) {
    assert.throws(() => parseTask(text, "dir/bad.json"), (err: Error) => {
      assert.ok(err instanceof TaskFileError, label);
      assert.match(err.message, pattern, label);
      assert.ok(err.message.startsWith("dir/bad.json"), label);
      return true;
    });
  }
});

Deno.test("source: key order and the stem are kept", () => {
  const t = parseTask(JSON.stringify({ test: [ok], train: [ok, ok], name: "other" }), "a/x1.json");
  assert.equal(t.name, "x1");
  assert.deepEqual(t.keyOrder, ["test", "train"]);
  assert.equal(t.train.length, 2);
  assert.deepEqual([...t.train[0].input.cells], [1, 2, 3, 4]);
});

Deno.test("source: a malformed file fails the build in one line (nothing written); --skip-bad skips and counts it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const src = await copyArc2(dir);
    await Deno.writeTextFile(`${src}/ARC-AGI-2/data/training/zz_bad.json`, MALFORMED[5][1]);
    await Deno.writeTextFile(`${src}/ARC-AGI-2/data/evaluation/zz_worse.json`, "nope");
    const build = (out: string, skipBad?: boolean) =>
      buildArc({ sources: [src], preset: "arc2", aug: 2, seed: 0, out, skipBad, ...quiet });
    await assert.rejects(() => build(`${dir}/strict`), (err: Error) => {
      assert.equal(err.message.split("\n").length, 1);
      assert.match(
        err.message,
        /training\/zz_bad\.json: train\[0\]\.input: not rectangular \(row 1 has 1 cells, row 0 has 2\) \(2 malformed task files in all\); use --skip-bad to skip malformed task files$/,
      );
      return true;
    });
    // Nothing is left behind by the failed build.
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["src"]);
    const warnings: string[] = [];
    const summary = await buildArc({
      sources: [src],
      preset: "arc2",
      aug: 2,
      seed: 0,
      out: `${dir}/out`,
      skipBad: true,
      ...quiet,
      warn: (l) => warnings.push(l),
    });
    assert.equal(summary.tasks, 3);
    assert.equal(summary.skipped.length, 2);
    assert.match(summary.skipped[0], /training\/zz_bad\.json: train\[0\]\.input: not rectangular/);
    assert.match(summary.skipped[1], /evaluation\/zz_worse\.json: not valid JSON/);
    assert.equal(warnings.filter((w) => w.startsWith("skipping")).length, 2);
    const record = JSON.parse(await Deno.readTextFile(`${dir}/out/build.json`));
    assert.equal(record.summary.skipped.length, 2);
    // A non-empty --out is refused without --force.
    await assert.rejects(
      () =>
        buildArc({ sources: [src], preset: "arc2", aug: 0, seed: 0, out: `${dir}/out`, ...quiet }),
      /already exists and is not empty \(use --force/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("source: names colliding after sanitising, and an empty test split, are refused; nothing written", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const src = await copyArc2(dir);
    const task = await Deno.readTextFile(`${src}/ARC-AGI-2/data/training/c1mirror.json`);
    await Deno.writeTextFile(`${src}/ARC-AGI-2/data/training/c1 mirror.json`, task);
    await Deno.writeTextFile(`${src}/ARC-AGI-2/data/training/c1_mirror.json`, task);
    const build = (skipBad = false) =>
      buildArc({
        sources: [src],
        preset: "arc2",
        aug: 1,
        seed: 0,
        out: `${dir}/o`,
        skipBad,
        ...quiet,
      });
    await assert.rejects(
      build,
      /task names 'c1 mirror' \(.*training\/c1 mirror\.json\) and 'c1_mirror' \(.*training\/c1_mirror\.json\) map to the same file name c1_mirror\.svg; rename one of the files$/,
    );
    await Deno.remove(`${src}/ARC-AGI-2/data/training/c1 mirror.json`);
    await Deno.remove(`${src}/ARC-AGI-2/data/training/c1_mirror.json`);
    await Deno.writeTextFile(`${src}/ARC-AGI-2/data/training/C1MIRROR.json`, task);
    await assert.rejects(
      build,
      /'C1MIRROR' .* and 'c1mirror' .* map to the same file name c1mirror\.svg/,
    );
    await Deno.remove(`${src}/ARC-AGI-2/data/training/C1MIRROR.json`);
    // The only evaluation task is malformed: skipping it would leave the test split empty.
    await Deno.writeTextFile(`${src}/ARC-AGI-2/data/evaluation/d1grow.json`, "{}");
    await assert.rejects(
      () => build(true),
      /no evaluation task in .*ARC-AGI-2\/data\/evaluation \(1 malformed task files skipped\): the test split would be empty$/,
    );
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["src"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("source: collections are found in a parent folder or as a checkout", async () => {
  assert.equal(
    await findCollection([FIXTURES], { repo: "ConceptARC", sub: "corpus" }),
    `${FIXTURES}/ConceptARC/corpus`,
  );
  assert.equal(
    await findCollection([`${FIXTURES}/ARC-AGI-2`], { repo: "ARC-AGI-2", sub: "data" }),
    `${FIXTURES}/ARC-AGI-2/data`,
  );
  // ARC-AGI-2's checkout is not mistaken for ARC-AGI's.
  assert.equal(
    await findCollection([`${FIXTURES}/ARC-AGI-2`], { repo: "ARC-AGI", sub: "data" }),
    null,
  );
  await assert.rejects(
    () =>
      buildArc({
        sources: [`${FIXTURES}/ARC-AGI`],
        preset: "arc1",
        aug: 0,
        seed: 0,
        out: "/nonexistent/x",
        ...quiet,
      }),
    /preset arc1 needs ConceptARC\/corpus: not found under --source/,
  );
});
