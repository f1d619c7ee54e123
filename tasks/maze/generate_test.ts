import assert from "node:assert/strict";
import { bfs, solve } from "./bfs.ts";
import {
  defaultWallRange,
  generateMaze,
  listLongPairs,
  type MazeParams,
  Scratch,
} from "./generate.ts";
import { GOAL, OPEN, START, WALL } from "./grid.ts";
import { generateMany } from "./pool.ts";
import { Rng } from "../../util/rng.ts";
import { checkPath } from "./score.ts";

const SMALL: MazeParams = { size: 12, minPath: 24, wallMin: 43, wallMax: 72 };

/** All ordered pairs with distance > minPath, by a BFS from every open cell. */
function bruteForcePairs(open: Uint8Array, n: number, minPath: number): Set<string> {
  const out = new Set<string>();
  for (let s = 0; s < n * n; s++) {
    if (!open[s]) continue;
    const d = bfs(open, n, s);
    for (let g = 0; g < n * n; g++) if (d[g] > minPath) out.add(`${s},${g}`);
  }
  return out;
}

Deno.test("listLongPairs: exactly the long pairs, each once, on random layouts", () => {
  const rng = Rng.fromKey([2024]);
  let nonEmpty = 0;
  for (let trial = 0; trial < 150; trial++) {
    const n = 6 + rng.int(7);
    const cells = n * n;
    const open = new Uint8Array(cells);
    const density = 0.15 + 0.35 * (rng.int(1000) / 1000);
    for (let c = 0; c < cells; c++) open[c] = rng.int(1000) / 1000 < density ? 0 : 1;
    const minPath = rng.int(2 * n);
    const scratch = new Scratch(cells);
    const count = listLongPairs(open, n, minPath, scratch);
    const got = Array.from(
      scratch.pairs.subarray(0, count),
      (p) => `${Math.floor(p / cells)},${p % cells}`,
    );
    const want = bruteForcePairs(open, n, minPath);
    assert.equal(new Set(got).size, got.length, "no duplicates");
    assert.deepEqual(new Set(got), want, `trial ${trial}`);
    if (count) nonEmpty++;
  }
  assert.ok(nonEmpty > 30, `only ${nonEmpty} layouts had long pairs`);
});

Deno.test("generateMaze: 30x30 wall range is 270..450", () => {
  assert.deepEqual(defaultWallRange(30), [270, 450]);
  assert.deepEqual(defaultWallRange(12), [43, 72]);
});

Deno.test("generateMaze: same key -> same maze; the maze meets every rule", () => {
  for (let i = 0; i < 20; i++) {
    const m = generateMaze(SMALL, [7, 0, 0, i, 0]);
    assert.deepEqual(generateMaze(SMALL, [7, 0, 0, i, 0]), m);
    const walls = m.question.reduce((k, v) => k + (v === WALL ? 1 : 0), 0);
    assert.equal(walls, m.walls);
    assert.ok(walls >= SMALL.wallMin && walls <= SMALL.wallMax);
    assert.equal(m.question.filter((v) => v === START).length, 1);
    assert.equal(m.question.filter((v) => v === GOAL).length, 1);
    assert.ok(m.question.every((v) => v >= WALL && v <= GOAL));
    assert.ok(m.length > SMALL.minPath);
    assert.ok(m.longPairs >= 2 && m.longPairs % 2 === 0);
    const v = checkPath(m.question, m.answer, 12);
    assert.equal(v.verdict, "valid");
    assert.equal(v.length, m.length);
    assert.deepEqual(solve(m.question, 12)!.answer, m.answer, "label follows the rule");
    assert.equal(m.answer.filter((x) => x !== OPEN && x !== WALL).length, m.length + 1);
  }
  assert.notDeepEqual(generateMaze(SMALL, [7, 0, 0, 0, 0]), generateMaze(SMALL, [7, 0, 0, 0, 1]));
});

Deno.test("generateMaze: a few real 30x30 mazes have paths longer than 110", () => {
  const [wallMin, wallMax] = defaultWallRange(30);
  for (let i = 0; i < 3; i++) {
    const m = generateMaze({ size: 30, minPath: 110, wallMin, wallMax }, [1, 0, 0, i, 0]);
    assert.ok(m.length > 110, `length ${m.length}`);
    assert.equal(checkPath(m.question, m.answer, 30).verdict, "valid");
  }
});

Deno.test("generateMaze: impossible settings fail with a clear message", () => {
  assert.throws(
    () => generateMaze({ size: 3, minPath: 9, wallMin: 0, wallMax: 0 }, [1]),
    /no 3x3 layout with 0\.\.0 walls had a path longer than 9/,
  );
});

Deno.test("generateMany: workers return the same mazes as inline generation, in order", async () => {
  const keys = Array.from({ length: 24 }, (_, i) => [5, 0, 1, i, 0]);
  const inline = await generateMany(SMALL, keys, 1);
  let last = 0;
  const pooled = await generateMany(SMALL, keys, 2, (d) => {
    assert.ok(d > last && d <= keys.length);
    last = d;
  });
  assert.equal(last, keys.length);
  assert.deepEqual(pooled, inline);
});
