import assert from "node:assert/strict";
import type { EvalOutputs } from "../io/eval_outputs.ts";
import { gridSvg } from "./grid_svg.ts";
import { getTask, listTasks } from "./registry.ts";
import { registerTask } from "./task.ts";

/** Two rows of a 2x2 grid: cells to copy (3) and cells to fill (4 -> 5). */
function outputs(labels?: number[]): EvalOutputs {
  return {
    seqLen: 4,
    puzzleIdentifiers: new Int32Array([1, 1]),
    inputs: new Uint8Array([3, 4, 3, 4, 3, 4, 3, 4]),
    preds: new Uint8Array([3, 5, 3, 5, 3, 4, 3, 4]),
    qHaltLogits: new Float32Array(2),
    labels: labels && new Uint8Array(labels),
    metadata: {},
  };
}

const AT = { outputsFile: "outputs.safetensors", dataDir: "data", outDir: "out" };

Deno.test("registry: every benchmark task brings its headline metric, scores and pictures", () => {
  assert.deepEqual(listTasks().map((t) => t.name).filter((n) => !n.startsWith("test-")), [
    "arc",
    "maze",
    "sudoku",
  ]);
  assert.equal(getTask("arc").headlineMetric, "pass@2_all_tests");
  assert.equal(getTask("maze").headlineMetric, "exact_accuracy");
  assert.equal(getTask("sudoku").headlineMetric, "exact_accuracy");
  assert.ok(getTask("arc").scoreFiles!.links.every((l) => l.path.startsWith("arc_score/")));
  for (const [name, cells] of [["arc", 900], ["maze", 900], ["sudoku", 81]] as const) {
    const task = getTask(name);
    const example = {
      input: Array(cells).fill(2),
      label: Array(cells).fill(3),
      prediction: Array(cells).fill(3),
    };
    assert.equal(typeof task.scoreOutputs, "function", name);
    assert.notEqual(task.renderExample, gridSvg, `${name} draws its own examples`);
    assert.match(task.renderExample(example), /^<svg[^>]*>.*<\/svg>\s*$/s, name);
  }
});

Deno.test("registry: sudoku and maze score the copy baseline and the cells that must change", async () => {
  const labels = [3, 5, 3, 5, 3, 5, 3, 5];
  assert.deepEqual(await getTask("sudoku").scoreOutputs(outputs(labels), AT), {
    copy_baseline_accuracy: 0.5,
    changed_cell_accuracy: 0.5,
  });
  for (const name of ["sudoku", "maze"]) {
    await assert.rejects(
      async () => await getTask(name).scoreOutputs(outputs(), AT),
      /outputs\.safetensors: no labels saved/,
    );
  }
});

Deno.test("registry: a task that leaves out its report members gets the defaults", async () => {
  registerTask({
    name: "test-report-defaults",
    description: "test only: no report members",
    build: () => Promise.resolve(),
    verify: () => Promise.resolve({ ok: true, lines: [] }),
  });
  const task = getTask("test-report-defaults");
  assert.equal(task.headlineMetric, "exact_accuracy");
  assert.deepEqual(await task.scoreOutputs(outputs([3, 5, 3, 5, 3, 5, 3, 5]), AT), {});
  assert.equal(task.renderExample, gridSvg);
  assert.equal(task.scoreFiles, undefined);
  assert.throws(() => registerTask(task), /registered twice/);
});
