import assert from "node:assert/strict";
import { formatGrid, isCompleteSolution, parseGrid } from "./grid.ts";
import { rate, solveTdoku } from "./rater.ts";
import { formatRateLine, rateCsvText } from "./rate_csv.ts";
import { countSolutions } from "./solver.ts";

const fixture = new URL("../../fixtures/sudoku/tdoku_guesses_400.csv", import.meta.url);
const SHARED = new URL(
  "../../../shared/data/sudoku-calibration/tdoku_guesses.csv",
  import.meta.url,
);

const SOLVED = "534678912672195348198342567859761423426853791713924856961537284287419635345286179";

/** Blanks the given 0-based cells of a grid string. */
function blank(grid: string, cells: number[]): string {
  const a = grid.split("");
  for (const c of cells) a[c] = ".";
  return a.join("");
}

Deno.test("rater agrees with tdoku on the 400-row stratified fixture", async () => {
  const r = rateCsvText(await Deno.readTextFile(fixture), "fixture");
  assert.equal(r.n, 400);
  assert.ok(r.spearman >= 0.9, `spearman ${r.spearman}`);
  assert.ok(Math.abs(r.meanOurs - r.meanTdoku) <= 0.15 * r.meanTdoku, formatRateLine(r));
  // The rules are tdoku's, so the counts match exactly, not just in rank.
  assert.equal(r.exact, 400);
});

Deno.test("rater agrees with tdoku on the full calibration file when ../shared exists", async () => {
  let text: string;
  try {
    text = await Deno.readTextFile(SHARED);
  } catch {
    return; // CI without ../shared
  }
  const r = rateCsvText(text, "calibration");
  assert.equal(r.n, 2400);
  assert.ok(r.spearman >= 0.9);
  assert.ok(Math.abs(r.meanOurs - r.meanTdoku) <= 0.15 * r.meanTdoku);
});

Deno.test("hand-worked guess counts", () => {
  // A complete grid and a grid with singles only need no guess.
  assert.equal(rate(parseGrid(SOLVED)), 0);
  assert.equal(rate(parseGrid(blank(SOLVED, [0, 10, 20, 30, 40, 50, 60, 70, 80]))), 0);
  // An unavoidable rectangle: four cells in two rows of one band and two stacks holding
  // a b / b a; blanking them leaves exactly two solutions.
  const rects = rectangles(SOLVED);
  const rect = rects[0];
  assert.ok(rect, "SOLVED has an unavoidable rectangle");
  const twoWays = parseGrid(blank(SOLVED, rect));
  // Propagation cannot decide between a b / b a and b a / a b; the band holding both
  // rows is the only unfixed one, with exactly 2 configurations for a and b: one guess,
  // whose first branch is a solution; with limit 2 the second branch is the other one.
  assert.equal(solveTdoku(twoWays, 1).guesses, 1);
  const both = solveTdoku(twoWays, 2);
  assert.equal(both.solutions, 2);
  assert.equal(both.guesses, 1);
  assert.equal(countSolutions(twoWays, 10).count, 2);
  // Two rectangles in different bands: two independent binary choices. Limit 1: one guess
  // per band (2). All solutions: the first band's guess, the second band's guess under each
  // of its branches (3 guesses), 4 solutions.
  const other = rects.find((r) => Math.floor(r[0] / 27) !== Math.floor(rect[0] / 27));
  assert.ok(other, "SOLVED has rectangles in two bands");
  const fourWays = parseGrid(blank(SOLVED, [...rect, ...other]));
  assert.equal(solveTdoku(fourWays, 1).guesses, 2);
  const all = solveTdoku(fourWays, 100);
  assert.equal(all.solutions, 4);
  assert.equal(all.guesses, 3);
  assert.equal(countSolutions(fourWays, 100).count, 4);
});

/** Unavoidable rectangles of a grid: cells a b / b a in two rows of a band, two stacks. */
function rectangles(grid: string): number[][] {
  const g = parseGrid(grid);
  const out: number[][] = [];
  for (let r1 = 0; r1 < 9; r1++) {
    for (let r2 = r1 + 1; r2 < 9 && Math.floor(r2 / 3) === Math.floor(r1 / 3); r2++) {
      for (let c1 = 0; c1 < 9; c1++) {
        for (let c2 = c1 + 1; c2 < 9; c2++) {
          if (Math.floor(c1 / 3) === Math.floor(c2 / 3)) continue;
          const a = g[r1 * 9 + c1], b = g[r1 * 9 + c2];
          if (g[r2 * 9 + c1] === b && g[r2 * 9 + c2] === a) {
            out.push([r1 * 9 + c1, r1 * 9 + c2, r2 * 9 + c1, r2 * 9 + c2]);
          }
        }
      }
    }
  }
  return out;
}

Deno.test("famous hard puzzles: unique, solved identically by both solvers, need guesses", () => {
  const famous: Record<string, string> = {
    "AI Escargot (Inkala 2006)":
      "1....7.9..3..2...8..96..5....53..9...1..8...26....4...3......1..4......7..7...3..",
    "Easter Monster":
      "1.......2.9.4...5...6...7...5.9.3.......7.......85..4.7.....6...3...9.8...2.....1",
    "Inkala 2012":
      "8..........36......7..9.2...5...7.......457.....1...3...1....68..85...1..9....4..",
  };
  for (const [name, text] of Object.entries(famous)) {
    const p = parseGrid(text, name);
    const ours = solveTdoku(p, 2);
    assert.equal(ours.solutions, 1, name);
    const plain = countSolutions(p, 2);
    assert.equal(plain.count, 1, name);
    assert.ok(ours.solution && isCompleteSolution(ours.solution), name);
    assert.equal(formatGrid(ours.solution!), formatGrid(plain.solution!), name);
    assert.ok(rate(p) > 0, `${name} needs guesses`);
  }
  assert.equal(
    formatGrid(solveTdoku(parseGrid(famous["Inkala 2012"]), 1).solution!),
    "812753649943682175675491283154237896369845721287169534521974368438526917796318452",
  );
});

Deno.test("invalid grids are rejected", () => {
  // Two 5s in row 0.
  const dup = parseGrid("55" + ".".repeat(79));
  assert.equal(countSolutions(dup, 2).count, 0);
  // Consistent givens, but cell (0,8) has no candidate: 1-8 in row 0, a 9 below it.
  const dead = parseGrid("12345678." + "........9" + ".".repeat(63));
  assert.equal(countSolutions(dead, 2).count, 0);
  assert.equal(solveTdoku(dead, 2).solutions, 0);
  assert.throws(() => parseGrid("1".repeat(80)), /expected 81 characters/);
  assert.throws(() => parseGrid("x" + ".".repeat(80)), /character 'x' at position 1/);
});
