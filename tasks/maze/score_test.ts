import assert from "node:assert/strict";
import { solve } from "./bfs.ts";
import { generateMaze } from "./generate.ts";
import { dihedral, gridFromLines, OPEN, PATH, WALL } from "./grid.ts";
import { checkPath, scoreMazePredictions } from "./score.ts";

/** Token ids of a picture. */
const g = (lines: string[]) => gridFromLines(lines).ids;

const Q = g(["S   ", "    ", "    ", "   G"]); // shortest path: 6 moves
const LABEL = g(["Sooo", "   o", "   o", "   G"]);

Deno.test("checkPath: the label and a different shortest path are both valid", () => {
  assert.equal(checkPath(Q, LABEL, 4).verdict, "valid");
  const other = g(["S   ", "o   ", "oooo", "   G"]);
  const v = checkPath(Q, other, 4);
  assert.deepEqual(v, { verdict: "valid", pathCells: 5, length: 6 });
});

Deno.test("checkPath: a path through a wall is rejected", () => {
  const q = g(["S  ", " # ", "  G"]);
  assert.equal(checkPath(q, g(["So ", " o ", " oG"]), 3).verdict, "through_wall");
  assert.equal(checkPath(q, g(["Soo", " #o", "  G"]), 3).verdict, "valid");
});

Deno.test("checkPath: a disconnected path is rejected", () => {
  assert.equal(checkPath(Q, g(["Soo ", "    ", "   o", "  oG"]), 4).verdict, "disconnected");
  // Right number of cells, but with a gap.
  assert.equal(checkPath(Q, g(["Soo ", "   o", "   o", "   G"]), 4).verdict, "disconnected");
});

Deno.test("checkPath: a longer path and stray cells are rejected", () => {
  // S to G in the same row: shortest 3 moves; going around takes 5.
  const q = g(["S  G", "    ", "    ", "    "]);
  assert.equal(checkPath(q, g(["SooG", "    ", "    ", "    "]), 4).verdict, "valid");
  assert.deepEqual(checkPath(q, g(["S  G", "oooo", "    ", "    "]), 4), {
    verdict: "not_shortest",
    pathCells: 4,
    length: 5,
  });
  assert.equal(checkPath(q, g(["SooG", "    ", "    ", "   o"]), 4).verdict, "extra_cells");
});

Deno.test("checkPath: changing anything but path cells is 'altered'", () => {
  const movedStart = g([" ooo", "   o", "   o", "   G"]);
  assert.equal(checkPath(Q, movedStart, 4).verdict, "altered");
  const padded = Uint8Array.from(LABEL);
  padded[8] = 0;
  assert.equal(checkPath(Q, padded, 4).verdict, "altered");
  assert.equal(
    checkPath(g(["S# ", "## ", "  G"]), g(["S# ", "## ", "  G"]), 3).verdict,
    "unsolvable",
  );
});

Deno.test("scoreMazePredictions: exact match and valid-shortest-path rate", () => {
  const other = g(["S   ", "o   ", "oooo", "   G"]);
  const wrong = g(["Soo ", "    ", "   o", "  oG"]);
  const rows = [LABEL, other, wrong];
  const cat = (parts: Uint8Array[]) => {
    const out = new Int32Array(parts.length * 16);
    parts.forEach((p, i) => out.set(p, i * 16));
    return out;
  };
  const s = scoreMazePredictions(cat([Q, Q, Q]), cat([LABEL, LABEL, LABEL]), cat(rows), 16);
  assert.equal(s.count, 3);
  assert.equal(s.exact, 1);
  assert.equal(s.validShortest, 2);
  assert.equal(s.verdicts.disconnected, 1);
  assert.ok(Math.abs(s.exactRate - 1 / 3) < 1e-12);
  assert.ok(Math.abs(s.validShortestRate - 2 / 3) < 1e-12);
  // Plain arrays work too.
  const plain = scoreMazePredictions([...Q], [...LABEL], [...LABEL], 16);
  assert.equal(plain.exact, 1);
  assert.throws(() => scoreMazePredictions(Q, LABEL, LABEL.subarray(1), 16), /predictions has 15/);
  assert.throws(() => scoreMazePredictions(Q, LABEL, LABEL, 15), /not n\*n/);
});

Deno.test("checkPath: on a real 30x30 maze, another shortest path is valid but not exact", () => {
  const m = generateMaze({ size: 30, minPath: 110, wallMin: 270, wallMax: 450 }, [42, 0, 1, 0, 0]);
  // The labelling rule applied to the maze rotated by 180 degrees, rotated back, is
  // another shortest path (the neighbour order is not rotation invariant).
  const other = dihedral(solve(dihedral(m.question, 30, 2), 30)!.answer, 30, 2);
  assert.notDeepEqual(other, m.answer);
  assert.equal(checkPath(m.question, other, 30).verdict, "valid");
  const s = scoreMazePredictions(m.question, m.answer, other, 900);
  assert.deepEqual([s.exact, s.validShortest], [0, 1]);
  // Dropping one path cell disconnects it; moving it onto a wall goes through the wall.
  const broken = Uint8Array.from(other);
  const cell = broken.indexOf(PATH);
  broken[cell] = OPEN;
  assert.equal(checkPath(m.question, broken, 30).verdict, "disconnected");
  broken[m.question.indexOf(WALL)] = PATH;
  assert.equal(checkPath(m.question, broken, 30).verdict, "through_wall");
});
