import assert from "node:assert/strict";
import { bfs, countShortestPaths, endpoints, labelledPath, passableOf, solve } from "./bfs.ts";
import { gridFromLines, gridToLines } from "./grid.ts";

const MAZE_A = [
  "S#   ",
  " # # ",
  " # # ",
  " # # ",
  "   #G",
];

Deno.test("bfs: distances on a hand-made maze with a unique shortest path", () => {
  const { size, ids } = gridFromLines(MAZE_A);
  const d = bfs(passableOf(ids), size, 0);
  assert.equal(d[24], 16); // G
  assert.equal(d[1], -1); // a wall is never reached
  assert.equal(d[20], 4); // bottom-left corner
  assert.equal(d[2], 10); // top of the middle corridor
  const solved = solve(ids, size)!;
  assert.equal(solved.length, 16);
  assert.deepEqual(gridToLines(solved.answer, size), [
    "S#ooo",
    "o#o#o",
    "o#o#o",
    "o#o#o",
    "ooo#G",
  ]);
});

Deno.test("labelling rule: neighbour order up, right, down, left breaks ties", () => {
  // Six shortest paths; the rule goes right first from the top-left corner.
  const a = gridFromLines(["S  ", "   ", "  G"]);
  assert.deepEqual(gridToLines(solve(a.ids, 3)!.answer, 3), ["Soo", "  o", "  G"]);
  // From the bottom-right corner it goes up first, then left along the top.
  const b = gridFromLines(["G  ", "   ", "  S"]);
  assert.deepEqual(gridToLines(solve(b.ids, 3)!.answer, 3), ["Goo", "  o", "  S"]);
  // Ties around a wall: down is tried before left, so the path hugs the right edge.
  const c = gridFromLines(["   S", " #  ", " #  ", "G   "]);
  assert.deepEqual(gridToLines(solve(c.ids, 4)!.answer, 4), ["   S", " # o", " # o", "Gooo"]);
});

Deno.test("labelling rule: the path is a shortest path cell by cell", () => {
  const { size, ids } = gridFromLines(MAZE_A);
  const e = endpoints(ids, size);
  const path = labelledPath(e.toGoal, size, e.start, e.goal)!;
  assert.equal(path.length - 1, e.distance);
  for (let i = 0; i < path.length; i++) assert.equal(e.toGoal[path[i]], e.distance - i);
});

Deno.test("bfs: unreachable goal gives no path; missing S is an error", () => {
  const { ids } = gridFromLines(["S# ", "## ", "  G"]);
  assert.equal(solve(ids, 3), null);
  assert.equal(endpoints(ids, 3).distance, -1);
  const noStart = gridFromLines(["   ", "   ", "  G"]);
  assert.throws(() => endpoints(noStart.ids, 3), /no start cell S/);
  const twoGoals = gridFromLines(["S G", "   ", "  G"]);
  assert.throws(() => endpoints(twoGoals.ids, 3), /more than one goal/);
});

Deno.test("countShortestPaths: known counts", () => {
  const count = (lines: string[]) => {
    const { size, ids } = gridFromLines(lines);
    const e = endpoints(ids, size);
    return countShortestPaths(e.toGoal, size, e.start);
  };
  assert.equal(count(["S  ", "   ", "  G"]), 6); // C(4, 2)
  assert.equal(count(["S   ", "    ", "    ", "   G"]), 20); // C(6, 3)
  assert.equal(count(["S  ", " # ", "  G"]), 2);
  assert.equal(count(MAZE_A), 1);
  assert.equal(count(["S# ", "## ", "  G"]), 0);
});
