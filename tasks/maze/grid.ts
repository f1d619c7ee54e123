/**
 * Maze grids as the reference stores them: a square of characters from
 * `# SGo` (wall, open, start, goal, path), tokenised to ids 1..5 with 0 as pad,
 * flattened row-major. Also the 8 dihedral transforms of the reference's
 * `dataset/common.py` (numpy `rot90`/`fliplr`/`flipud`/`.T` semantics).
 * @module
 */

/** The reference's character set; character `CHARSET[k]` has token id `k + 1`. */
export const CHARSET = "# SGo";
/** Token ids. */
export const PAD = 0;
export const WALL = 1;
export const OPEN = 2;
export const START = 3;
export const GOAL = 4;
export const PATH = 5;
/** Vocabulary size: pad + the five characters. */
export const VOCAB_SIZE = CHARSET.length + 1;

/** Side length of a square grid of `cells` cells; throws when not a perfect square. */
export function sideOf(cells: number, where = "grid"): number {
  const n = Math.round(Math.sqrt(cells));
  if (n * n !== cells || n < 2) {
    throw new Error(`${where}: ${cells} cells is not a square grid of side >= 2`);
  }
  return n;
}

/** Tokenises a row-major grid string; returns the index of the first bad character on failure. */
export function encodeGrid(text: string): Uint8Array | { badAt: number; char: string } {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const k = CHARSET.indexOf(text[i]);
    if (k < 0) return { badAt: i, char: text[i] };
    out[i] = k + 1;
  }
  return out;
}

/** Turns token ids back into characters (`?` for pad or unknown ids). */
export function decodeGrid(ids: ArrayLike<number>): string {
  let s = "";
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    s += id >= 1 && id <= CHARSET.length ? CHARSET[id - 1] : "?";
  }
  return s;
}

/** Multi-line rendering (one text row per grid row), for tests and debugging. */
export function gridToLines(ids: ArrayLike<number>, size: number): string[] {
  const s = decodeGrid(ids);
  const rows: string[] = [];
  for (let r = 0; r < size; r++) rows.push(s.slice(r * size, (r + 1) * size));
  return rows;
}

/** Parses a multi-line picture (rows of `# SGo`) into token ids; for tests and hand-made mazes. */
export function gridFromLines(lines: string[]): { size: number; ids: Uint8Array } {
  const size = lines.length;
  for (const [r, line] of lines.entries()) {
    if (line.length !== size) {
      throw new Error(`row ${r} has ${line.length} characters, expected ${size}`);
    }
  }
  const enc = encodeGrid(lines.join(""));
  if (!(enc instanceof Uint8Array)) {
    throw new Error(`unknown character '${enc.char}' at cell ${enc.badAt}`);
  }
  return { size, ids: enc };
}

/** Cell index of the unique cell holding `id`, -1 when absent, -2 when repeated. */
export function findUnique(ids: ArrayLike<number>, id: number): number {
  let at = -1;
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] !== id) continue;
    if (at >= 0) return -2;
    at = i;
  }
  return at;
}

/**
 * Source cell of output cell (i, j) under dihedral transform `tid`, matching
 * `dihedral_transform` of the reference: 0 identity, 1 rot90, 2 rot180,
 * 3 rot270 (numpy's counter-clockwise `rot90`), 4 fliplr, 5 flipud,
 * 6 transpose, 7 fliplr(rot90) (anti-transpose).
 */
function dihedralSource(tid: number, i: number, j: number, n: number): number {
  const m = n - 1;
  switch (tid) {
    case 0:
      return i * n + j;
    case 1:
      return j * n + (m - i);
    case 2:
      return (m - i) * n + (m - j);
    case 3:
      return (m - j) * n + i;
    case 4:
      return i * n + (m - j);
    case 5:
      return (m - i) * n + j;
    case 6:
      return j * n + i;
    case 7:
      return (m - j) * n + (m - i);
    default:
      throw new Error(`dihedral transform id must be 0..7, got ${tid}`);
  }
}

/** Inverse of each dihedral transform id (the reference's `DIHEDRAL_INVERSE`). */
export const DIHEDRAL_INVERSE = [0, 3, 2, 1, 4, 5, 6, 7] as const;

/** Applies dihedral transform `tid` to an n x n row-major grid. */
export function dihedral<T extends Uint8Array | Int32Array>(grid: T, n: number, tid: number): T {
  const out = new (grid.constructor as { new (len: number): T })(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) out[i * n + j] = grid[dihedralSource(tid, i, j, n)];
  }
  return out;
}
