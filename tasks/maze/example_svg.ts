/**
 * A maze test row as a report picture, drawn by the task's own renderer: the
 * labelled path and the predicted path on the question, and (when the example
 * has a previous prediction) the change mark on every cell whose token changed.
 * @module
 */
import type { TaskExample } from "../task.ts";
import { changedCells } from "../change_mark.ts";
import { renderMazeSvg } from "./render.ts";

/** Label and prediction on the question, the grid about 240 px wide (cells 4 to 24 px). */
export function mazeExampleSvg(ex: TaskExample): string {
  const n = Math.round(Math.sqrt(ex.input.length));
  const px = Math.max(4, Math.min(24, Math.floor(240 / n)));
  const label = ex.label.map((t) => (t < 0 ? 0 : t));
  const exact = ex.prediction.every((t, i) => ex.label[i] < 0 || t === ex.label[i]);
  return renderMazeSvg({
    input: ex.input,
    label,
    prediction: ex.prediction,
    changed: changedCells(ex),
    cell: px,
    title: `labelled path (blue) and predicted path (orange): ${exact ? "exact" : "differs"}`,
  });
}
