/**
 * The generic example picture: input, label and prediction as square grids of
 * token ids, for tasks that draw no picture of their own.
 * @module
 */
import type { TaskExample } from "./task.ts";
import { changedCells, changeMarkSvg } from "./change_mark.ts";

const PALETTE = [
  "#ffffff",
  "#e0e0e0",
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

function oneGrid(
  tokens: number[],
  side: number,
  cell: number,
  x0: number,
  wrong?: boolean[],
  changed?: boolean[],
): string {
  const parts: string[] = [];
  for (let i = 0; i < side * side && i < tokens.length; i++) {
    const x = x0 + (i % side) * cell;
    const y = 20 + Math.floor(i / side) * cell;
    const fill = PALETTE[((tokens[i] % PALETTE.length) + PALETTE.length) % PALETTE.length];
    parts.push(
      `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill}" stroke="#999" stroke-width="0.3"/>`,
    );
    if (cell >= 10) {
      parts.push(
        `<text x="${x + cell / 2}" y="${y + cell * 0.7}" font-size="${
          cell * 0.55
        }" text-anchor="middle" font-family="monospace">${tokens[i]}</text>`,
      );
    }
    if (wrong?.[i]) {
      parts.push(
        `<rect x="${x + 0.5}" y="${y + 0.5}" width="${cell - 1}" height="${
          cell - 1
        }" fill="none" stroke="#d00" stroke-width="1.5"/>`,
      );
    }
    if (changed?.[i]) parts.push(changeMarkSvg(x, y, cell));
  }
  return parts.join("");
}

/**
 * Input, label and prediction as three square grids of token ids (colour by
 * id); prediction cells that differ from the label are outlined in red, and
 * those that differ from `previous` (when given) carry the change mark.
 */
export function gridSvg(example: TaskExample): string {
  const n = Math.max(example.label.length, example.prediction.length);
  const side = Math.ceil(Math.sqrt(n));
  const cell = Math.max(3, Math.min(18, Math.floor(180 / side)));
  const w = side * cell;
  const wrong = example.label.map((l, i) => l !== example.prediction[i]);
  const titles = ["input", "label", "prediction"]
    .map((t, k) =>
      `<text x="${k * (w + 16)}" y="14" font-size="12" font-family="sans-serif">${t}</text>`
    )
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${3 * w + 32}" height="${w + 24}">` +
    titles +
    oneGrid(example.input, side, cell, 0) + oneGrid(example.label, side, cell, w + 16) +
    oneGrid(example.prediction, side, cell, 2 * (w + 16), wrong, changedCells(example)) + "</svg>";
}
