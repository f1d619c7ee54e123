/**
 * Breadth-first search on maze grids (4-connected, unit steps) and the
 * deterministic rule that picks ONE labelled shortest path among the many
 * (shortest paths in random-wall mazes are practically never unique).
 *
 * Labelling rule: BFS from the goal G gives every open cell its distance to G.
 * Starting at S, repeatedly step to the first neighbour, in the fixed order
 * up, right, down, left, whose distance to G is one less, until G is reached.
 * Every step lowers the distance by one, so the walk is a shortest path, and
 * the fixed order makes it unique.
 * @module
 */
import { findUnique, GOAL, OPEN, PATH, START, WALL } from "./grid.ts";

/** Neighbour order of the labelling rule: up, right, down, left (row deltas, column deltas). */
export const NEIGHBOUR_ORDER = ["up", "right", "down", "left"] as const;
const DR = [-1, 0, 1, 0];
const DC = [0, 1, 0, -1];

/**
 * Distances (in moves) from `source` to every cell through cells where
 * `passable[cell]` is non-zero; -1 where unreachable. `out` and `queue`
 * (length n*n) may be passed in to avoid allocation in hot loops.
 * Returns the largest distance found (the source's eccentricity).
 */
export function bfsInto(
  passable: Uint8Array,
  n: number,
  source: number,
  out: Int32Array,
  queue: Int32Array,
): number {
  out.fill(-1);
  out[source] = 0;
  queue[0] = source;
  let head = 0;
  let tail = 1;
  let far = 0;
  while (head < tail) {
    const c = queue[head++];
    const d = out[c] + 1;
    const r = (c / n) | 0;
    const col = c - r * n;
    // Unrolled neighbours (order does not matter for distances).
    if (r > 0 && passable[c - n] && out[c - n] < 0) {
      out[c - n] = d;
      queue[tail++] = c - n;
    }
    if (col < n - 1 && passable[c + 1] && out[c + 1] < 0) {
      out[c + 1] = d;
      queue[tail++] = c + 1;
    }
    if (r < n - 1 && passable[c + n] && out[c + n] < 0) {
      out[c + n] = d;
      queue[tail++] = c + n;
    }
    if (col > 0 && passable[c - 1] && out[c - 1] < 0) {
      out[c - 1] = d;
      queue[tail++] = c - 1;
    }
    far = d - 1;
  }
  return far;
}

/** Passability mask of a tokenised grid: every cell that is not a wall (open, S, G or path). */
export function passableOf(ids: ArrayLike<number>): Uint8Array {
  const mask = new Uint8Array(ids.length);
  for (let i = 0; i < ids.length; i++) mask[i] = ids[i] !== WALL ? 1 : 0;
  return mask;
}

/** Distances from `source` (allocating version of {@link bfsInto}). */
export function bfs(passable: Uint8Array, n: number, source: number): Int32Array {
  const out = new Int32Array(n * n);
  bfsInto(passable, n, source, out, new Int32Array(n * n));
  return out;
}

/** S, G and their shortest-path distance in moves (-1 when G is unreachable). */
export interface Endpoints {
  start: number;
  goal: number;
  /** Shortest S-G distance in moves; -1 when unreachable. */
  distance: number;
  /** Distance of every cell to G (-1 unreachable). */
  toGoal: Int32Array;
}

/** Finds S and G in a tokenised grid and the distances to G; throws if either is missing/repeated. */
export function endpoints(ids: ArrayLike<number>, n: number): Endpoints {
  const start = findUnique(ids, START);
  const goal = findUnique(ids, GOAL);
  if (start < 0) throw new Error(start === -1 ? "no start cell S" : "more than one start cell S");
  if (goal < 0) throw new Error(goal === -1 ? "no goal cell G" : "more than one goal cell G");
  const toGoal = bfs(passableOf(ids), n, goal);
  return { start, goal, distance: toGoal[start], toGoal };
}

/**
 * The labelled shortest path by the rule above: cells from S to G inclusive,
 * or null when G is unreachable from S.
 */
export function labelledPath(
  toGoal: Int32Array,
  n: number,
  start: number,
  goal: number,
): number[] | null {
  if (toGoal[start] < 0) return null;
  const path = [start];
  let c = start;
  while (c !== goal) {
    const r = (c / n) | 0;
    const col = c - r * n;
    let next = -1;
    for (let k = 0; k < 4; k++) {
      const rr = r + DR[k];
      const cc = col + DC[k];
      if (rr < 0 || rr >= n || cc < 0 || cc >= n) continue;
      const nb = rr * n + cc;
      if (toGoal[nb] === toGoal[c] - 1) {
        next = nb;
        break;
      }
    }
    // Cannot happen on a BFS distance field: some neighbour is always one closer.
    if (next < 0) throw new Error(`labelledPath: no neighbour one step closer at cell ${c}`);
    path.push(next);
    c = next;
  }
  return path;
}

/**
 * Number of distinct shortest S-G paths (as a float: it can exceed 2^53 on
 * open grids, where the count is then approximate). 0 when unreachable.
 */
export function countShortestPaths(toGoal: Int32Array, n: number, start: number): number {
  const dStart = toGoal[start];
  if (dStart < 0) return 0;
  // Cells by distance to G, then ways[c] = sum of ways of neighbours one step closer.
  const byDist: number[][] = Array.from({ length: dStart + 1 }, () => []);
  for (let c = 0; c < toGoal.length; c++) {
    if (toGoal[c] >= 0 && toGoal[c] <= dStart) byDist[toGoal[c]].push(c);
  }
  const ways = new Float64Array(toGoal.length);
  ways[byDist[0][0]] = 1;
  for (let d = 1; d <= dStart; d++) {
    for (const c of byDist[d]) {
      const r = (c / n) | 0;
      const col = c - r * n;
      let w = 0;
      for (let k = 0; k < 4; k++) {
        const rr = r + DR[k];
        const cc = col + DC[k];
        if (rr < 0 || rr >= n || cc < 0 || cc >= n) continue;
        if (toGoal[rr * n + cc] === d - 1) w += ways[rr * n + cc];
      }
      ways[c] = w;
    }
  }
  return ways[start];
}

/** The answer grid: the question with every path cell strictly between S and G marked `o`. */
export function answerGrid(question: Uint8Array, path: readonly number[]): Uint8Array {
  const out = question.slice();
  for (let i = 1; i + 1 < path.length; i++) out[path[i]] = PATH;
  return out;
}

/** The question grid of an answer: path cells `o` turned back into open cells. */
export function questionOf(answer: ArrayLike<number>): Uint8Array {
  const out = Uint8Array.from(answer);
  for (let i = 0; i < out.length; i++) if (out[i] === PATH) out[i] = OPEN;
  return out;
}

/** Solves a question grid by the labelling rule: the answer grid, path and length, or null. */
export function solve(
  question: Uint8Array,
  n: number,
): { answer: Uint8Array; path: number[]; length: number } | null {
  const e = endpoints(question, n);
  const path = labelledPath(e.toGoal, n, e.start, e.goal);
  if (!path) return null;
  return { answer: answerGrid(question, path), path, length: path.length - 1 };
}
