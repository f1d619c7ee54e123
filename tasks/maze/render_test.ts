import assert from "node:assert/strict";
import { gridFromLines } from "./grid.ts";
import { MAZE_COLOURS, renderMazeSvg } from "./render.ts";

Deno.test("renderMazeSvg: walls, S, G, label path and predicted path in their colours", () => {
  const input = gridFromLines(["S  ", " # ", "  G"]).ids;
  const label = gridFromLines(["Soo", " #o", "  G"]).ids;
  const prediction = gridFromLines(["S  ", "o# ", "ooG"]).ids;
  const svg = renderMazeSvg({ input, label, prediction, cell: 10, title: "a<b" });
  const count = (re: RegExp) => (svg.match(re) ?? []).length;
  // 3 cells of 10 px, widened to the legend row: 2 + (18 + 6 * name length) per entry.
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="242"'));
  assert.equal(count(/class="wall"/g), 1);
  assert.equal(count(/class="start"/g), 1);
  assert.equal(count(/class="goal"/g), 1);
  assert.equal(count(/class="label"/g), 3);
  assert.equal(count(/class="prediction"/g), 3);
  assert.ok(svg.includes(`fill="${MAZE_COLOURS.prediction}"`));
  assert.ok(svg.includes('class="wall" x="10" y="10"'));
  assert.ok(svg.includes("a&#60;b"));
  assert.ok(svg.trimEnd().endsWith("</svg>"));
  // Without label and prediction: no path marks, no legend entries for them.
  const bare = renderMazeSvg({ input });
  assert.equal((bare.match(/class="(label|prediction)"/g) ?? []).length, 0);
  assert.ok(!bare.includes("predicted"));
  assert.throws(() => renderMazeSvg({ input, label: label.subarray(1) }), /label has 8 cells/);
});
