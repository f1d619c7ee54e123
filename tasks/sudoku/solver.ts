/**
 * A plain bitmask backtracking solver (most-constrained cell first), kept
 * independent of the tdoku-style rater so each can check the other; also
 * draws uniformly shuffled complete grids for the generator.
 * @module
 */
import { BOX, COL, type Grid, isConsistent, ROW } from "./grid.ts";
import type { Rng } from "../../util/mod.ts";

/** Result of counting solutions up to a limit. */
export interface CountResult {
  /** Solutions found, at most the limit (0 also for inconsistent givens). */
  count: number;
  /** The first solution found, or null. */
  solution: Grid | null;
}

const POP9 = new Uint8Array(512).map((_, x) => {
  let n = 0;
  for (let v = x; v; v &= v - 1) n++;
  return n;
});

class Backtracker {
  rows = new Uint16Array(9);
  cols = new Uint16Array(9);
  boxes = new Uint16Array(9);
  count = 0;
  solutions: Grid[] = [];
  constructor(readonly g: Grid, readonly limit: number, readonly rng: Rng | null) {}

  place(i: number, v: number, on: boolean) {
    const bit = 1 << (v - 1);
    if (on) {
      this.rows[ROW[i]] |= bit;
      this.cols[COL[i]] |= bit;
      this.boxes[BOX[i]] |= bit;
    } else {
      this.rows[ROW[i]] &= ~bit;
      this.cols[COL[i]] &= ~bit;
      this.boxes[BOX[i]] &= ~bit;
    }
    this.g[i] = on ? v : 0;
  }

  search(): void {
    let best = -1, bestFree = 0, bestN = 10;
    for (let i = 0; i < 81; i++) {
      if (this.g[i] !== 0) continue;
      const free = ~(this.rows[ROW[i]] | this.cols[COL[i]] | this.boxes[BOX[i]]) & 0x1ff;
      const n = POP9[free];
      if (n < bestN) {
        best = i;
        bestFree = free;
        bestN = n;
        if (n <= 1) break;
      }
    }
    if (best < 0) {
      this.count++;
      this.solutions.push(this.g.slice());
      return;
    }
    if (bestN === 0) return;
    const digits: number[] = [];
    for (let v = 1; v <= 9; v++) if (bestFree & (1 << (v - 1))) digits.push(v);
    if (this.rng) this.rng.shuffle(digits);
    for (const v of digits) {
      this.place(best, v, true);
      this.search();
      this.place(best, v, false);
      if (this.count >= this.limit) return;
    }
  }
}

/** Counts solutions of `puzzle` up to `limit` (2 proves uniqueness: stops at the second). */
export function countSolutions(puzzle: Grid, limit = 2): CountResult {
  if (!isConsistent(puzzle)) return { count: 0, solution: null };
  const bt = new Backtracker(puzzle.slice(), limit, null);
  for (let i = 0; i < 81; i++) if (puzzle[i]) bt.place(i, puzzle[i], true);
  bt.search();
  return { count: bt.count, solution: bt.solutions[0] ?? null };
}

/** Up to `limit` distinct solutions of `puzzle` (empty for inconsistent givens). */
export function findSolutions(puzzle: Grid, limit: number): Grid[] {
  if (!isConsistent(puzzle)) return [];
  const bt = new Backtracker(puzzle.slice(), limit, null);
  for (let i = 0; i < 81; i++) if (puzzle[i]) bt.place(i, puzzle[i], true);
  bt.search();
  return bt.solutions;
}

/** A random complete grid: the empty grid solved with digits tried in random order. */
export function randomSolution(rng: Rng): Grid {
  const bt = new Backtracker(new Uint8Array(81), 1, rng);
  bt.search();
  return bt.solutions[0];
}
