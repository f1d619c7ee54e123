import assert from "node:assert/strict";
import { readReferenceSplit, type SplitName } from "../dataset.ts";
import { buildArc } from "./build.ts";
import { CompactSet, openCompactSplit } from "./compact.ts";
import { SEQ_LEN } from "./encode.ts";
import { verifyArc } from "./verify.ts";

const FIXTURES = new URL("../../fixtures/arc", import.meta.url).pathname;
const REFERENCE = JSON.parse(await Deno.readTextFile(`${FIXTURES}/reference_digests.json`));

async function sha256(bytes: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Digest of every file under `dir` (relative path -> sha256). */
async function digestTree(dir: string, prefix = ""): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const names = [];
  for await (const e of Deno.readDir(`${dir}/${prefix}`)) names.push(e);
  for (const e of names.sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) Object.assign(out, await digestTree(dir, rel));
    else out[rel] = await sha256(await Deno.readFile(`${dir}/${rel}`));
  }
  return out;
}

const quiet = { progress: false, log: () => {}, warn: () => {} };

for (const preset of ["arc1", "arc2"] as const) {
  Deno.test(`build ${preset}: .npy layout is byte-identical to the reference builder's`, async () => {
    const ref = REFERENCE[preset];
    const out = await Deno.makeTempDir();
    try {
      const summary = await buildArc({
        sources: [FIXTURES],
        preset,
        aug: ref.aug,
        seed: ref.seed,
        out: `${out}/d`,
        writeReferenceLayout: true,
        ...quiet,
      });
      const tree = await digestTree(`${out}/d`);
      for (const [file, digest] of Object.entries(ref.npy_sha256)) {
        assert.equal(tree[file], digest, file);
      }
      const ids: string[] = JSON.parse(await Deno.readTextFile(`${out}/d/identifiers.json`));
      assert.equal(ids.length, ref.identifiers_count);
      assert.equal(await sha256(new TextEncoder().encode(ids.join("\n"))), ref.identifiers_sha256);
      for (const split of ["train", "test"]) {
        const meta = JSON.parse(await Deno.readTextFile(`${out}/d/${split}/dataset.json`));
        assert.deepEqual(meta, ref.dataset_json[split]);
      }
      if (preset === "arc1") {
        assert.equal(summary.tasks, 7);
        assert.deepEqual(summary.shortAugmentation, { a2flipud: 71 });
        assert.equal(summary.testTasks, 2);
        assert.equal(summary.testPairs, 3);
        assert.equal(summary.leakWarnings.length, 0);
      } else {
        // ARC-AGI-2 training holds a test pair of ARC-AGI evaluation b1recolour.
        assert.equal(summary.leakWarnings.length, 1);
        assert.match(summary.leakWarnings[0], /^1 of the 2 tasks of ARC-AGI\/data\/evaluation/);
      }
      // fill() of the compact store equals the materialised layout, example by example.
      for (const split of ["train", "test"] as SplitName[]) {
        const compact = (await openCompactSplit(`${out}/d`, split)).sets.get("all") as CompactSet;
        const dense = (await readReferenceSplit(`${out}/d`, split)).sets.get("all")!;
        assert.equal(compact.numExamples, dense.numExamples);
        assert.deepEqual(compact.puzzleIdentifiers, dense.puzzleIdentifiers);
        assert.deepEqual(compact.puzzleIndices, dense.puzzleIndices);
        assert.deepEqual(compact.groupIndices, dense.groupIndices);
        const a = new Int32Array(2 * SEQ_LEN), b = new Int32Array(2 * SEQ_LEN);
        const c = new Int32Array(2 * SEQ_LEN), d = new Int32Array(2 * SEQ_LEN);
        for (let i = 0; i < compact.numExamples; i++) {
          compact.fill(i, a, b, SEQ_LEN);
          dense.fill(i, c, d, SEQ_LEN);
          assert.deepEqual(a, c, `${split} example ${i} inputs`);
          assert.deepEqual(b, d, `${split} example ${i} labels`);
        }
      }
      const report = await verifyArc(`${out}/d`, { all: true });
      assert.ok(report.ok, report.lines.join("\n"));
      // A changed token in the .npy layout is found.
      const labels = await Deno.readFile(`${out}/d/test/all__labels.npy`);
      labels[labels.length - 1] ^= 1;
      await Deno.writeFile(`${out}/d/test/all__labels.npy`, labels);
      const bad = await verifyArc(`${out}/d`, { all: true });
      assert.ok(!bad.ok);
      assert.ok(
        bad.lines.some((l) => /1 examples differ from the \.npy layout/.test(l)),
        bad.lines.join("\n"),
      );
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  });
}

Deno.test("build: the same seed gives the same bytes; another seed does not", async () => {
  const out = await Deno.makeTempDir();
  try {
    const run = (name: string, seed: number) =>
      buildArc({
        sources: [FIXTURES],
        preset: "arc1",
        aug: 30,
        seed,
        out: `${out}/${name}`,
        ...quiet,
      });
    await run("a", 11);
    await run("b", 11);
    await run("c", 12);
    const [a, b, c] = await Promise.all(["a", "b", "c"].map((n) => digestTree(`${out}/${n}`)));
    assert.deepEqual(a, b);
    assert.notEqual(a["train/all__compact.safetensors"], c["train/all__compact.safetensors"]);
    // Pinned: a change here means the compact format or the random stream changed.
    assert.deepEqual(
      Object.keys(a),
      [
        "arc_grids.safetensors",
        "build.json",
        "identifiers.json",
        "test/all__compact.safetensors",
        "test/dataset.json",
        "train/all__compact.safetensors",
        "train/dataset.json",
      ],
    );
    assert.equal(
      await sha256(new TextEncoder().encode(JSON.stringify(a))),
      "e8aedad25b6a7c5ca99d8f8dc5e8bf530e6d751ba5c3b655ae842fdfacabf429",
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("build --out: refused before loading sources, nothing deleted; a killed build is unfinished", async () => {
  const out = await Deno.makeTempDir();
  try {
    const run = (dir: string, force: boolean, sources = [FIXTURES]) =>
      buildArc({ sources, preset: "arc1", aug: 3, seed: 1, out: dir, force, ...quiet });
    await Deno.mkdir(`${out}/mine`);
    await Deno.writeTextFile(`${out}/mine/notes.txt`, "keep me");
    // Missing sources would fail the build later: the --out refusal comes first.
    for (const force of [false, true]) {
      await assert.rejects(
        run(`${out}/mine`, force, [`${out}/no-such-source`]),
        /mine: is not empty and was not built by deno task data arc \(no build\.json\)/,
      );
    }
    await assert.rejects(run(".", true, [`${out}/no-such-source`]), /\.: is the current folder/);
    assert.equal(await Deno.readTextFile(`${out}/mine/notes.txt`), "keep me");
    // What a build killed midway leaves: the unfinished marker and part of its files.
    const k = `${out}/k`;
    await Deno.mkdir(k);
    await Deno.writeTextFile(`${k}/build.json`, JSON.stringify({ task: "arc", unfinished: true }));
    await Deno.writeFile(`${k}/arc_grids.safetensors`, new Uint8Array(5));
    await assert.rejects(verifyArc(k, {}), new RegExp(`${k}: unfinished arc build`));
    await assert.rejects(run(k, false), /replace this unfinished arc build/);
    await run(k, true);
    await run(`${out}/fresh`, false);
    assert.deepEqual(await digestTree(k), await digestTree(`${out}/fresh`));
    assert.ok((await verifyArc(k, {})).ok);
    // Replacing a finished build with --write-reference-layout by one without it.
    await buildArc({
      sources: [FIXTURES],
      preset: "arc1",
      aug: 3,
      seed: 1,
      out: k,
      force: true,
      writeReferenceLayout: true,
      ...quiet,
    });
    await run(k, true);
    assert.deepEqual(await digestTree(k), await digestTree(`${out}/fresh`));
    assert.deepEqual([...Deno.readDirSync(out)].map((e) => e.name).sort(), ["fresh", "k", "mine"]);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
