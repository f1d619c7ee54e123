/**
 * A Sudoku test row as a report picture, drawn by the task's own renderer:
 * givens black, answers blue, wrong cells red, and (when the example has a
 * previous prediction) the change mark on every cell whose token changed.
 * @module
 */
import type { TaskExample } from "../task.ts";
import { changedCells } from "../change_mark.ts";
import { renderSvg } from "./render.ts";

/** Token 1 = blank, 2..10 = digits 1..9 (the reference's encoding); blanks become 0. */
function digits(tokens: number[]): number[] {
  return tokens.map((t) => (t >= 2 && t <= 10 ? t - 1 : 0));
}

/**
 * The puzzle with the predicted answer, checked against the label when there
 * is one. A given cell whose predicted token changed is marked too, though the
 * picture shows the given there, not the prediction.
 */
export function sudokuExampleSvg(ex: TaskExample): string {
  const exact = ex.prediction.every((t, i) => t === ex.label[i]);
  return renderSvg({
    puzzle: digits(ex.input),
    answer: digits(ex.prediction),
    solution: ex.label.length ? digits(ex.label) : undefined,
    changed: changedCells(ex),
    cell: 22,
    title: exact ? "solved" : "wrong cells in red",
  });
}
