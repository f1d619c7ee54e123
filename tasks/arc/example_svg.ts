/**
 * An ARC test row as a report picture: input, expected output and prediction,
 * cropped at the end-of-grid markers, in the ARC palette; when the example has
 * a previous prediction, the change mark on every prediction cell whose token
 * changed (the prediction's crop then also covers every changed cell).
 * @module
 */
import type { TaskExample } from "../task.ts";
import { changedCells, changeMarkSvg } from "../change_mark.ts";
import { ARC_COLOURS } from "./render.ts";

/**
 * The non-empty rows/columns of a 30x30 ARC canvas (colour tokens are 2..11),
 * extended to every cell flagged in `keep`.
 */
function croppedGrid(tokens: number[], keep?: boolean[]): number[][] {
  const side = Math.round(Math.sqrt(tokens.length));
  let rows = 0;
  let cols = 0;
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      if (tokens[r * side + c] >= 2 || keep?.[r * side + c]) {
        rows = Math.max(rows, r + 1);
        cols = Math.max(cols, c + 1);
      }
    }
  }
  return Array.from({ length: rows }, (_, r) => tokens.slice(r * side, r * side + cols));
}

/** The three grids side by side, each under its title. */
export function arcExampleSvg(ex: TaskExample): string {
  const cell = 8;
  const changed = changedCells(ex);
  const side = Math.round(Math.sqrt(ex.prediction.length));
  const grids = [["input", croppedGrid(ex.input)], ["expected", croppedGrid(ex.label)], [
    "prediction",
    croppedGrid(ex.prediction, changed),
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
    if (title === "prediction" && changed) {
      g.forEach((row, r) =>
        row.forEach((_, c) => {
          if (changed[r * side + c]) parts.push(changeMarkSvg(x + c * cell, 20 + r * cell, cell));
        })
      );
    }
    height = Math.max(height, 24 + g.length * cell);
    x += Math.max(60, (g[0]?.length ?? 0) * cell) + 16;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${x}" height="${height}">${
    parts.join("")
  }</svg>`;
}
