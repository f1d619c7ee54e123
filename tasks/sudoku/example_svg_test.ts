import assert from "node:assert/strict";
import { sudokuExampleSvg } from "./example_svg.ts";
import { parseGrid } from "./grid.ts";

const P = parseGrid(
  "8..........36......7..9.2...5...7.......457.....1...3...1....68..85...1..9....4..",
);
const S = parseGrid(
  "812753649943682175675491283154237896369845721287169534521974368438526917796318452",
);
/** Digits (0 = blank) as tokens: 1 = blank, 2..10 = digits 1..9. */
const tokens = (g: ArrayLike<number>) => Array.from(g, (d) => d + 1);
const marks = (svg: string) => (svg.match(/class="changed"/g) ?? []).length;

Deno.test("sudokuExampleSvg: exactly the k changed cells carry the change mark", () => {
  const ex = { input: tokens(P), label: tokens(S), prediction: tokens(S) };
  assert.equal(marks(sudokuExampleSvg(ex)), 0);
  const previous = ex.prediction.slice();
  previous[1] = 10; // blank cell, answer changed 9 -> 1
  previous[2] = 1; // blank cell, was blank
  previous[0] = 5; // given cell (8): the prediction's token there changed too
  const svg = sudokuExampleSvg({ ...ex, previous });
  assert.equal(marks(svg), 3);
  assert.ok(svg.includes("solved"));
  assert.equal(marks(sudokuExampleSvg({ ...ex, previous: ex.prediction })), 0);
});
