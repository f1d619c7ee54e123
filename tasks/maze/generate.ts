/**
 * Generation of one hard maze, following the Searchformer recipe (Lehnert et
 * al. 2024, "Beyond A*") that the HRM paper cites, with the HRM filter
 * "shortest path longer than 110" for 30x30:
 *
 * 1. Draw the wall count w uniformly from [round(0.3 n²), round(0.5 n²)]
 *    (270..450 of the 900 cells for n = 30).
 * 2. Choose w distinct cells uniformly at random (partial Fisher-Yates over
 *    the cell indices) and make them walls; every other cell is open.
 * 3. List every ORDERED pair (S, G) of open cells whose shortest 4-connected
 *    path is longer than `minPath` moves (BFS from every open cell of every
 *    connected component that could hold such a pair). If there is none, the
 *    layout is rejected and the procedure restarts at step 1 with the same
 *    random stream.
 * 4. Pick one of the listed pairs uniformly at random as (S, G).
 * 5. Label the path with the deterministic rule of `bfs.ts` (BFS from G,
 *    greedy descent from S with neighbour order up, right, down, left).
 *
 * Path length is counted in moves: a path of length L has L - 1 `o` cells
 * between S and G. Sampling random (S, G) pairs and rejecting short ones, as
 * Searchformer does for its easier mazes, accepts almost nothing at this
 * threshold; listing a layout's long pairs first is exact for the pair choice
 * given the layout, but weights layouts equally instead of by their number of
 * long pairs (see docs/maze.md).
 * @module
 */
import { answerGrid, bfsInto, labelledPath } from "./bfs.ts";
import { GOAL, OPEN, START, WALL } from "./grid.ts";
import { Rng } from "../../util/mod.ts";

/** What one maze is generated from. */
export interface MazeParams {
  /** Grid side n (n x n cells). */
  size: number;
  /** Keep only pairs whose shortest path is longer than this many moves. */
  minPath: number;
  /** Inclusive range of the wall count. */
  wallMin: number;
  wallMax: number;
}

/** The reference wall range for side n: 30% to 50% of the cells. */
export function defaultWallRange(size: number): [number, number] {
  return [Math.round(0.3 * size * size), Math.round(0.5 * size * size)];
}

/** One generated maze. */
export interface GeneratedMaze {
  /** Question grid (walls, open, S, G), token ids, n*n. */
  question: Uint8Array;
  /** Answer grid (question with the labelled path's inner cells as `o`). */
  answer: Uint8Array;
  /** Shortest S-G distance in moves. */
  length: number;
  /** Number of walls. */
  walls: number;
  /** Layouts drawn until one had a long pair (>= 1). */
  layoutsTried: number;
  /** How many ordered (S, G) pairs of the accepted layout were long enough. */
  longPairs: number;
}

/** Scratch buffers reused across layouts (pass one to {@link listLongPairs} in loops). */
export class Scratch {
  readonly perm: Int32Array;
  readonly open: Uint8Array;
  readonly comp: Int32Array;
  readonly dist: Int32Array;
  /** Upper bound on each cell's eccentricity. */
  readonly up: Int32Array;
  /** 1 once a BFS has run from the cell. */
  readonly done: Uint8Array;
  /** Cells of the current component. */
  readonly members: Int32Array;
  readonly queue: Int32Array;
  pairs: Int32Array;
  constructor(cells: number) {
    this.perm = new Int32Array(cells);
    this.open = new Uint8Array(cells);
    this.comp = new Int32Array(cells);
    this.dist = new Int32Array(cells);
    this.up = new Int32Array(cells);
    this.done = new Uint8Array(cells);
    this.members = new Int32Array(cells);
    this.queue = new Int32Array(cells);
    this.pairs = new Int32Array(4096);
  }
}

/** Fills `s.open` with a random layout of `walls` walls (step 2). */
function drawLayout(rng: Rng, s: Scratch, cells: number, walls: number): void {
  const perm = s.perm;
  for (let i = 0; i < cells; i++) perm[i] = i;
  s.open.fill(1);
  for (let i = 0; i < walls; i++) {
    const j = i + rng.int(cells - i);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
    s.open[perm[i]] = 0;
  }
}

/**
 * Lists all ordered pairs (source, target) of open cells with distance >
 * minPath into `s.pairs` as source * cells + target; returns the count.
 *
 * Exact, with pruning by eccentricity upper bounds (as in Takes & Kosters'
 * bounding-diameters method): after a BFS from w, every cell v has
 * ecc(v) <= d(v, w) + ecc(w). Only cells whose bound still exceeds minPath
 * can be an end of a long pair, so BFS runs only from them (largest bound
 * first, ties to the lowest cell index). Each unordered long pair {a, b} is
 * recorded, in both orders, by the BFS of whichever end is searched first, so
 * the list is complete, has no duplicates and depends on nothing but the layout.
 */
export function listLongPairs(
  open: Uint8Array,
  n: number,
  minPath: number,
  s: Scratch = new Scratch(n * n),
): number {
  const cells = n * n;
  const { comp, dist, up, done, members, queue } = s;
  // Label connected components in one pass (cheap: most layouts fail here).
  comp.fill(-1);
  let count = 0;
  for (let root = 0; root < cells; root++) {
    if (!open[root] || comp[root] >= 0) continue;
    comp[root] = root;
    queue[0] = root;
    let head = 0;
    let tail = 1;
    while (head < tail) {
      const c = queue[head++];
      const r = (c / n) | 0;
      const col = c - r * n;
      if (r > 0 && open[c - n] && comp[c - n] < 0) comp[queue[tail++] = c - n] = root;
      if (col < n - 1 && open[c + 1] && comp[c + 1] < 0) comp[queue[tail++] = c + 1] = root;
      if (r < n - 1 && open[c + n] && comp[c + n] < 0) comp[queue[tail++] = c + n] = root;
      if (col > 0 && open[c - 1] && comp[c - 1] < 0) comp[queue[tail++] = c - 1] = root;
    }
    // A pair longer than minPath needs minPath + 2 cells.
    const size = tail;
    if (size < minPath + 2) continue;
    // Members in increasing cell order (so ties break to the lowest index).
    members.set(queue.subarray(0, size));
    members.subarray(0, size).sort();
    for (let k = 0; k < size; k++) {
      up[members[k]] = cells;
      done[members[k]] = 0;
    }
    for (;;) {
      let v = -1;
      for (let k = 0; k < size; k++) {
        const c = members[k];
        if (!done[c] && (v < 0 || up[c] > up[v])) v = c;
      }
      if (v < 0 || up[v] <= minPath) break;
      const ecc = bfsInto(open, n, v, dist, queue);
      done[v] = 1;
      for (let k = 0; k < size; k++) {
        const g = members[k];
        const d = dist[g];
        if (d + ecc < up[g]) up[g] = d + ecc;
        if (d <= minPath || done[g]) continue;
        if (count + 2 > s.pairs.length) {
          const bigger = new Int32Array(s.pairs.length * 2);
          bigger.set(s.pairs);
          s.pairs = bigger;
        }
        s.pairs[count++] = v * cells + g;
        s.pairs[count++] = g * cells + v;
      }
    }
  }
  return count;
}

/** Upper bound on layouts drawn for one maze before giving up (the settings are then impossible). */
export const MAX_LAYOUTS = 200_000;

/**
 * Generates one maze from its own random stream `key` (32-bit words, e.g.
 * [seedLo, seedHi, split, index, redraw]). Same key and params -> same maze.
 */
export function generateMaze(params: MazeParams, key: readonly number[]): GeneratedMaze {
  const { size: n, minPath, wallMin, wallMax } = params;
  const cells = n * n;
  const rng = Rng.fromKey(key);
  const s = new Scratch(cells);
  for (let tried = 1; tried <= MAX_LAYOUTS; tried++) {
    const walls = rng.between(wallMin, wallMax);
    drawLayout(rng, s, cells, walls);
    const count = listLongPairs(s.open, n, minPath, s);
    if (count === 0) continue;
    const pick = s.pairs[rng.int(count)];
    const start = Math.floor(pick / cells);
    const goal = pick - start * cells;
    const question = new Uint8Array(cells);
    for (let c = 0; c < cells; c++) question[c] = s.open[c] ? OPEN : WALL;
    question[start] = START;
    question[goal] = GOAL;
    bfsInto(s.open, n, goal, s.dist, s.queue);
    const path = labelledPath(s.dist, n, start, goal)!;
    return {
      question,
      answer: answerGrid(question, path),
      length: path.length - 1,
      walls,
      layoutsTried: tried,
      longPairs: count,
    };
  }
  throw new Error(
    `no ${n}x${n} layout with ${wallMin}..${wallMax} walls had a path longer than ${minPath} ` +
      `in ${MAX_LAYOUTS} tries: lower --min-path or raise --size`,
  );
}
