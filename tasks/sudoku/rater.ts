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
  constructor(readonly limit: number) {}

  boxRestrict(s: Uint16Array, box: number, t0: number, t1: number, t2: number, vertical: boolean) {
    const base = box * 16;
    const elim = elimBuf;
    let any = 0;
    for (let l = 0; l < 16; l++) {
      const r = l >> 2, c = l & 3;
      let cand = ALL;
      if (!vertical) {
        if (r < 3) {
          if (c < 3) cand = r === 0 ? t0 : r === 1 ? t1 : t2;
          else cand = r === 0 ? (t1 | t2) : r === 1 ? (t2 | t0) : (t0 | t1);
        }
      } else if (c < 3) {
        if (r < 3) cand = c === 0 ? t0 : c === 1 ? t1 : t2;
        else cand = c === 0 ? (t1 | t2) : c === 1 ? (t2 | t0) : (t0 | t1);
      }
      elim[l] = s[base + l] & ~cand;
      any |= elim[l];
    }
    if (any === 0) return true;
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
      let allCells = 0;
      const rowOr = [0, 0, 0], colOr = [0, 0, 0];
      for (let l = 0; l < 12; l++) {
        if (!IS_CELL[l]) continue;
        const a = asrt[l];
        allCells |= a;
        rowOr[l >> 2] |= a;
        colOr[l & 3] |= a;
      }
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
    let t = triads(s, cb);
    // A minirow whose positive triad is down to three digits holds exactly those:
    // drop configurations putting them elsewhere in the same box (applied once).
    const asserting = t.map((x) => (POP[x] === 3 ? x : 0));
    for (let c = 0; c < 6; c++) {
      let rm = 0;
      for (let p = 0; p < 3; p++) {
        const e = ELEM[c * 3 + p];
        rm |= asserting[p * 3 + (e + 1) % 3] | asserting[p * 3 + (e + 2) % 3];
      }
      s[cb + c] &= ~rm;
    }
    t = triads(s, cb);
    const vertical = band >= 3, idx = band % 3;
    for (let k = 1; k <= 3; k++) {
      const q = (fromPeer + k) % 3;
      const box = vertical ? idx + 3 * q : 3 * idx + q;
      if (!this.boxRestrict(s, box, t[q * 3], t[q * 3 + 1], t[q * 3 + 2], vertical)) return false;
    }
    return true;
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
      if (this.solution === null) this.solution = extract(s);
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
function triads(s: Uint16Array, cb: number): number[] {
  const t = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (let c = 0; c < 6; c++) {
    const x = s[cb + c];
    for (let p = 0; p < 3; p++) t[p * 3 + ELEM[c * 3 + p]] |= x;
  }
  return t;
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
  const s = initialState(search, puzzle);
  if (s) search.count(s);
  return { solutions: search.solutions, guesses: search.guesses, solution: search.solution };
}

/** The tdoku-scale rating: guesses made before the first solution. */
export function rate(puzzle: Grid): number {
  return solveTdoku(puzzle, 1).guesses;
}
