import assert from "node:assert/strict";
import { join } from "node:path";
import { copyArcSubset } from "./subset.ts";

Deno.test("ARC subset: first n folders per collection, first n files per folder, by name", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const src = join(dir, "src");
    const put = async (rel: string) => {
      await Deno.mkdir(join(src, rel, ".."), { recursive: true });
      await Deno.writeTextFile(join(src, rel), "{}");
    };
    for (const f of ["c.json", "a.json", "b.json"]) {
      await put(`ARC-AGI/data/training/${f}`);
      await put(`ARC-AGI/data/evaluation/${f}`);
    }
    for (const c of ["Zeta", "Alpha", "Beta"]) await put(`ConceptARC/corpus/${c}/${c}1.json`);
    const n = await copyArcSubset(src, join(dir, "out"), 2);
    assert.equal(n, 2 + 2 + 2);
    const list = (rel: string) =>
      [...Deno.readDirSync(join(dir, "out", rel))].map((e) => e.name).sort();
    assert.deepEqual(await list("ARC-AGI/data/training"), ["a.json", "b.json"]);
    assert.deepEqual(await list("ARC-AGI/data/evaluation"), ["a.json", "b.json"]);
    assert.deepEqual(await list("ConceptARC/corpus"), ["Alpha", "Beta"]);
    await assert.rejects(
      copyArcSubset(join(dir, "nope"), join(dir, "o2"), 1),
      /ARC source folder .* not found/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
