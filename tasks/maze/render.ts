/**
 * Renders a maze as a self-contained SVG for reports: walls, start, goal, the
 * labelled path (blue cells) and a predicted path (orange dots), so that a
 * valid-but-different shortest path is told apart from a wrong one at a glance;
 * optionally the change mark (`../change_mark.ts`) on cells an earlier
 * prediction had otherwise.
 * @module
 */
import { GOAL, PATH, START, WALL } from "./grid.ts";
import { CHANGE_MARK, changeMarkSvg } from "../change_mark.ts";
import { escapeXml } from "../../util/mod.ts";

/** What to draw. Grids are n*n token ids, row-major. */
export interface MazeSvgOptions {
  /** The question grid (walls, open, S, G). */
  input: ArrayLike<number>;
  /** The labelled answer grid; its `o` cells are drawn as the labelled path. */
  label?: ArrayLike<number>;
  /** A predicted grid; its `o` cells are drawn as dots. */
  prediction?: ArrayLike<number>;
  /**
   * Per cell: whether the predicted token changed since an earlier prediction
   * (any token, not only path cells), drawn with the change mark.
   */
  changed?: ArrayLike<boolean>;
  /** Pixels per cell (default 12). */
  cell?: number;
  /** Caption under the grid (escaped). */
  title?: string;
}

/** Colours (Tableau 10, readable in print). */
export const MAZE_COLOURS = {
  wall: "#3b3b3b",
  open: "#ffffff",
  start: "#2ca02c",
  goal: "#d62728",
  label: "#9ecae9",
  prediction: "#ff7f0e",
  grid: "#e0e0e0",
} as const;

/** Returns the SVG text of one maze. */
export function renderMazeSvg(opts: MazeSvgOptions): string {
  const cells = opts.input.length;
  const n = Math.round(Math.sqrt(cells));
  if (n * n !== cells) throw new Error(`renderMazeSvg: ${cells} cells is not a square grid`);
  for (
    const [name, grid] of [
      ["label", opts.label],
      ["prediction", opts.prediction],
      ["changed", opts.changed],
    ] as const
  ) {
    if (grid && grid.length !== cells) {
      throw new Error(`renderMazeSvg: ${name} has ${grid.length} cells, input has ${cells}`);
    }
  }
  const px = opts.cell ?? 12;
  const legendH = 18;
  const titleH = opts.title ? 16 : 0;
  const legend: [string, string][] = [
    ["start", MAZE_COLOURS.start],
    ["goal", MAZE_COLOURS.goal],
    ...(opts.label ? [["label path", MAZE_COLOURS.label]] as [string, string][] : []),
    ...(opts.prediction ? [["predicted", MAZE_COLOURS.prediction]] as [string, string][] : []),
    ...(opts.changed ? [["changed", "none"]] as [string, string][] : []),
  ];
  // Wide enough for the legend row and the title (about 6 px a character at 10 px), not
  // only the grid: a small maze would clip them.
  const legendW = legend.reduce((x, [name]) => x + 18 + name.length * 6, 2);
  const titleW = opts.title ? 4 + Math.ceil(opts.title.length * 5.5) : 0;
  const w = Math.max(n * px, legendW, titleW);
  const h = n * px + legendH + titleH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" ` +
      `viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="10">`,
  );
  parts.push(`<rect width="${w}" height="${h}" fill="${MAZE_COLOURS.open}"/>`);
  const rect = (c: number, fill: string, cls: string) => {
    const r = Math.floor(c / n);
    const col = c - r * n;
    parts.push(
      `<rect class="${cls}" x="${col * px}" y="${r * px}" width="${px}" height="${px}" ` +
        `fill="${fill}"/>`,
    );
  };
  for (let c = 0; c < cells; c++) {
    const v = opts.input[c];
    if (v === WALL) rect(c, MAZE_COLOURS.wall, "wall");
    else if (v === START) rect(c, MAZE_COLOURS.start, "start");
    else if (v === GOAL) rect(c, MAZE_COLOURS.goal, "goal");
    else if (opts.label && opts.label[c] === PATH) rect(c, MAZE_COLOURS.label, "label");
  }
  // Thin grid lines so that single cells can be counted.
  const lines: string[] = [];
  for (let k = 0; k <= n; k++) lines.push(`M${k * px} 0V${n * px}M0 ${k * px}H${n * px}`);
  parts.push(
    `<path d="${lines.join("")}" stroke="${MAZE_COLOURS.grid}" stroke-width="0.5" fill="none"/>`,
  );
  if (opts.prediction) {
    for (let c = 0; c < cells; c++) {
      if (opts.prediction[c] !== PATH) continue;
      const r = Math.floor(c / n);
      const col = c - r * n;
      parts.push(
        `<circle class="prediction" cx="${(col + 0.5) * px}" cy="${(r + 0.5) * px}" ` +
          `r="${px * 0.28}" fill="${MAZE_COLOURS.prediction}"/>`,
      );
    }
  }
  if (opts.changed) {
    for (let c = 0; c < cells; c++) {
      if (!opts.changed[c]) continue;
      const r = Math.floor(c / n);
      parts.push(changeMarkSvg((c - r * n) * px, r * px, px));
    }
  }
  const y = n * px + 13;
  let x = 2;
  for (const [name, colour] of legend) {
    parts.push(
      colour === "none"
        ? `<rect x="${x + 1}" y="${y - 8}" width="8" height="8" fill="none" ` +
          `stroke="${CHANGE_MARK.stroke}" stroke-width="${CHANGE_MARK.width}" ` +
          `stroke-dasharray="${CHANGE_MARK.dash}"/>`
        : `<rect x="${x}" y="${y - 9}" width="10" height="10" fill="${colour}"/>`,
    );
    parts.push(`<text x="${x + 13}" y="${y}">${name}</text>`);
    x += 18 + name.length * 6;
  }
  if (opts.title) {
    parts.push(`<text x="2" y="${n * px + legendH + 12}">${escapeXml(opts.title)}</text>`);
  }
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
