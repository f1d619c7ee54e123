/**
 * Example pictures per task, registered with {@link registerExampleRenderer}:
 * Sudoku grids (the task's renderer: givens black, answers blue, wrong red),
 * mazes through the maze task's own renderer (labelled path and predicted
 * path), ARC grids in the ARC palette (cropped at the end-of-grid markers).
 * Import this module for its side effect wherever reports are written.
 * @module
 */
import { renderMazeSvg } from "../../tasks/maze/mod.ts";
import { renderSvg as renderSudokuSvg } from "../../tasks/sudoku/render.ts";
import { ARC_COLOURS } from "../../tasks/arc/render.ts";
import { registerExampleRenderer } from "./examples.ts";
import type { Example } from "./schema.ts";

/** Sudoku: token 1 = blank, 2..10 = digits 1..9 (the reference's encoding), drawn by the task. */
export function sudokuSvg(ex: Example): string {
  const digits = (tokens: number[]) => tokens.map((t) => (t >= 2 && t <= 10 ? t - 1 : 0));
  const exact = ex.prediction.every((t, i) => t === ex.label[i]);
  return renderSudokuSvg({
    puzzle: digits(ex.input),
    answer: digits(ex.prediction),
    solution: ex.label.length ? digits(ex.label) : undefined,
    cell: 22,
    title: exact ? "solved" : "wrong cells in red",
  });
}

/** Maze: the task's renderer, label and prediction side by side with the question. */
export function mazeSvg(ex: Example): string {
  const n = Math.round(Math.sqrt(ex.input.length));
  const px = Math.max(4, Math.min(12, Math.floor(240 / n)));
  const label = ex.label.map((t) => (t < 0 ? 0 : t));
  const exact = ex.prediction.every((t, i) => ex.label[i] < 0 || t === ex.label[i]);
  return renderMazeSvg({
    input: ex.input,
    label,
    prediction: ex.prediction,
    cell: px,
    title: `labelled path (blue) and predicted path (orange): ${exact ? "exact" : "differs"}`,
  });
}

/** The non-empty rows/columns of a 30x30 ARC canvas (colour tokens are 2..11). */
function arcGrid(tokens: number[]): number[][] {
  const side = Math.round(Math.sqrt(tokens.length));
  let rows = 0;
  let cols = 0;
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      if (tokens[r * side + c] >= 2) {
        rows = Math.max(rows, r + 1);
        cols = Math.max(cols, c + 1);
      }
    }
  }
  return Array.from({ length: rows }, (_, r) => tokens.slice(r * side, r * side + cols));
}

/** ARC: input, expected output and prediction, cropped, in the ARC palette. */
export function arcSvg(ex: Example): string {
  const cell = 8;
  const grids = [["input", arcGrid(ex.input)], ["expected", arcGrid(ex.label)], [
    "prediction",
    arcGrid(ex.prediction),
  ]] as const;
  let x = 0;
  const parts: string[] = [];
  let height = 40;
  for (const [title, g] of grids) {
    parts.push(`<text x="${x}" y="14" font-size="12" font-family="sans-serif">${title}</text>`);
    g.forEach((row, r) =>
      row.forEach((t, c) => {
        const fill = t >= 2 && t <= 11 ? ARC_COLOURS[t - 2] : t === 1 ? "#ddd" : "#fff";
        parts.push(
          `<rect x="${x + c * cell}" y="${
            20 + r * cell
          }" width="${cell}" height="${cell}" fill="${fill}" stroke="#555" stroke-width="0.3"/>`,
        );
      })
    );
    height = Math.max(height, 24 + g.length * cell);
    x += Math.max(60, (g[0]?.length ?? 0) * cell) + 16;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${x}" height="${height}">${
    parts.join("")
  }</svg>`;
}

registerExampleRenderer("sudoku", sudokuSvg);
registerExampleRenderer("maze", mazeSvg);
registerExampleRenderer("arc1", arcSvg);
registerExampleRenderer("arc2", arcSvg);
