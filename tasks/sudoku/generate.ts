/**
 * Puzzle generation: random minimal puzzles (the easy part of the mixture)
 * and hard puzzles found by hill-climbing on the tdoku-scale rating.
 * Every function draws only from the `Rng` it is given, so a result is a
 * pure function of its seed.
 * @module
 */
import { type Grid, hamming } from "./grid.ts";
import { clueIsRedundant, hasUniqueSolution, rate } from "./rater.ts";
import { Rng } from "../../util/mod.ts";
import { applyTransform, randomTransform } from "./augment.ts";
import { findSolutions, randomSolution } from "./solver.ts";

/** How a puzzle was generated. */
export type PuzzleKind = "minimal" | "hard" | "easy";

/** The most blanks an `easy` puzzle may have (minimal puzzles average about 57). */
export const MAX_EASY_BLANKS = 50;

/** A generated puzzle with its unique solution and rating. */
export interface Generated {
  puzzle: Grid;
  solution: Grid;
  /** tdoku-scale guesses before the first solution, for the puzzle as stored. */
  rating: number;
  /** Search fitness: mean rating over the stored and a few symmetric orientations. */
  fitness?: number;
  /** `minimal` (random minimal puzzle), `hard` (hill-climbed) or `easy` (fixed blank count). */
  kind: PuzzleKind;
}

/** True when `puzzle` has exactly one solution (the search stops at the second). */
export function isUnique(puzzle: Grid): boolean {
  return hasUniqueSolution(puzzle);
}

/**
 * Removes the givens of a uniquely solvable puzzle in random order, keeping each
 * removal that leaves the solution unique. One pass suffices for minimality:
 * a clue needed for uniqueness stays needed once more clues are gone.
 */
export function minimize(puzzle: Grid, rng: Rng): Grid {
  const p = puzzle.slice();
  for (const i of rng.permutation(81)) {
    if (p[i] !== 0 && clueIsRedundant(p, i)) p[i] = 0;
  }
  return p;
}

/** True when no given can be removed without losing uniqueness (assumes `puzzle` unique). */
export function isMinimal(puzzle: Grid): boolean {
  const p = puzzle.slice();
  for (let i = 0; i < 81; i++) {
    const v = p[i];
    if (v === 0) continue;
    p[i] = 0;
    const unique = isUnique(p);
    p[i] = v;
    if (unique) return false;
  }
  return true;
}

/** A random minimal puzzle: a random complete grid minimised in random order. */
export function randomMinimal(rng: Rng): Generated {
  const solution = randomSolution(rng);
  const puzzle = minimize(solution, rng);
  return { puzzle, solution, rating: rate(puzzle), kind: "minimal" };
}

/**
 * An easy puzzle: a random complete grid with exactly `blanks` cells emptied,
 * each removal kept only while the solution stays unique. Far from minimal, so
 * most blanks follow from their row, column and box alone: the instances the
 * scaled-down profiles can learn within minutes on a CPU.
 */
export function randomEasy(rng: Rng, blanks: number): Generated {
  if (!Number.isInteger(blanks) || blanks < 1 || blanks > MAX_EASY_BLANKS) {
    throw new Error(`blanks: expected an integer from 1 to ${MAX_EASY_BLANKS}, got ${blanks}`);
  }
  for (;;) {
    const solution = randomSolution(rng);
    const puzzle = solution.slice();
    let removed = 0;
    for (const i of rng.permutation(81)) {
      if (removed === blanks) break;
      if (clueIsRedundant(puzzle, i)) {
        puzzle[i] = 0;
        removed++;
      }
    }
    // Rare for blanks <= 50: the grid ran out of removable clues; draw another.
    if (removed === blanks) return { puzzle, solution, rating: rate(puzzle), kind: "easy" };
  }
}

/**
 * One hill-climbing move: drop the given at `drop`, add givens of `target` (a
 * solution of the relaxed puzzle) at random empty cells until the solution is
 * unique again, then minimise.
 */
export function mutate(puzzle: Grid, drop: number, target: Grid, rng: Rng): Grid {
  const p = puzzle.slice();
  p[drop] = 0;
  const empty: number[] = [];
  for (let i = 0; i < 81; i++) if (!p[i]) empty.push(i);
  rng.shuffle(empty);
  for (const i of empty) {
    if (isUnique(p)) break;
    p[i] = target[i];
  }
  return minimize(p, rng);
}

/** Number of clues where two puzzles differ (given vs blank or different digit). */
function clueDistance(a: Grid, b: Grid): number {
  let n = 0;
  for (let i = 0; i < 81; i++) if (a[i] !== b[i]) n++;
  return n;
}

/** A uniformly chosen given cell. */
function randomGiven(puzzle: Grid, rng: Rng): number {
  const givens: number[] = [];
  for (let i = 0; i < 81; i++) if (puzzle[i]) givens.push(i);
  return givens[rng.int(givens.length)];
}

/**
 * A child of `parent`: drop a random given and restore uniqueness from the
 * parent's solution or, half the time, from another solution of the relaxed
 * puzzle (so the grid itself can drift); rated and given its fitness.
 */
export function mutateAny(parent: Generated, rng: Rng): Generated {
  const drop = randomGiven(parent.puzzle, rng);
  let target = parent.solution;
  if (rng.int(2) === 1) {
    const relaxed = parent.puzzle.slice();
    relaxed[drop] = 0;
    const found = findSolutions(relaxed, 2);
    const other = found.find((g) => hamming(g, parent.solution) !== 0);
    if (other) target = other;
  }
  const puzzle = mutate(parent.puzzle, drop, target, rng);
  const rating = rate(puzzle);
  return { puzzle, solution: target, rating, fitness: fitness(puzzle, rating, rng), kind: "hard" };
}

/** Options of a harvesting pool run. */
export interface HarvestOptions {
  /** Pool size. */
  size: number;
  /** Puzzles to return. */
  count: number;
  /** Children rated at least this are harvested. */
  threshold: number;
  /** Breeding budget; when spent, the hardest pool members fill the rest. */
  maxIterations: number;
}

/**
 * Breeds a pool as `hardPool` does and harvests every child rated at least
 * `threshold` that differs in >= 4 clues from everything harvested so far,
 * until `count` are found (counts only: the result is a function of the seed).
 */
export function harvest(
  rng: Rng,
  o: HarvestOptions,
  minDistance = 4,
  onHarvest: () => void = () => {},
): Generated[] {
  const pool = seedPool(rng, o.size);
  const out: Generated[] = [];
  const farFromOut = (g: Grid) => out.every((h) => clueDistance(h.puzzle, g) >= minDistance);
  for (let it = 0; it < o.maxIterations && out.length < o.count; it++) {
    const a = pool[rng.int(pool.length)], b = pool[rng.int(pool.length)];
    const child = mutateAny(fit(a) >= fit(b) ? a : b, rng);
    if (fit(child) >= o.threshold && farFromOut(child.puzzle)) {
      out.push(child);
      onHarvest();
    }
    let worst = 0;
    for (let i = 1; i < pool.length; i++) if (fit(pool[i]) < fit(pool[worst])) worst = i;
    if (fit(child) < fit(pool[worst])) continue;
    if (pool.every((p, i) => i === worst || clueDistance(p.puzzle, child.puzzle) >= minDistance)) {
      pool[worst] = child;
    }
  }
  const rest = [...pool].sort((x, y) => fit(y) - fit(x));
  for (const g of rest) {
    if (out.length >= o.count) break;
    if (farFromOut(g.puzzle)) out.push(g);
  }
  return out;
}

/** Orientations averaged by `fitness` besides the stored one. */
export const FITNESS_ORIENTATIONS = 3;

/**
 * The rating averaged over the puzzle as stored and FITNESS_ORIENTATIONS random
 * symmetric copies. tdoku's count depends on orientation; selecting on one
 * orientation's count would climb its noise and inflate the stored ratings.
 */
export function fitness(puzzle: Grid, rating: number, rng: Rng): number {
  let sum = rating;
  for (let k = 0; k < FITNESS_ORIENTATIONS; k++) {
    sum += rate(applyTransform(randomTransform(rng), puzzle));
  }
  return sum / (FITNESS_ORIENTATIONS + 1);
}

/** Seeds a pool with the fittest `size` of 8 x `size` random minimal puzzles. */
export function seedPool(rng: Rng, size: number): Generated[] {
  const cands: Generated[] = [];
  for (let i = 0; i < 8 * size; i++) {
    const g = randomMinimal(rng);
    cands.push({ ...g, fitness: fitness(g.puzzle, g.rating, rng), kind: "hard" });
  }
  // Stable sort: ties keep generation order, so the pool is a function of the seed.
  return cands.sort((a, b) => fit(b) - fit(a)).slice(0, size);
}

function fit(g: Generated): number {
  return g.fitness ?? g.rating;
}
