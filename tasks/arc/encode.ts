/**
 * ARC grids and their token encoding, as the reference builder does it: a
 * 30x30 canvas, token 0 = padding, 1 = end-of-grid marker (on the row below
 * and the column right of the grid, not the corner), 2..11 = colours 0..9.
 * Also the 8 dihedral transforms in the reference's numbering, colour maps,
 * and the notebook's crop that reads a grid back out of a canvas.
 * @module
 */

/** Canvas side and sequence length of the ARC encoding. */
export const CANVAS = 30;
export const SEQ_LEN = CANVAS * CANVAS;
/** Token ids: padding, end-of-grid marker, first colour (colour c is c + 2). */
export const PAD = 0;
export const EOS = 1;
export const COLOR0 = 2;
/** Vocabulary size: PAD + EOS + colours 0..9. */
export const VOCAB = 12;

/** A grid of colours 0..9 in row-major order. */
export interface Grid {
  rows: number;
  cols: number;
  cells: Uint8Array;
}

/** Inverse of each dihedral id (the reference's DIHEDRAL_INVERSE). */
export const DIHEDRAL_INVERSE = [0, 3, 2, 1, 4, 5, 6, 7] as const;

/** Whether dihedral id `d` swaps rows and columns (rotations by 90/270, transposes). */
export function swapsAxes(d: number): boolean {
  return d === 1 || d === 3 || d === 6 || d === 7;
}

/**
 * Flat source index in an `rows x cols` grid of the cell that dihedral `d`
 * moves to position (i, j) of the output. Ids as the reference's
 * `dihedral_transform`: 0 identity, 1-3 `np.rot90` k=1..3 (counter-clockwise),
 * 4 `fliplr`, 5 `flipud`, 6 transpose, 7 anti-transpose (`fliplr(rot90)`).
 */
export function dihedralSource(d: number, rows: number, cols: number, i: number, j: number) {
  switch (d) {
    case 0:
      return i * cols + j;
    case 1:
      return j * cols + (cols - 1 - i);
    case 2:
      return (rows - 1 - i) * cols + (cols - 1 - j);
    case 3:
      return (rows - 1 - j) * cols + i;
    case 4:
      return i * cols + (cols - 1 - j);
    case 5:
      return (rows - 1 - i) * cols + j;
    case 6:
      return j * cols + i;
    case 7:
      return (rows - 1 - j) * cols + (cols - 1 - i);
    default:
      throw new Error(`dihedral id must be 0..7, got ${d}`);
  }
}

/** Identity colour map (new colour of colour i is i). */
export const IDENTITY_MAP: Uint8Array = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

/**
 * `dihedral(map[grid], d)`: the colour map first (new colour of colour i is
 * `map[i]`), then the transform, as the reference augments.
 */
export function transformGrid(grid: Grid, d: number, map: Uint8Array = IDENTITY_MAP): Grid {
  const { rows, cols, cells } = grid;
  const [r2, c2] = swapsAxes(d) ? [cols, rows] : [rows, cols];
  const out = new Uint8Array(r2 * c2);
  for (let i = 0, k = 0; i < r2; i++) {
    for (let j = 0; j < c2; j++, k++) out[k] = map[cells[dihedralSource(d, rows, cols, i, j)]];
  }
  return { rows: r2, cols: c2, cells: out };
}

/** Inverse colour map: `inv[map[i]] = i` (the notebook's `np.argsort(perm)` for a permutation). */
export function invertMap(map: Uint8Array): Uint8Array {
  const inv = new Uint8Array(10);
  const seen = new Uint8Array(10);
  for (let i = 0; i < 10; i++) {
    if (map[i] > 9 || seen[map[i]]) {
      throw new Error(`colour map ${map.join("")} is not a permutation`);
    }
    seen[map[i]] = 1;
    inv[map[i]] = i;
  }
  return inv;
}

/**
 * Undoes augmentation (d, map) on a grid: inverse transform, then inverse
 * colour map (both commute with each other, as colours and positions are
 * independent).
 */
export function inverseTransformGrid(grid: Grid, d: number, map: Uint8Array): Grid {
  return transformGrid(grid, DIHEDRAL_INVERSE[d], invertMap(map));
}

/**
 * Writes grid (already transformed) into a 30x30 token canvas at
 * `out[offset..offset+900)` with its top-left cell at (padR, padC): zeros,
 * colours + 2, and end markers below and to the right (the corner stays 0).
 */
export function drawCanvas(
  grid: Grid,
  padR: number,
  padC: number,
  out: Int32Array | Uint8Array,
  offset: number,
): void {
  const { rows, cols, cells } = grid;
  out.fill(PAD, offset, offset + SEQ_LEN);
  for (let i = 0; i < rows; i++) {
    const base = offset + (padR + i) * CANVAS + padC;
    for (let j = 0; j < cols; j++) out[base + j] = cells[i * cols + j] + COLOR0;
  }
  const eosRow = padR + rows, eosCol = padC + cols;
  if (eosRow < CANVAS) {
    out.fill(EOS, offset + eosRow * CANVAS + padC, offset + eosRow * CANVAS + eosCol);
  }
  if (eosCol < CANVAS) {
    for (let i = padR; i < eosRow; i++) out[offset + i * CANVAS + eosCol] = EOS;
  }
}

/**
 * Reads a grid back from a canvas as the reference notebook's `crop`: the
 * largest-area rectangle anchored at the top-left whose cells are all colour
 * tokens (2..11), scanning rows and shrinking the width at the first
 * non-colour token. Returns colours 0..9 (a 0x0 grid when the corner is not
 * a colour).
 */
export function cropCanvas(tokens: ArrayLike<number>, offset = 0): Grid {
  let maxArea = 0, bestR = 0, bestC = 0, numC = CANVAS;
  for (let r = 1; r <= CANVAS; r++) {
    for (let c = 1; c <= numC; c++) {
      const x = tokens[offset + (r - 1) * CANVAS + c - 1];
      if (x < COLOR0 || x > COLOR0 + 9) {
        numC = c - 1;
        break;
      }
    }
    const area = r * numC;
    if (area > maxArea) {
      maxArea = area;
      bestR = r;
      bestC = numC;
    }
  }
  const cells = new Uint8Array(bestR * bestC);
  for (let i = 0; i < bestR; i++) {
    for (let j = 0; j < bestC; j++) cells[i * bestC + j] = tokens[offset + i * CANVAS + j] - COLOR0;
  }
  return { rows: bestR, cols: bestC, cells };
}

/** A string key identifying a grid's shape and cells (for votes and lookups). */
export function gridKey(grid: Grid): string {
  return `${grid.rows}x${grid.cols}:${String.fromCharCode(...grid.cells)}`;
}

/** True when two grids have the same shape and cells. */
export function gridsEqual(a: Grid, b: Grid): boolean {
  if (a.rows !== b.rows || a.cols !== b.cols) return false;
  for (let i = 0; i < a.cells.length; i++) if (a.cells[i] !== b.cells[i]) return false;
  return true;
}

/** Grid from nested rows (tests and fixtures). */
export function gridFromRows(rows: number[][]): Grid {
  const r = rows.length, c = r ? rows[0].length : 0;
  return { rows: r, cols: c, cells: Uint8Array.from(rows.flat()) };
}

/** Nested rows from a grid (JSON output). */
export function gridToRows(grid: Grid): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < grid.rows; i++) {
    out.push([...grid.cells.subarray(i * grid.cols, (i + 1) * grid.cols)]);
  }
  return out;
}
