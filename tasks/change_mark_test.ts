import assert from "node:assert/strict";
import { CHANGE_MARK, changedCells, changeMarkSvg } from "./change_mark.ts";
import { gridSvg } from "./grid_svg.ts";

const marks = (svg: string) => (svg.match(/class="changed"/g) ?? []).length;

Deno.test("changedCells: per token against previous, undefined without it, lengths checked", () => {
  const ex = { input: [0, 0, 0], label: [1, 2, 3], prediction: [1, 2, 3] };
  assert.equal(changedCells(ex), undefined);
  assert.deepEqual(changedCells({ ...ex, previous: [1, 9, 3] }), [false, true, false]);
  assert.throws(
    () => changedCells({ ...ex, previous: [1, 2] }),
    /previous has 2 tokens, prediction has 3/,
  );
  const mark = changeMarkSvg(10, 20, 8);
  assert.equal(marks(mark), 1);
  assert.ok(mark.includes(`stroke="${CHANGE_MARK.stroke}"`));
  assert.ok(mark.includes('x="11" y="21" width="6" height="6"'));
});

Deno.test("gridSvg: exactly the k changed prediction cells carry the change mark", () => {
  const label = Array.from({ length: 16 }, (_, i) => i % 5);
  const prediction = label.slice();
  prediction[3] = 7; // wrong against the label and changed
  const previous = prediction.slice();
  for (const i of [0, 3, 15]) previous[i] = 9; // k = 3 changed cells
  const ex = { input: new Array(16).fill(1), label, prediction };
  assert.equal(marks(gridSvg(ex)), 0);
  const svg = gridSvg({ ...ex, previous });
  assert.equal(marks(svg), 3);
  // The wrong-against-label mark is a different element, still there once.
  assert.equal((svg.match(/stroke="#d00"/g) ?? []).length, 1);
  assert.equal(marks(gridSvg({ ...ex, previous: prediction })), 0);
  // Without labels the prediction is still drawn and marked.
  assert.equal(marks(gridSvg({ ...ex, label: [], previous })), 3);
});
