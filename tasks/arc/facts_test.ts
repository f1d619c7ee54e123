/**
 * Measured facts about the public ARC data, checked when `../shared/data/arc`
 * (a checkout of the three repositories) sits beside the project; skipped otherwise.
 */
import assert from "node:assert/strict";
import { planAugmentations } from "./augment.ts";
import { buildArc } from "./build.ts";
import { NumpyLegacyRandom } from "./mt19937.ts";
import { allPairs } from "./build_plan.ts";
import { loadUnit, presetUnits } from "./source.ts";

const SHARED = new URL("../../../shared/data/arc", import.meta.url).pathname;
const present = await Deno.stat(SHARED).then((s) => s.isDirectory).catch(() => false);
const quiet = { progress: false, log: () => {}, warn: () => {} };

Deno.test({
  name:
    "facts: arc1 and arc2 pair counts, and ARC-AGI-2 training leaks 376 ARC-AGI-1 evaluation tasks",
  ignore: !present,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const a1 = await buildArc({
        sources: [SHARED],
        preset: "arc1",
        aug: 0,
        seed: 42,
        out: `${dir}/1`,
        ...quiet,
      });
      assert.deepEqual([a1.tasks, a1.trainPairs, a1.testPairs, a1.testTasks], [
        960,
        3988,
        419,
        400,
      ]);
      assert.equal(a1.skipped.length, 0);
      assert.deepEqual(a1.leakWarnings, []);
      const a2 = await buildArc({
        sources: [SHARED],
        preset: "arc2",
        aug: 0,
        seed: 42,
        out: `${dir}/2`,
        ...quiet,
      });
      assert.deepEqual([a2.tasks, a2.trainPairs, a2.testPairs, a2.testTasks], [
        1120,
        4667,
        167,
        120,
      ]);
      assert.equal(a2.leakWarnings.length, 1);
      assert.match(a2.leakWarnings[0], /^376 of the 400 tasks of ARC-AGI\/data\/evaluation /);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "facts: 164 arc1 tasks use at most two non-black colours and cannot reach 1000 augmentations",
  ignore: !present,
  async fn() {
    const units = await Promise.all((await presetUnits([SHARED], "arc1")).map(loadUnit));
    const tasks = units.flatMap((u) => u.tasks);
    const low = tasks.filter((t) => {
      const colours = new Set<number>();
      for (const p of allPairs(t)) {
        for (const g of [p.input, p.output]) for (const v of g.cells) colours.add(v);
      }
      colours.delete(0);
      return colours.size <= 2;
    });
    assert.equal(low.length, 164);
    // At most 8 transforms x 9 x 8 colour choices = 576 distinct versions, the original included.
    const rng = new NumpyLegacyRandom(42);
    for (const t of low.slice(0, 3)) {
      assert.ok(planAugmentations(allPairs(t), 1000, rng).length <= 576);
    }
  },
});
