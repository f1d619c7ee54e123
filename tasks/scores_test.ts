import assert from "node:assert/strict";
import { changedCellScores } from "./scores.ts";

Deno.test("changedCellScores: copy baseline and accuracy on the cells that must change", () => {
  // 6 labelled cells (one ignored, label 0): 4 equal to the input, 2 to change.
  const inputs = [1, 2, 3, 4, 1, 1, 9];
  const labels = [1, 2, 3, 4, 5, 6, 0];
  // Right on one of the two changed cells; the copied cells' predictions do not count there.
  const preds = [7, 7, 7, 7, 5, 1, 3];
  assert.deepEqual(changedCellScores(inputs, labels, preds), {
    copy_baseline_accuracy: 4 / 6,
    changed_cell_accuracy: 1 / 2,
  });
  // A perfect copy scores the baseline and 0 on the changed cells.
  assert.equal(changedCellScores(inputs, labels, inputs).changed_cell_accuracy, 0);
  assert.deepEqual(changedCellScores([0], [0], [0]), {
    copy_baseline_accuracy: 0,
    changed_cell_accuracy: 0,
  });
});
