/**
 * Renders a Sudoku as a self-contained SVG for reports: givens in black, the
 * model's answers in blue, wrong answers in red on a tinted cell (with the
 * correct digit small in the corner when the solution is known), and the
 * change mark (`../change_mark.ts`) on cells an earlier answer had otherwise.
 * @module
 */
import { escapeXml } from "../../util/mod.ts";
import { changeMarkSvg } from "../change_mark.ts";

/** What to draw. Grids are 81 digits (0 = blank), row-major. */
export interface RenderInput {
  puzzle: ArrayLike<number>;
  /** The model's full answer (optional). */
  answer?: ArrayLike<number>;
  /** The true solution, to mark wrong answers (optional). */
  solution?: ArrayLike<number>;
  /** Per cell: whether the answer changed since an earlier one (drawn with the change mark). */
  changed?: ArrayLike<boolean>;
  /** Caption under the grid. */
  title?: string;
  /** Cell size in px (default 32). */
  cell?: number;
}

/** Number of non-given cells whose answer differs from the solution. */
export function countWrong(input: RenderInput): number {
  const { puzzle, answer, solution } = input;
  if (!answer || !solution) return 0;
  let n = 0;
  for (let i = 0; i < 81; i++) if (!puzzle[i] && answer[i] !== solution[i]) n++;
  return n;
}

/** The grid as an SVG string. */
export function renderSvg(input: RenderInput): string {
  const c = input.cell ?? 32, pad = 4, size = 9 * c;
  const height = size + 2 * pad + (input.title ? 20 : 0);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size + 2 * pad}" height="${height}" ` +
    `viewBox="0 0 ${size + 2 * pad} ${height}" font-family="sans-serif">`,
    `<rect x="0" y="0" width="${size + 2 * pad}" height="${height}" fill="white"/>`,
  ];
  for (let i = 0; i < 81; i++) {
    const x = pad + (i % 9) * c, y = pad + Math.floor(i / 9) * c;
    const given = input.puzzle[i];
    const answer = input.answer?.[i] ?? 0;
    const truth = input.solution?.[i] ?? 0;
    const wrong = !given && answer && truth && answer !== truth;
    const fill = given ? "#eeeeee" : wrong ? "#fdd" : "white";
    out.push(`<rect x="${x}" y="${y}" width="${c}" height="${c}" fill="${fill}"/>`);
    const digit = given || answer;
    if (digit) {
      const color = given ? "black" : wrong ? "#c00" : "#1a5fb4";
      const weight = given ? "bold" : "normal";
      out.push(
        `<text x="${x + c / 2}" y="${y + c * 0.7}" font-size="${c * 0.6}" text-anchor="middle" ` +
          `fill="${color}" font-weight="${weight}">${digit}</text>`,
      );
    }
    if (wrong) {
      out.push(
        `<text x="${x + c - 3}" y="${y + c * 0.3}" font-size="${c * 0.25}" text-anchor="end" ` +
          `fill="#555">${truth}</text>`,
      );
    }
  }
  for (let k = 0; k <= 9; k++) {
    const w = k % 3 === 0 ? 2 : 0.5, p = pad + k * c;
    out.push(
      `<line x1="${pad}" y1="${p}" x2="${
        pad + size
      }" y2="${p}" stroke="black" stroke-width="${w}"/>`,
    );
    out.push(
      `<line x1="${p}" y1="${pad}" x2="${p}" y2="${
        pad + size
      }" stroke="black" stroke-width="${w}"/>`,
    );
  }
  // Over the grid lines, so that the thick box lines do not hide them.
  for (let i = 0; i < 81; i++) {
    if (input.changed?.[i]) {
      out.push(changeMarkSvg(pad + (i % 9) * c, pad + Math.floor(i / 9) * c, c));
    }
  }
  if (input.title) {
    out.push(
      `<text x="${pad}" y="${size + 2 * pad + 14}" font-size="12" fill="black">${
        escapeXml(input.title)
      }</text>`,
    );
  }
  out.push("</svg>");
  return out.join("\n");
}

/** A minimal HTML page showing several grids side by side. */
export function renderHtml(items: RenderInput[], heading = "Sudoku"): string {
  const cells = items.map((it) =>
    `<div style="display:inline-block;margin:6px">${renderSvg(it)}</div>`
  );
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeXml(heading)}</title>` +
    `</head><body><h2>${escapeXml(heading)}</h2>\n${cells.join("\n")}\n</body></html>\n`;
}
