/**
 * A DPLL Sudoku solver with the propagation and branching rules of tdoku's
 * triad solver (github.com/t-dillon/tdoku, `solver_dpll_triad_simd.cc`),
 * written from its documented design so that its guess count is on the scale
 * of Sudoku-Extreme's `rating` column ("number of backtracks of tdoku").
 *
 * The model (as in tdoku):
 * - Each box holds a 4x4 matrix of 9-bit candidate sets: the 3x3 cells, a
 *   column of three negative *horizontal triads* `H_r` (digits that are NOT in
 *   minirow r of the box) and a row of three negative *vertical triads* `V_c`
 *   (digits not in minicolumn c). Every row and column of the matrix is an
 *   exactly-one clause per digit (a digit is in minirow r, or `H_r` holds it).
 *   Cells need at least 1 candidate, triads exactly 6.
 * - Each band (3 horizontal, 3 vertical) holds, per digit, which of the 6
 *   ways the digit can sit in the band (a permutation: which minirow of each
 *   of the 3 boxes) remain possible ("configurations").
 * - Boxes and bands exchange eliminations until nothing changes: a box
 *   asserts naked singles, digits that occur once in a matrix row/column
 *   (hidden singles via the triads) and triads down to 6 digits; a band
 *   drops configurations contradicting those assertions, asserts the three
 *   digits of any minirow whose positive triad is down to 3 (once per update,
 *   as tdoku does) and restricts its boxes to the remaining configurations.
 * - Branching: the unfixed band with the fewest configurations in total
 *   (first on ties, horizontal bands 0-2 then vertical 0-2); in it, the
 *   lowest digit with exactly 2 configurations, else exactly 3, else the
 *   lowest with 4 or more; try its first configuration, then the rest. Each
 *   branch point counts one guess.
 *
 * The message order (which band or box is updated first) follows tdoku,
 * because the once-per-update triad rule makes the result order-dependent.
 * @module
 */
import type { Grid } from "./grid.ts";

const ALL = 0x1ff;
/** Start of the band configuration lanes (6 bands x 6 configurations) in a state. */
const CONF = 144;
/** Start of the pending band eliminations (6 bands x 6 configurations). */
const ELIM = 180;
const STATE_LEN = 216;

/** ELEM[c * 3 + p]: the minirow (or minicolumn) of peer box p in configuration c. */
const ELEM = Uint8Array.from([
  0,
  1,
  2, // c0
  1,
  2,
  0, // c1
  2,
  0,
  1, // c2
  2,
  1,
  0, // c3
  0,
  2,
  1, // c4
  1,
  0,
  2, // c5
]);

const POP = new Uint8Array(1 << 16).map((_, x) => {
  let n = 0;
  for (let v = x; v; v &= v - 1) n++;
  return n;
});

/** Minimum candidate count of each box lane: cells 1, triads 6, the unused corner 0. */
const MINIMUM = Uint8Array.from([1, 1, 1, 6, 1, 1, 1, 6, 1, 1, 1, 6, 6, 6, 6, 0]);
const IS_CELL = Uint8Array.from([1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0]);

// Scratch for boxRestrict's inner loop: nothing recursive runs inside that loop.
const elimBuf = new Uint16Array(16);
const assertBuf = new Uint16Array(16);
const orBuf = new Uint16Array(3);
const orBuf2 = new Uint16Array(3);
const asserting = new Uint16Array(9);
/** Triads of each pending bandEliminate call, a stack since calls nest. */
const triadStack = new Uint16Array(9 * 8192);
let triadTop = 0;

/** Outcome of a solve. */
export interface RateResult {
  /** Solutions found, up to the limit (0 = no solution). */
  solutions: number;
  /** Branch points visited before stopping: the tdoku-scale rating when limit is 1. */
  guesses: number;
  /** The first solution found, or null. */
  solution: Grid | null;
}

class Search {
  solutions = 0;
  guesses = 0;
  solution: Grid | null = null;
  constructor(readonly limit: number, readonly wantSolution = true) {}

  boxRestrict(s: Uint16Array, box: number, t0: number, t1: number, t2: number, vertical: boolean) {
    const base = box * 16;
    const elim = elimBuf;
    // Candidates the band allows: its triads for the minirows (minicolumns) and,
    // for each negative triad, the digits that may still sit in the other two.
    const o0 = t1 | t2, o1 = t2 | t0, o2 = t0 | t1;
    let any = 0;
    if (!vertical) {
      any |= elim[0] = s[base] & ~t0;
      any |= elim[1] = s[base + 1] & ~t0;
      any |= elim[2] = s[base + 2] & ~t0;
      any |= elim[3] = s[base + 3] & ~o0;
      any |= elim[4] = s[base + 4] & ~t1;
      any |= elim[5] = s[base + 5] & ~t1;
      any |= elim[6] = s[base + 6] & ~t1;
      any |= elim[7] = s[base + 7] & ~o1;
      any |= elim[8] = s[base + 8] & ~t2;
      any |= elim[9] = s[base + 9] & ~t2;
      any |= elim[10] = s[base + 10] & ~t2;
      any |= elim[11] = s[base + 11] & ~o2;
      elim[12] =
        elim[13] =
        elim[14] =
        elim[15] =
          0;
    } else {
      for (let r = 0; r < 3; r++) {
        any |= elim[r * 4] = s[base + r * 4] & ~t0;
        any |= elim[r * 4 + 1] = s[base + r * 4 + 1] & ~t1;
        any |= elim[r * 4 + 2] = s[base + r * 4 + 2] & ~t2;
        elim[r * 4 + 3] = 0;
      }
      any |= elim[12] = s[base + 12] & ~o0;
      any |= elim[13] = s[base + 13] & ~o1;
      any |= elim[14] = s[base + 14] & ~o2;
      elim[15] = 0;
    }
    if (any === 0) return true;
    return this.boxUpdate(s, box, vertical);
  }

  /** Applies the eliminations in `elimBuf` to a box and propagates to a fixpoint. */
  boxUpdate(s: Uint16Array, box: number, vertical: boolean): boolean {
    const base = box * 16;
    const elim = elimBuf;
    const boxI = (box / 3) | 0, boxJ = box % 3;
    const hb = ELIM + boxI * 6, vb = ELIM + (3 + boxJ) * 6;
    const asrt = assertBuf;
    for (;;) {
      for (let l = 0; l < 16; l++) {
        const v = s[base + l] & ~elim[l];
        s[base + l] = v;
        const n = POP[v];
        if (n < MINIMUM[l]) return false;
        asrt[l] = n === MINIMUM[l] ? v : 0;
      }
      // A digit occurring in exactly one entry of a matrix row or column is asserted there.
      for (let k = 0; k < 4; k++) {
        onceInLine(s, base, asrt, k * 4, 1);
        onceInLine(s, base, asrt, k, 4);
      }
      const r0 = asrt[0] | asrt[1] | asrt[2], r1 = asrt[4] | asrt[5] | asrt[6];
      const r2 = asrt[8] | asrt[9] | asrt[10];
      const allCells = r0 | r1 | r2;
      const rowOr = orBuf;
      rowOr[0] = r0;
      rowOr[1] = r1;
      rowOr[2] = r2;
      const colOr = orBuf2;
      colOr[0] = asrt[0] | asrt[4] | asrt[8];
      colOr[1] = asrt[1] | asrt[5] | asrt[9];
      colOr[2] = asrt[2] | asrt[6] | asrt[10];
      for (let l = 0; l < 12; l++) {
        if (IS_CELL[l]) elim[l] |= asrt[l] ? 0xffff ^ asrt[l] : allCells;
        else elim[l] |= rowOr[l >> 2];
      }
      for (let c = 0; c < 3; c++) elim[12 + c] |= colOr[c];
      // Messages to the two bands: asserted negative triads drop the configurations
      // placing the digit there; asserted cells drop those placing it elsewhere in the box.
      for (let cf = 0; cf < 6; cf++) {
        const eh = ELEM[cf * 3 + boxJ];
        s[hb + cf] |= asrt[eh * 4 + 3] | rowOr[(eh + 1) % 3] | rowOr[(eh + 2) % 3];
        const ev = ELEM[cf * 3 + boxI];
        s[vb + cf] |= asrt[12 + ev] | colOr[(ev + 1) % 3] | colOr[(ev + 2) % 3];
      }
      let again = 0;
      for (let l = 0; l < 16; l++) again |= elim[l] & s[base + l];
      if (again === 0) break;
    }
    if (vertical) {
      return this.bandEliminate(s, boxI, boxJ) && this.bandEliminate(s, 3 + boxJ, boxI);
    }
    return this.bandEliminate(s, 3 + boxJ, boxI) && this.bandEliminate(s, boxI, boxJ);
  }

  bandEliminate(s: Uint16Array, band: number, fromPeer: number): boolean {
    const cb = CONF + band * 6, eb = ELIM + band * 6;
    let hit = 0;
    for (let c = 0; c < 6; c++) hit |= s[cb + c] & s[eb + c];
    if (hit === 0) return true;
    for (let c = 0; c < 6; c++) s[cb + c] &= ~s[eb + c];
    const t = triadStack;
    const tb = triadTop;
    triads(s, cb, t, tb);
    // A minirow whose positive triad is down to three digits holds exactly those:
    // drop configurations putting them elsewhere in the same box (applied once).
    for (let k = 0; k < 9; k++) asserting[k] = POP[t[tb + k]] === 3 ? t[tb + k] : 0;
    for (let c = 0; c < 6; c++) {
      let rm = 0;
      for (let p = 0; p < 3; p++) {
        const e = ELEM[c * 3 + p];
        rm |= asserting[p * 3 + (e + 1) % 3] | asserting[p * 3 + (e + 2) % 3];
      }
      s[cb + c] &= ~rm;
    }
    triads(s, cb, t, tb);
    triadTop += 9;
    const vertical = band >= 3, idx = band % 3;
    let ok = true;
    for (let k = 1; k <= 3 && ok; k++) {
      const q = (fromPeer + k) % 3;
      const box = vertical ? idx + 3 * q : 3 * idx + q;
      ok = this.boxRestrict(s, box, t[tb + q * 3], t[tb + q * 3 + 1], t[tb + q * 3 + 2], vertical);
    }
    triadTop = tb;
    return ok;
  }

  /** Counts solutions below this state, stopping at the limit (tdoku's recursion). */
  count(s: Uint16Array): void {
    let best = -1, bestCount = 1 << 30;
    for (let b = 0; b < 6; b++) {
      let n = 0;
      for (let c = 0; c < 6; c++) n += POP[s[CONF + b * 6 + c]];
      if (n >= 10 && n < bestCount) {
        best = b;
        bestCount = n;
      }
    }
    if (best < 0) {
      this.solutions++;
      if (this.solution === null && this.wantSolution) this.solution = extract(s);
      return;
    }
    const cb = CONF + best * 6;
    let two = 0, three = 0, four = 0;
    for (let v = 0; v < 9; v++) {
      let n = 0;
      for (let c = 0; c < 6; c++) n += (s[cb + c] >> v) & 1;
      const bit = 1 << v;
      if (n === 2 && !two) two = bit;
      else if (n === 3 && !three) three = bit;
      else if (n >= 4 && !four) four = bit;
    }
    const bit = two || three || four;
    let first = 0;
    while (!(s[cb + first] & bit)) first++;
    this.guesses++;
    const copy = s.slice();
    for (let c = first + 1; c < 6; c++) if (copy[cb + c] & bit) copy[ELIM + best * 6 + c] |= bit;
    if (this.bandEliminate(copy, best, 0)) {
      this.count(copy);
      if (this.solutions >= this.limit) return;
    }
    s[ELIM + best * 6 + first] |= bit;
    if (this.bandEliminate(s, best, 0)) this.count(s);
  }
}

/** Asserts digits that occur in exactly one of the 4 lanes start, start+step, ... */
function onceInLine(s: Uint16Array, base: number, asrt: Uint16Array, start: number, step: number) {
  const a = s[base + start], b = s[base + start + step];
  const c = s[base + start + 2 * step], d = s[base + start + 3 * step];
  const two = (a & b) | ((a | b) & c) | ((a | b | c) & d);
  asrt[start] |= a & ~two;
  asrt[start + step] |= b & ~two;
  asrt[start + 2 * step] |= c & ~two;
  asrt[start + 3 * step] |= d & ~two;
}

/** Positive triads of a band: t[p*3+e] = digits that may sit in minirow e of peer p. */
function triads(s: Uint16Array, cb: number, t: Uint16Array, tb: number): void {
  const c0 = s[cb], c1 = s[cb + 1], c2 = s[cb + 2], c3 = s[cb + 3], c4 = s[cb + 4];
  const c5 = s[cb + 5];
  // Spelled out from ELEM: peer p sits in minirow e in these two configurations.
  t[tb] = c0 | c4;
  t[tb + 1] = c1 | c5;
  t[tb + 2] = c2 | c3;
  t[tb + 3] = c2 | c5;
  t[tb + 4] = c0 | c3;
  t[tb + 5] = c1 | c4;
  t[tb + 6] = c1 | c3;
  t[tb + 7] = c2 | c4;
  t[tb + 8] = c0 | c5;
}

function extract(s: Uint16Array): Grid {
  const g = new Uint8Array(81);
  for (let i = 0; i < 81; i++) {
    const r = (i / 9) | 0, c = i % 9;
    const box = ((r / 3) | 0) * 3 + ((c / 3) | 0);
    const x = s[box * 16 + (r % 3) * 4 + (c % 3)];
    g[i] = POP[x] === 1 ? 31 - Math.clz32(x) + 1 : 0;
  }
  return g;
}

function initialState(search: Search, puzzle: Grid): Uint16Array | null {
  const s = new Uint16Array(STATE_LEN);
  s.fill(ALL, 0, ELIM);
  for (let i = 0; i < 81; i++) {
    const v = puzzle[i];
    if (v === 0) continue;
    const bit = 1 << (v - 1);
    const r = (i / 9) | 0, col = i % 9;
    const boxI = (r / 3) | 0, boxJ = (col / 3) | 0, er = r % 3, ec = col % 3;
    const base = (boxI * 3 + boxJ) * 16, lane = er * 4 + ec;
    // The clue's own box is updated directly; everything else flows from the bands.
    for (let j = 0; j < 15; j++) {
      if (j === lane) s[base + j] &= bit;
      else if (IS_CELL[j] || (j >> 2) === er || (j & 3) === ec) s[base + j] &= ~bit;
    }
    for (let c = 0; c < 6; c++) {
      if (ELEM[c * 3 + boxJ] !== er) s[ELIM + boxI * 6 + c] |= bit;
      if (ELEM[c * 3 + boxI] !== ec) s[ELIM + (3 + boxJ) * 6 + c] |= bit;
    }
  }
  const ok = search.bandEliminate(s, 0, 1) && search.bandEliminate(s, 3, 1) &&
    search.bandEliminate(s, 1, 2) && search.bandEliminate(s, 4, 2) &&
    search.bandEliminate(s, 2, 0) && search.bandEliminate(s, 5, 0);
  return ok ? s : null;
}

/**
 * Solves `puzzle` with the tdoku-style search, stopping once `limit` solutions
 * are found. With limit 1 the guess count is the tdoku-scale rating; with
 * limit 2 the solution count proves uniqueness (1) or not (2).
 * The puzzle's givens must be consistent (see `isConsistent`); a puzzle with
 * conflicting givens may be reported as unsolvable or, rarely, misjudged.
 */
export function solveTdoku(puzzle: Grid, limit = 1): RateResult {
  const search = new Search(limit);
  triadTop = 0;
  const s = initialState(search, puzzle);
  if (s) search.count(s);
  return { solutions: search.solutions, guesses: search.guesses, solution: search.solution };
}

/**
 * True when `puzzle` with the given at `cell` removed still has a unique
 * solution, knowing `puzzle` itself has exactly one: that holds exactly when no
 * solution of the relaxed puzzle puts another digit in `cell`, which one
 * search stopping at the first solution decides (often far sooner than
 * looking for a second solution).
 */
export function clueIsRedundant(puzzle: Grid, cell: number): boolean {
  const v = puzzle[cell];
  if (v === 0) throw new Error(`clueIsRedundant: cell ${cell} is blank`);
  const relaxed = puzzle.slice();
  relaxed[cell] = 0;
  const search = new Search(1, false);
  triadTop = 0;
  const s = initialState(search, relaxed);
  if (!s) return true;
  const r = (cell / 9) | 0, c = cell % 9;
  const box = ((r / 3) | 0) * 3 + ((c / 3) | 0);
  elimBuf.fill(0);
  elimBuf[(r % 3) * 4 + (c % 3)] = 1 << (v - 1);
  if (search.boxUpdate(s, box, false)) search.count(s);
  return search.solutions === 0;
}

/** True when `puzzle` has exactly one solution (the search stops at the second). */
export function hasUniqueSolution(puzzle: Grid): boolean {
  const search = new Search(2, false);
  triadTop = 0;
  const s = initialState(search, puzzle);
  if (s) search.count(s);
  return search.solutions === 1;
}

/** The tdoku-scale rating: guesses made before the first solution. */
export function rate(puzzle: Grid): number {
  const search = new Search(1, false);
  triadTop = 0;
  const s = initialState(search, puzzle);
  if (s) search.count(s);
  return search.guesses;
}
