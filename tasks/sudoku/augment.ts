/**
 * Sudoku symmetries and the reference's training augmentation
 * (`shuffle_sudoku` in HRM's dataset/build_sudoku_dataset.py): a digit
 * permutation of 1-9, a transpose with probability 1/2, a band order with a
 * row order inside each band, and a stack order with a column order inside
 * each stack. Blanks stay blank.
 * @module
 */
import type { Grid } from "./grid.ts";
import { deriveSeed, Rng } from "../../util/mod.ts";

/** One symmetry: output cell i takes input cell `cells[i]`, digit d becomes `digits[d]`. */
export interface Transform {
  /** Source cell of each output cell (after the optional transpose). */
  cells: Uint8Array;
  /** digits[0] = 0 (blank), digits[1..9] a permutation of 1..9. */
  digits: Uint8Array;
}

/**
 * Draws a transform the way the reference does: digit map, transpose flag,
 * band order then rows within each band, stack order then columns within each stack.
 */
export function randomTransform(rng: Rng): Transform {
  const digits = new Uint8Array(10);
  const perm = rng.permutation(9);
  for (let d = 1; d <= 9; d++) digits[d] = perm[d - 1] + 1;
  const transpose = rng.int(2) === 1;
  const rowPerm: number[] = [];
  for (const band of rng.permutation(3)) {
    for (const r of rng.permutation(3)) rowPerm.push(band * 3 + r);
  }
  const colPerm: number[] = [];
  for (const stack of rng.permutation(3)) {
    for (const c of rng.permutation(3)) colPerm.push(stack * 3 + c);
  }
  const cells = new Uint8Array(81);
  for (let i = 0; i < 81; i++) {
    // The reference transposes first, then reads x[row_perm[r], col_perm[c]].
    const r = rowPerm[(i / 9) | 0], c = colPerm[i % 9];
    cells[i] = transpose ? c * 9 + r : r * 9 + c;
  }
  return { cells, digits };
}

/** Applies a transform to a grid (blanks stay 0). */
export function applyTransform(t: Transform, g: Grid): Grid {
  const out = new Uint8Array(81);
  for (let i = 0; i < 81; i++) out[i] = t.digits[g[t.cells[i]]];
  return out;
}

/**
 * The k-th augmentation (k >= 1) of puzzle `index` for a build seeded with
 * `seed`: a pure function of (seed, index, k), so the 1000 shuffles of every
 * puzzle need not be stored.
 */
export function augmentationTransform(seed: number, index: number, k: number): Transform {
  return randomTransform(new Rng(deriveSeed(seed, 0x41554721, index, k)));
}
