/**
 * `deno task data sudoku-rate <csv>`: rates every puzzle of a calibration CSV
 * (header `puzzle,tdoku_guesses`) and compares with tdoku's counts.
 * @module
 */
import { isConsistent, parseGrid } from "./grid.ts";
import { rate } from "./rater.ts";
import { spearman } from "./summary.ts";

/** Agreement of our rater with the counts in the file. */
export interface RateReport {
  n: number;
  spearman: number;
  meanOurs: number;
  meanTdoku: number;
  /** Rows where our count equals tdoku's exactly. */
  exact: number;
  ours: number[];
}

/** Rates the puzzles of CSV text; `where` names the file in errors. */
export function rateCsvText(text: string, where: string): RateReport {
  const rows = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const header = rows[0]?.split(",").map((h) => h.trim()) ?? [];
  const pi = header.indexOf("puzzle"), ti = header.indexOf("tdoku_guesses");
  if (pi < 0 || ti < 0) throw new Error(`${where}: line 1: expected header 'puzzle,tdoku_guesses'`);
  const ours: number[] = [], theirs: number[] = [];
  for (let i = 1; i < rows.length; i++) {
    const f = rows[i].split(",");
    const grid = parseGrid(f[pi] ?? "", `${where}: line ${i + 1}`);
    if (!isConsistent(grid)) throw new Error(`${where}: line ${i + 1}: givens conflict`);
    const t = Number(f[ti]);
    if (!Number.isInteger(t) || t < 0) {
      throw new Error(`${where}: line ${i + 1}: tdoku_guesses '${f[ti]}' is not a count`);
    }
    ours.push(rate(grid));
    theirs.push(t);
  }
  const mean = (a: number[]) => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : 0);
  return {
    n: ours.length,
    spearman: spearman(ours, theirs),
    meanOurs: mean(ours),
    meanTdoku: mean(theirs),
    exact: ours.filter((x, i) => x === theirs[i]).length,
    ours,
  };
}

/** The summary line the CLI ends with. */
export function formatRateLine(r: RateReport): string {
  return `sudoku-rate n=${r.n} spearman=${r.spearman.toFixed(4)} mean_ours=${
    r.meanOurs.toFixed(3)
  } mean_tdoku=${r.meanTdoku.toFixed(3)}`;
}
