import assert from "node:assert/strict";
import { loadPaperFixtures } from "./paper.ts";
import { getProfile } from "./profiles.ts";
import { formatHours, TASK_SIZES, taskWork, wallTimeLines } from "./paper_walltime.ts";
import { resolveOverrides } from "./paper.ts";

Deno.test("paper wall time: step counts and FLOPs of the paper's runs", async () => {
  const paper = await loadPaperFixtures();
  const profile = getProfile("paper", paper);
  const cfg = (task: string) =>
    resolveOverrides(paper.configs.defaults, profile.tasks.find((p) => p.task === task)!.train);
  const sudoku = taskWork("sudoku", cfg("sudoku"));
  // epochs 20000 x 1000 examples / 768 (the GPU notes' 26,041 steps).
  assert.equal(sudoku.steps, 26041);
  assert.equal(sudoku.evaluations, 10);
  // 768 rows x 64 block calls x 2*82*(4*512^2 + 3*512*1536 + 2*82*512) = 28.1 TFLOP per step (the GPU notes: ~28).
  assert.equal(
    sudoku.stepFlops,
    768 * 64 * 2 * 82 * (4 * 512 * 512 + 3 * 512 * 1536 + 2 * 82 * 512),
  );
  assert.ok(Math.abs(sudoku.stepFlops / 1e12 - 28.1) < 0.05);
  const maze = taskWork("maze", cfg("maze"));
  assert.equal(maze.steps, 26041);
  assert.ok(maze.stepFlops / sudoku.stepFlops > 13 && maze.stepFlops / sudoku.stepFlops < 15);
  const arc1 = taskWork("arc1", cfg("arc1"));
  assert.equal(arc1.steps, Math.floor(100000 * TASK_SIZES.arc1.trainEpochExamples / 768));
  const lines = wallTimeLines(profile, paper, ["sudoku", "maze"]);
  assert.equal(lines.length, 3);
  assert.match(lines[0], /ESTIMATE, not a measurement/);
  assert.match(
    lines[1],
    /^ {2}sudoku: 26,041 steps x 28\.1 TFLOP = 10 h-41 h training \+ 10 evaluations/,
  );
  assert.ok(!lines[1].includes("refuses"));
  assert.match(lines[2], /one WebGPU device refuses to train this batch: a 18\.6 GiB tensor/);
  assert.equal(formatHours(0.5), "30 min");
  assert.equal(formatHours(200), "8.3 days");
});
