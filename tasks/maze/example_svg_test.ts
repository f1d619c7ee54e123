import assert from "node:assert/strict";
import { gridFromLines } from "./grid.ts";
import { mazeExampleSvg } from "./example_svg.ts";

const marks = (svg: string) => (svg.match(/class="changed"/g) ?? []).length;

Deno.test("mazeExampleSvg: exactly the k changed cells carry the change mark, with a legend", () => {
  const input = Array.from(gridFromLines(["S   ", " ## ", "   G", "    "]).ids);
  const label = Array.from(gridFromLines(["Sooo", " ##o", "   G", "    "]).ids);
  const earlier = Array.from(gridFromLines(["S   ", "o## ", "ooo ", "    "]).ids);
  const ex = { input, label, prediction: label };
  const bare = mazeExampleSvg(ex);
  assert.equal(marks(bare), 0);
  assert.ok(!bare.includes(">changed<"));
  // Changed: (0,1) (0,2) (0,3) (1,0) (1,3) (2,0) (2,1) (2,2) (2,3) = 9 cells.
  const svg = mazeExampleSvg({ ...ex, previous: earlier });
  assert.equal(marks(svg), 9);
  assert.ok(svg.includes(">changed<"));
  assert.ok(svg.includes("exact"));
});
