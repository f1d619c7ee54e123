import assert from "node:assert/strict";
import { haltingHistogram, sweepSegments } from "./pipeline.ts";

Deno.test("segment sweep: every count up to 8, then powers of two and the maximum", () => {
  assert.deepEqual(sweepSegments(1), [1]);
  assert.deepEqual(sweepSegments(4), [1, 2, 3, 4]);
  assert.deepEqual(sweepSegments(16), [1, 2, 4, 8, 16]);
  assert.deepEqual(sweepSegments(12), [1, 2, 4, 8, 12]);
});

Deno.test("halting histogram: first segment with q_halt > q_continue, else the last", () => {
  const f = (...v: number[]) => Float32Array.from(v);
  // Three rows over segments 1, 2, 4: row 0 halts at 1, row 1 at 4, row 2 never (counted at 4).
  const q = [
    { halt: f(1, -1, -1), cont: f(0, 0, 0) },
    { halt: f(1, -1, -1), cont: f(0, 0, 0) },
    { halt: f(-1, 2, -1), cont: f(0, 1, 0) },
  ];
  assert.deepEqual(haltingHistogram([1, 2, 4], q), [{ steps: 1, count: 1 }, {
    steps: 4,
    count: 2,
  }]);
  // Equal logits do not halt (strictly greater, as ACT's q_halt > q_continue).
  assert.deepEqual(haltingHistogram([1], [{ halt: f(0), cont: f(0) }]), [{ steps: 1, count: 1 }]);
});
