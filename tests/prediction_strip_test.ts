/**
 * Figure 7's strip through every registered task's own picture: segment 1 is
 * unmarked, and each later segment marks exactly the cells that changed since
 * the previous one.
 * @module
 */
import assert from "node:assert/strict";
import { predictionStrip } from "../analysis/mod.ts";
import { listTasks } from "../tasks/mod.ts";

Deno.test("prediction strip: every task's picture marks exactly the changed cells", () => {
  // 9x9 grids of tokens 2..5: a Sudoku's digits 1..4, a maze's open..path, ARC colours.
  const input = Array.from({ length: 81 }, (_, i) => 2 + (i % 4));
  const label = input.map((t) => (t === 2 ? 5 : t));
  const s1 = input.map((t, i) => (i < 40 ? label[i] : t)); // many changes from the input
  const s2 = s1.slice();
  for (const i of [40, 44, 80]) s2[i] = label[i] === s2[i] ? 3 : label[i]; // 3 changed
  const s3 = s2.slice(); // 0 changed
  const s4 = s3.slice();
  for (const i of [0, 9]) s4[i] = s4[i] === 4 ? 2 : 4; // 2 changed
  const trace = { input, label, predictions: [s1, s2, s3, s4] };
  const tasks = listTasks();
  assert.ok(tasks.length >= 3);
  for (const task of tasks) {
    const svg = predictionStrip(trace, task.renderExample, task.name);
    assert.equal((svg.match(/class="changed"/g) ?? []).length, 5, task.name);
    const frames = svg.split(/<svg x="/).slice(1);
    assert.deepEqual(
      frames.map((f) => (f.match(/class="changed"/g) ?? []).length),
      [0, 3, 0, 2],
      task.name,
    );
  }
});
