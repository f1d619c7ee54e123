/**
 * Sudoku grids as 81 digits (row-major, 0 = blank): parsing, formatting,
 * validity checks and the peer tables the solvers share.
 * @module
 */

/** A 9x9 grid, row-major, values 0 (blank) or 1..9. */
export type Grid = Uint8Array;

/** Row, column and box index of every cell. */
export const ROW = new Uint8Array(81).map((_, i) => Math.floor(i / 9));
export const COL = new Uint8Array(81).map((_, i) => i % 9);
export const BOX = new Uint8Array(81).map((_, i) =>
  Math.floor(Math.floor(i / 9) / 3) * 3 + Math.floor((i % 9) / 3)
);

/** The 20 peers (same row, column or box) of each cell. */
export const PEERS: readonly Uint8Array[] = Array.from({ length: 81 }, (_, i) => {
  const out: number[] = [];
  for (let j = 0; j < 81; j++) {
    if (j !== i && (ROW[j] === ROW[i] || COL[j] === COL[i] || BOX[j] === BOX[i])) out.push(j);
  }
  return Uint8Array.from(out);
});

/** The 27 units (9 rows, 9 columns, 9 boxes) as cell lists. */
export const UNITS: readonly Uint8Array[] = (() => {
  const units: number[][] = Array.from({ length: 27 }, () => []);
  for (let i = 0; i < 81; i++) {
    units[ROW[i]].push(i);
    units[9 + COL[i]].push(i);
    units[18 + BOX[i]].push(i);
  }
  return units.map((u) => Uint8Array.from(u));
})();

/**
 * Parses an 81-character puzzle string: `.` or `0` for a blank, `1`-`9` for a
 * digit. Throws a message naming `where` on anything else.
 */
export function parseGrid(text: string, where = "puzzle"): Grid {
  if (text.length !== 81) {
    throw new Error(`${where}: expected 81 characters, got ${text.length}`);
  }
  const g = new Uint8Array(81);
  for (let i = 0; i < 81; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 46 /* . */ || ch === 48 /* 0 */) continue;
    if (ch < 49 || ch > 57) {
      throw new Error(`${where}: character '${text[i]}' at position ${i + 1} is not '.', or 1-9`);
    }
    g[i] = ch - 48;
  }
  return g;
}

/** Formats a grid as 81 characters with `.` for blanks (the official CSV's `question`). */
export function formatGrid(g: Grid, blank = "."): string {
  let s = "";
  for (let i = 0; i < 81; i++) s += g[i] === 0 ? blank : String(g[i]);
  return s;
}

/** Number of givens. */
export function clueCount(g: Grid): number {
  let n = 0;
  for (let i = 0; i < 81; i++) if (g[i] !== 0) n++;
  return n;
}

/** True when no two givens in a row, column or box are equal (blanks allowed). */
export function isConsistent(g: Grid): boolean {
  for (const unit of UNITS) {
    let seen = 0;
    for (const cell of unit) {
      const v = g[cell];
      if (v === 0) continue;
      if (v > 9) return false;
      const bit = 1 << v;
      if (seen & bit) return false;
      seen |= bit;
    }
  }
  return true;
}

/** True when `g` is a complete valid solution (every unit holds 1..9 once). */
export function isCompleteSolution(g: Grid): boolean {
  for (let i = 0; i < 81; i++) if (g[i] < 1 || g[i] > 9) return false;
  return isConsistent(g);
}

/** True when every given of `puzzle` equals the same cell of `solution`. */
export function agrees(puzzle: Grid, solution: Grid): boolean {
  for (let i = 0; i < 81; i++) if (puzzle[i] !== 0 && puzzle[i] !== solution[i]) return false;
  return true;
}

/** Number of cells where two grids differ. */
export function hamming(a: Grid, b: Grid): number {
  let n = 0;
  for (let i = 0; i < 81; i++) if (a[i] !== b[i]) n++;
  return n;
}
