/**
 * Pictures of scored ARC tasks: one SVG per task (demonstrations, each test
 * input with its true output and the top-2 voted answers, with votes and mean
 * sigmoid(q_halt)), and an HTML page listing every task with its scores.
 * @module
 */
import { type Grid, gridsEqual } from "./encode.ts";
import type { ArcScore, TaskResult, TruthTask } from "./score.ts";

/** The ARC palette (colours 0..9), as the reference notebook draws them. */
export const ARC_COLOURS = [
  "#000000",
  "#0074D9",
  "#FF4136",
  "#2ECC40",
  "#FFDC00",
  "#AAAAAA",
  "#F012BE",
  "#FF851B",
  "#7FDBFF",
  "#870C25",
];

const CELL = 10;
const LABEL = 16;
const GAP = 14;

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** One panel: a caption above a grid, with an optional coloured frame. */
interface Panel {
  caption: string;
  grid: Grid | null;
  frame?: string;
}

function gridSvg(g: Grid, x: number, y: number): string {
  // One rect per run of equal colour in a row keeps the files small.
  const parts = [
    `<rect x="${x - 1}" y="${y - 1}" width="${g.cols * CELL + 2}" height="${
      g.rows * CELL + 2
    }" fill="#555"/>`,
  ];
  for (let r = 0; r < g.rows; r++) {
    let c = 0;
    while (c < g.cols) {
      const v = g.cells[r * g.cols + c];
      let e = c + 1;
      while (e < g.cols && g.cells[r * g.cols + e] === v) e++;
      parts.push(
        `<rect x="${x + c * CELL}" y="${y + r * CELL}" width="${(e - c) * CELL - 0.5}" height="${
          CELL - 0.5
        }" fill="${ARC_COLOURS[v]}"/>`,
      );
      c = e;
    }
  }
  return parts.join("");
}

function panelWidth(p: Panel): number {
  return Math.max(p.grid ? p.grid.cols * CELL : 0, p.caption.length * 6.5, 60);
}

/** The SVG of one task. */
export function taskSvg(truth: TruthTask, result: TaskResult | undefined): string {
  const rows: { title: string; panels: Panel[] }[] = [];
  truth.demos.forEach((p, k) => {
    rows.push({
      title: `demonstration ${k + 1}`,
      panels: [{ caption: "input", grid: p.input }, { caption: "output", grid: p.output }],
    });
  });
  truth.tests.forEach((p, t) => {
    const r = result?.tests[t];
    const panels: Panel[] = [
      { caption: "test input", grid: p.input },
      { caption: "truth", grid: p.output },
    ];
    for (let a = 0; a < 2; a++) {
      const ans = r?.answers[a];
      const ok = ans && gridsEqual(ans.grid, p.output);
      panels.push({
        caption: ans
          ? `#${a + 1}: ${ans.votes} votes, q ${ans.meanSigmoidQ.toFixed(2)}${ok ? " ✓" : ""}`
          : `#${a + 1}: none`,
        grid: ans ? ans.grid : null,
        frame: ans ? (ok ? "#2ECC40" : "#FF4136") : undefined,
      });
    }
    rows.push({ title: `test ${t + 1}`, panels });
  });
  const body: string[] = [];
  let y = 28, width = 0;
  body.push(
    `<text x="8" y="18" font-size="14" font-weight="bold">${esc(truth.name)}${
      result
        ? ` — pass@2: ${
          Math.round(result.passAt[2] * result.tests.length)
        } of ${result.tests.length} test inputs`
        : ""
    }</text>`,
  );
  for (const row of rows) {
    let x = 8;
    body.push(`<text x="8" y="${y + 12}" font-size="12" fill="#333">${esc(row.title)}</text>`);
    y += LABEL;
    let h = 0;
    for (const p of row.panels) {
      body.push(`<text x="${x}" y="${y + 11}" font-size="11">${esc(p.caption)}</text>`);
      if (p.grid) {
        if (p.frame) {
          body.push(
            `<rect x="${x - 3}" y="${y + LABEL - 3}" width="${p.grid.cols * CELL + 6}" height="${
              p.grid.rows * CELL + 6
            }" fill="${p.frame}"/>`,
          );
        }
        body.push(gridSvg(p.grid, x, y + LABEL));
        h = Math.max(h, p.grid.rows * CELL);
      }
      x += panelWidth(p) + GAP;
    }
    width = Math.max(width, x);
    y += LABEL + h + GAP;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(width)}" height="${y}" ` +
    `font-family="sans-serif"><rect width="100%" height="100%" fill="#fff"/>${
      body.join("")
    }</svg>\n`;
}

/** A file-system-safe name for a task's SVG. */
export function svgFileName(task: string): string {
  return `${task.replace(/[^A-Za-z0-9_.-]/g, "_")}.svg`;
}

/** The HTML page: overall scores, then every task's picture (SVGs under `tasks/`). */
export function indexHtml(score: ArcScore, title: string): string {
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  const head = score.ks.map((k) => `<th>pass@${k}</th>`).join("");
  const strict = score.ks.map((k) => `<td>${pct(score.overallAllTests[k])}</td>`).join("");
  const fraction = score.ks.map((k) => `<td>${pct(score.overallFraction[k])}</td>`).join("");
  const rows = score.tasks.map((t) =>
    `<tr><td><a href="#${esc(t.name)}">${esc(t.name)}</a></td><td>${t.tests.length}</td>${
      score.ks.map((k) => `<td>${pct(t.passAt[k])}</td>`).join("")
    }</tr>`
  ).join("\n");
  const figures = score.tasks.map((t) =>
    `<section id="${esc(t.name)}"><img loading="lazy" src="tasks/${
      esc(svgFileName(t.name))
    }" alt="${esc(t.name)}"></section>`
  ).join("\n");
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}td:first-child{text-align:left}
section{margin:1em 0}</style></head><body>
<h1>${esc(title)}</h1>
<p>${score.tasks.length} tasks, ${score.rowsUsed} predictions voted (${score.rowsPadding} padding rows ignored).</p>
<table><tr><th></th>${head}</tr>
<tr><td>all_tests: tasks with every test input solved (reference notebook, the paper's rule)</td>${strict}</tr>
<tr><td>fraction: mean share of a task's test inputs solved (per-test credit)</td>${fraction}</tr></table>
<h2>Per task</h2>
<p>The share of each task's test inputs solved (100% = counted by the all_tests rule).</p>
<table><tr><th>task</th><th>tests</th>${head}</tr>
${rows}
</table>
<h2>Tasks</h2>
${figures}
</body></html>
`;
}
