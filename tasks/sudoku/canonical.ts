/**
 * Sudoku equivalence up to the validity-preserving symmetries the augmentation
 * uses (digit relabelling, transposition, band/stack order, row/column order
 * within a band/stack), for checking that train and test share no puzzle.
 *
 * `symmetryKey` is a canonical *invariant*: equal for equivalent puzzles, and
 * in practice different otherwise. Puzzles whose keys collide are compared
 * exactly by `equivalent`, a pruned search over the 2 x 1296 x 1296 position
 * symmetries with a consistent digit bijection, so the check is exact.
 * @module
 */
import type { Grid } from "./grid.ts";

function transpose(g: Grid): Grid {
  const out = new Uint8Array(81);
  for (let r = 0; r < 9; r++) for (let c = 0; c < 9; c++) out[c * 9 + r] = g[r * 9 + c];
  return out;
}

/** Counts of givens per row, per column, per box, per digit. */
function counts(g: Grid) {
  const row = new Array(9).fill(0), col = new Array(9).fill(0), box = new Array(9).fill(0);
  const digit = new Array(10).fill(0);
  for (let i = 0; i < 81; i++) {
    if (!g[i]) continue;
    const r = (i / 9) | 0, c = i % 9;
    row[r]++;
    col[c]++;
    box[((r / 3) | 0) * 3 + ((c / 3) | 0)]++;
    digit[g[i]]++;
  }
  return { row, col, box, digit };
}

/** Band signature of line counts: each band's sorted triple, the bands sorted. */
function bandSignature(lines: number[]): string {
  const bands = [0, 1, 2].map((b) => lines.slice(b * 3, b * 3 + 3).sort((x, y) => x - y).join("."));
  return bands.sort().join("|");
}

function orientedKey(g: Grid): string {
  const { row, col, box, digit } = counts(g);
  // Each given described by what no symmetry changes: its row, column and box
  // counts, its box's band and stack, and how often its digit is given.
  const cells: string[] = [];
  for (let i = 0; i < 81; i++) {
    if (!g[i]) continue;
    const r = (i / 9) | 0, c = i % 9;
    const b = ((r / 3) | 0) * 3 + ((c / 3) | 0);
    cells.push(`${row[r]},${col[c]},${box[b]},${digit[g[i]]}`);
  }
  cells.sort();
  return `${bandSignature(row)}/${bandSignature(col)}/${cells.join(";")}`;
}

/** An invariant of the puzzle under all Sudoku symmetries (see module doc). */
export function symmetryKey(g: Grid): string {
  const a = orientedKey(g), b = orientedKey(transpose(g));
  const { digit } = counts(g);
  const digits = digit.slice(1).sort((x, y) => x - y).join(",");
  return `${digits}#${a < b ? a : b}`;
}

/** The 1296 line orders that keep bands together: band order, then order within each band. */
const LINE_PERMS: readonly Uint8Array[] = (() => {
  const p3 = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
  const out: Uint8Array[] = [];
  for (const bands of p3) {
    for (const x of p3) {
      for (const y of p3) {
        for (const z of p3) {
          const inner = [x, y, z];
          out.push(Uint8Array.from(bands.flatMap((b, k) => inner[k].map((r) => b * 3 + r))));
        }
      }
    }
  }
  return out;
})();

/** True when some symmetry maps puzzle `a` onto puzzle `b` exactly. */
export function equivalent(a: Grid, b: Grid): boolean {
  if (symmetryKey(a) !== symmetryKey(b)) return false;
  const cb = counts(b);
  for (const source of [a, transpose(a)]) {
    const ca = counts(source);
    // Line orders must at least carry each line onto one with as many givens.
    const rowPerms = LINE_PERMS.filter((p) => p.every((r, i) => ca.row[r] === cb.row[i]));
    const colPerms = LINE_PERMS.filter((p) => p.every((c, i) => ca.col[c] === cb.col[i]));
    for (const rp of rowPerms) {
      for (const cp of colPerms) if (mapsOnto(source, b, rp, cp)) return true;
    }
  }
  return false;
}

function mapsOnto(a: Grid, b: Grid, rp: Uint8Array, cp: Uint8Array): boolean {
  const fwd = new Uint8Array(10), back = new Uint8Array(10);
  for (let r = 0; r < 9; r++) {
    for (let c = 0; c < 9; c++) {
      const x = a[rp[r] * 9 + cp[c]], y = b[r * 9 + c];
      if ((x === 0) !== (y === 0)) return false;
      if (x === 0) continue;
      if (fwd[x] === 0 && back[y] === 0) {
        fwd[x] = y;
        back[y] = x;
      } else if (fwd[x] !== y || back[y] !== x) return false;
    }
  }
  return true;
}
