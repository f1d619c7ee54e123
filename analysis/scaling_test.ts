import assert from "node:assert/strict";
import { actHalting, inferenceScaling, scoreRows } from "./scaling.ts";

Deno.test("scaling: accuracy per segment and the Q head's halting step", () => {
  // 3 rows of 2 tokens; row 2 has no labels (never counted).
  const labels = Int32Array.from([1, 2, 3, -100, -100, -100]);
  const seg1 = scoreRows(Int32Array.from([1, 0, 3, 0, 0, 0]), labels, 3);
  const seg2 = scoreRows(Int32Array.from([1, 0, 0, 0, 0, 0]), labels, 3);
  const seg3 = scoreRows(Int32Array.from([1, 2, 3, 0, 0, 0]), labels, 3);
  const curve = inferenceScaling([seg1, seg2, seg3]);
  assert.deepEqual(curve.map((p) => p.exact_accuracy), [0.5, 0, 1]);
  assert.deepEqual(curve.map((p) => p.token_accuracy), [0.75, 0.25, 1]);
  assert.deepEqual(curve.map((p) => p.count), [2, 2, 2]);
  const q = [
    { halt: Float32Array.from([-1, 2, 0]), cont: Float32Array.from([0, 0, 0]) },
    { halt: Float32Array.from([3, 2, 0]), cont: Float32Array.from([0, 0, 0]) },
    { halt: Float32Array.from([3, 2, 0]), cont: Float32Array.from([0, 0, 0]) },
  ];
  const h = actHalting(q, [seg1, seg2, seg3], 3);
  // Row 0 halts at 2 (wrong there), row 1 at 1 (right there).
  assert.deepEqual(h.histogram, [{ steps: 1, count: 1 }, { steps: 2, count: 1 }]);
  assert.equal(h.mean_steps, 1.5);
  assert.equal(h.exact_accuracy_at_halt, 0.5);
  assert.equal(h.exact_accuracy_at_max, 1);
  assert.throws(() => actHalting(q, [seg1], 3), /needs 3 segments/);
});
