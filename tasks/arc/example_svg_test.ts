import assert from "node:assert/strict";
import { arcExampleSvg } from "./example_svg.ts";

const marks = (svg: string) => (svg.match(/class="changed"/g) ?? []).length;

/** A 30x30 canvas (pad 0) with the given colour tokens at (row, col). */
function canvas(cells: [number, number, number][]): number[] {
  const t = new Array(900).fill(0);
  for (const [r, c, v] of cells) t[r * 30 + c] = v;
  return t;
}

Deno.test("arcExampleSvg: exactly the k changed cells carry the change mark", () => {
  const grid = canvas([[0, 0, 2], [0, 1, 3], [1, 0, 4], [1, 1, 5], [2, 0, 1], [0, 2, 1]]);
  const ex = { input: grid, label: grid, prediction: grid };
  const plain = arcExampleSvg(ex);
  assert.equal(marks(plain), 0);
  // Two changes inside the prediction's 2x2 colour crop, one outside it
  // (the previous prediction had a colour at (4, 3), now pad).
  const previous = grid.slice();
  previous[0] = 7;
  previous[31] = 2;
  previous[4 * 30 + 3] = 6;
  const svg = arcExampleSvg({ ...ex, previous });
  assert.equal(marks(svg), 3);
  // The prediction's crop grew to 5x4 to show the change at (4, 3): 20 cells, not 4.
  const rects = (s: string) => (s.match(/<rect x="[\d.]+" y="[\d.]+" width="8"/g) ?? []).length;
  assert.equal(rects(svg) - rects(plain), 20 - 4);
  assert.equal(marks(arcExampleSvg({ ...ex, previous: grid })), 0);
});
