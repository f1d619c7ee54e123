/**
 * Puzzle generation: random minimal puzzles (the easy part of the mixture)
 * and hard puzzles found by hill-climbing on the tdoku-scale rating.
 * Every function draws only from the `Rng` it is given, so a result is a
 * pure function of its seed.
 * @module
 */
import { type Grid, hamming } from "./grid.ts";
import { clueIsRedundant, hasUniqueSolution, rate } from "./rater.ts";
import { Rng } from "./rng.ts";
import { applyTransform, randomTransform } from "./augment.ts";
import { findSolutions, randomSolution } from "./solver.ts";

/** A generated puzzle with its unique solution and rating. */
export interface Generated {
  puzzle: Grid;
  solution: Grid;
  /** tdoku-scale guesses before the first solution, for the puzzle as stored. */
  rating: number;
  /** Search fitness: mean rating over the stored and a few symmetric orientations. */
  fitness?: number;
  /** `minimal` (random minimal puzzle) or `hard` (hill-climbed). */
  kind: "minimal" | "hard";
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

/** Options of the hard-puzzle search. */
export interface HardOptions {
  /** Hill-climbing moves per puzzle. */
  steps: number;
  /** Candidate moves tried per step; the best (ties: first) replaces the current puzzle. */
  width: number;
}

export const DEFAULT_HARD: HardOptions = { steps: 12, width: 3 };

/**
 * A hard puzzle: start from a random minimal puzzle and, for a fixed number of
 * steps, replace it by the best of `width` mutations when that is rated at least
 * as high (sideways moves let the climb cross plateaus). Stops on counts only.
 */
export function hardPuzzle(rng: Rng, options: HardOptions = DEFAULT_HARD): Generated {
  const start = randomMinimal(rng);
  let puzzle = start.puzzle, rating = start.rating;
  const solution = start.solution;
  for (let step = 0; step < options.steps; step++) {
    let best: Grid | null = null, bestRating = -1;
    for (let k = 0; k < options.width; k++) {
      const cand = mutate(puzzle, randomGiven(puzzle, rng), solution, rng);
      const r = rate(cand);
      if (r > bestRating) {
        best = cand;
        bestRating = r;
      }
    }
    if (best && bestRating >= rating) {
      puzzle = best;
      rating = bestRating;
    }
  }
  return { puzzle, solution, rating, kind: "hard" };
}

/** Options of the pool search. */
export interface PoolOptions {
  /** Puzzles kept (and returned). */
  size: number;
  /** Children bred after the pool is seeded. */
  iterations: number;
}

/** Number of clues where two puzzles differ (given vs blank or different digit). */
function clueDistance(a: Grid, b: Grid): number {
  let n = 0;
  for (let i = 0; i < 81; i++) if (a[i] !== b[i]) n++;
  return n;
}

/**
 * Hill-climbs a pool: seed it with random minimal puzzles, then repeatedly
 * mutate a tournament-chosen member and let the child replace the easiest
 * member when it is rated at least as high and differs in at least
 * `minDistance` clues from every member (hill-climbing breeds near-duplicates).
 * The uniqueness-restoring clues come from the parent's solution or, half the
 * time, from another solution of the relaxed puzzle, so the grid can drift too.
 */
export function hardPool(rng: Rng, options: PoolOptions, minDistance = 4): Generated[] {
  const pool: Generated[] = [];
  while (pool.length < options.size) {
    const g = randomMinimal(rng);
    pool.push({ ...g, kind: "hard" });
  }
  for (let it = 0; it < options.iterations; it++) {
    const a = pool[rng.int(pool.length)], b = pool[rng.int(pool.length)];
    const parent = a.rating >= b.rating ? a : b;
    const child = mutateAny(parent, rng);
    let worst = 0;
    for (let i = 1; i < pool.length; i++) if (pool[i].rating < pool[worst].rating) worst = i;
    if (child.rating < pool[worst].rating) continue;
    let near = false;
    for (let i = 0; i < pool.length && !near; i++) {
      if (i !== worst && clueDistance(pool[i].puzzle, child.puzzle) < minDistance) near = true;
    }
    if (!near) pool[worst] = child;
  }
  return pool;
}

function randomGiven(puzzle: Grid, rng: Rng): number {
  const givens: number[] = [];
  for (let i = 0; i < 81; i++) if (puzzle[i]) givens.push(i);
  return givens[rng.int(givens.length)];
}

function mutateAny(parent: Generated, rng: Rng): Generated {
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
export function harvest(rng: Rng, o: HarvestOptions, minDistance = 4): Generated[] {
  const pool: Generated[] = [];
  while (pool.length < o.size) {
    const g = randomMinimal(rng);
    pool.push({ ...g, fitness: fitness(g.puzzle, g.rating, rng), kind: "hard" });
  }
  const out: Generated[] = [];
  const farFromOut = (g: Grid) => out.every((h) => clueDistance(h.puzzle, g) >= minDistance);
  for (let it = 0; it < o.maxIterations && out.length < o.count; it++) {
    const a = pool[rng.int(pool.length)], b = pool[rng.int(pool.length)];
    const child = mutateAny(fit(a) >= fit(b) ? a : b, rng);
    if (fit(child) >= o.threshold && farFromOut(child.puzzle)) out.push(child);
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

function fit(g: Generated): number {
  return g.fitness ?? g.rating;
}
