/**
 * The mark every example picture puts on the cells whose prediction changed
 * since the previous one (`TaskExample.previous`, e.g. the previous ACT
 * segment's prediction in the intermediate-predictions strip): a dashed
 * violet outline, distinct from each renderer's wrong-against-label mark (red).
 * @module
 */
import type { TaskExample } from "./task.ts";

/** Colour and dash of the change mark (violet: no task's picture uses it for anything else). */
export const CHANGE_MARK = {
  stroke: "#8e24aa",
  dash: "3 2",
  width: 2,
  /** The mark in words, for legends. */
  words: "dashed violet outline",
} as const;

/**
 * Per token: whether the prediction differs from `previous`; `undefined`
 * when the example has no previous prediction. Throws when the lengths differ.
 */
export function changedCells(example: TaskExample): boolean[] | undefined {
  const { prediction, previous } = example;
  if (!previous) return undefined;
  if (previous.length !== prediction.length) {
    throw new Error(
      `example: previous has ${previous.length} tokens, prediction has ${prediction.length}`,
    );
  }
  return prediction.map((t, i) => t !== previous[i]);
}

/** The mark as an SVG element (class `changed`) outlining the square at (x, y) of side `size`. */
export function changeMarkSvg(x: number, y: number, size: number): string {
  const inset = CHANGE_MARK.width / 2;
  return `<rect class="changed" x="${x + inset}" y="${y + inset}" width="${
    Math.max(0, size - 2 * inset)
  }" height="${Math.max(0, size - 2 * inset)}" fill="none" stroke="${CHANGE_MARK.stroke}" ` +
    `stroke-width="${CHANGE_MARK.width}" stroke-dasharray="${CHANGE_MARK.dash}"/>`;
}
