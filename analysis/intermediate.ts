/**
 * Intermediate predictions (paper Figure 7): one puzzle's prediction after
 * every segment as a strip of the task's own pictures (`Task.renderExample`:
 * the Sudoku grid, the Maze path, the ARC grid, with wrong tokens marked
 * against the label), each from segment 2 on given the previous segment's
 * prediction as `previous` so that it marks the changed cells
 * (`CHANGE_MARK`); segment 1 is drawn without marks. Each is captioned with its
 * segment, how many tokens changed since the previous segment (the first:
 * since the input) and whether it is exactly right; a legend line under the
 * strip explains the change mark. Nothing here knows a task: the pictures come
 * from the caller's renderer.
 * @module
 */
import { escapeXml } from "../util/mod.ts";
import { CHANGE_MARK, type TaskExample } from "../tasks/mod.ts";

/** One puzzle's predictions after segments 1..S. */
export interface PredictionTrace {
  input: number[];
  label: number[];
  /** `predictions[s-1]`: the prediction after segment s. */
  predictions: number[][];
}

/** Per segment: tokens changed since the previous segment (the first: vs the input). */
export function changedTokens(trace: PredictionTrace): number[] {
  return trace.predictions.map((p, s) => {
    const before = s === 0 ? trace.input : trace.predictions[s - 1];
    let n = 0;
    for (let i = 0; i < p.length; i++) if (p[i] !== before[i]) n++;
    return n;
  });
}

/** Whether a prediction equals the label on every labelled token (-100 unlabelled). */
export function isExact(prediction: number[], label: number[]): boolean {
  if (label.length === 0) return false;
  return label.every((t, i) => t < 0 || prediction[i] === t);
}

/** The width and height attributes of an SVG's root element. */
export function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? "";
  const width = Number(/\bwidth="([\d.]+)"/.exec(root)?.[1]);
  const height = Number(/\bheight="([\d.]+)"/.exec(root)?.[1]);
  if (!(width > 0 && height > 0)) throw new Error("picture: the SVG has no width/height");
  return { width, height };
}

const CAPTION = 34;
const GAP = 10;
const LEGEND = 22;

/** The legend line under the strip: a sample change mark and what it means. */
export const STRIP_LEGEND = `${CHANGE_MARK.words}: cell changed since the previous segment ` +
  `(none on segment 1, whose count is against the input)`;

/**
 * The strip: one captioned picture per segment, left to right, under a title,
 * over a legend line. Segment s >= 2 is rendered with `previous` = segment
 * s-1's prediction; segment 1 with none.
 */
export function predictionStrip(
  trace: PredictionTrace,
  render: (example: TaskExample) => string,
  title: string,
): string {
  const changed = changedTokens(trace);
  const frames = trace.predictions.map((prediction, s) =>
    render({
      input: trace.input,
      label: trace.label,
      prediction,
      ...(s > 0 ? { previous: trace.predictions[s - 1] } : {}),
    })
  );
  const sizes = frames.map(svgSize);
  const exact = trace.predictions.map((prediction) => isExact(prediction, trace.label));
  const captions = exact.map((ok, s) => [
    `segment ${s + 1}:`,
    `${changed[s]} changed` + (s === 0 ? " from input" : "") + (ok ? ", exact" : ""),
  ]);
  // Each column is as wide as its picture or its caption (about 7 px a character at 12 px),
  // so that a caption never runs into the next picture's.
  const columns = sizes.map((size, s) =>
    Math.max(size.width, ...captions[s].map((line) => line.length * 7))
  );
  const picturesBottom = Math.max(...sizes.map((s) => s.height)) + CAPTION + 24;
  const height = picturesBottom + LEGEND;
  // About 6 px a character at the legend's 11 px.
  const legendWidth = GAP + 18 + STRIP_LEGEND.length * 6 + GAP;
  const width = Math.max(legendWidth, columns.reduce((w, c) => w + c + GAP, GAP));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${GAP}" y="16" font-size="13">${escapeXml(title)}</text>`,
  ];
  let x = GAP;
  for (const [s, frame] of frames.entries()) {
    const color = exact[s] ? "#2a7d2a" : "#333";
    parts.push(
      ...captions[s].map((line, i) =>
        `<text x="${x}" y="${24 + CAPTION - 24 + 13 * i}" font-size="12" fill="${color}">${
          escapeXml(line)
        }</text>`
      ),
      frame.replace(/^<svg\b/, `<svg x="${x}" y="${24 + CAPTION - 6}"`),
    );
    x += columns[s] + GAP;
  }
  const y = picturesBottom + 4;
  parts.push(
    `<rect x="${GAP + 1}" y="${y + 1}" width="10" height="10" fill="none" ` +
      `stroke="${CHANGE_MARK.stroke}" stroke-width="${CHANGE_MARK.width}" ` +
      `stroke-dasharray="${CHANGE_MARK.dash}"/>`,
    `<text x="${GAP + 18}" y="${y + 10}" font-size="11" fill="#333">${
      escapeXml(STRIP_LEGEND)
    }</text>`,
  );
  parts.push("</svg>");
  return parts.join("\n");
}
