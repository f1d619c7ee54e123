/**
 * Scoring of maze predictions. The paper counts a maze as solved only when
 * the predicted grid equals the labelled one exactly; since random-wall mazes
 * almost always have several shortest paths and the label is one of them
 * (chosen by the rule in `bfs.ts`), we also report how many predictions are a
 * valid shortest path, whichever one.
 *
 * A prediction is a VALID SHORTEST PATH when, read as a grid of token ids:
 * - it equals the question on every cell it does not mark `o` (walls, S, G and
 *   the open cells it leaves alone are unchanged);
 * - no `o` lies on a wall of the question;
 * - S reaches G moving through `o` cells only;
 * - and it marks exactly L - 1 cells `o`, where L is the true shortest S-G
 *   distance (so the `o` cells are one shortest path and nothing else).
 * @module
 */
import { bfs, passableOf } from "./bfs.ts";
import { GOAL, OPEN, PATH, START, WALL } from "./grid.ts";

/** Why a prediction is or is not a valid shortest path. */
export type PathVerdict =
  | "valid"
  /** A cell not marked `o` differs from the question (e.g. S moved, a wall erased, pad). */
  | "altered"
  /** An `o` on a wall of the question. */
  | "through_wall"
  /** S does not reach G through the `o` cells. */
  | "disconnected"
  /** S reaches G through the `o` cells, but only by a path longer than the shortest. */
  | "not_shortest"
  /** A shortest path is marked, plus stray `o` cells. */
  | "extra_cells"
  /** The question itself has no S-G path (bad data, not a model error). */
  | "unsolvable";

/** Every verdict, in the order {@link checkPath} tests them. */
export const VERDICTS: readonly PathVerdict[] = [
  "valid",
  "altered",
  "through_wall",
  "disconnected",
  "not_shortest",
  "extra_cells",
  "unsolvable",
];

/**
 * Classifies a predicted grid against its question grid (both n*n token ids).
 * `shortest` may pass the known S-G distance to skip one BFS.
 */
export function checkPath(
  question: ArrayLike<number>,
  prediction: ArrayLike<number>,
  n: number,
  shortest?: number,
): { verdict: PathVerdict; pathCells: number; length: number } {
  const cells = n * n;
  let pathCells = 0;
  let throughWall = false;
  let altered = false;
  const passable = new Uint8Array(cells);
  let start = -1;
  let goal = -1;
  for (let c = 0; c < cells; c++) {
    const q = question[c];
    const p = prediction[c];
    if (q === START) start = start < 0 ? c : cells;
    if (q === GOAL) goal = goal < 0 ? c : cells;
    if (p === PATH) {
      if (q === WALL) throughWall = true;
      else if (q !== OPEN) altered = true;
      pathCells++;
      passable[c] = 1;
    } else if (p !== q) {
      altered = true;
    }
  }
  // A question without exactly one S and one G (start/goal = cells marks a repeat) is unsolvable.
  const wellFormed = start >= 0 && goal >= 0 && start < cells && goal < cells;
  const best = !wellFormed ? -1 : shortest ?? bfs(passableOf(question), n, goal)[start];
  if (best < 0) return { verdict: "unsolvable", pathCells, length: -1 };
  if (altered) return { verdict: "altered", pathCells, length: -1 };
  if (throughWall) return { verdict: "through_wall", pathCells, length: -1 };
  passable[start] = 1;
  passable[goal] = 1;
  const length = bfs(passable, n, start)[goal];
  if (length < 0) return { verdict: "disconnected", pathCells, length };
  if (length > best) return { verdict: "not_shortest", pathCells, length };
  if (pathCells > best - 1) return { verdict: "extra_cells", pathCells, length };
  return { verdict: "valid", pathCells, length };
}

/** Result of {@link scoreMazePredictions}. */
export interface MazeScore {
  count: number;
  /** Predictions equal to the label on every non-ignored position (the paper's metric). */
  exact: number;
  exactRate: number;
  /** Predictions that are a valid shortest path (exact matches included). */
  validShortest: number;
  validShortestRate: number;
  /** Predictions per verdict. */
  verdicts: Record<PathVerdict, number>;
}

/**
 * Scores predicted token rows against questions and labels. `inputs`,
 * `labels` and `predictions` hold `count * seqLen` token ids (flat,
 * row-major, one maze per row; seqLen = n * n). Label positions equal to
 * `ignoreLabelId` (0 = pad, as in the reference) are not compared.
 */
export function scoreMazePredictions(
  inputs: ArrayLike<number>,
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
  seqLen: number,
  ignoreLabelId = 0,
): MazeScore {
  const n = Math.round(Math.sqrt(seqLen));
  if (n * n !== seqLen) throw new Error(`scoreMazePredictions: seqLen ${seqLen} is not n*n`);
  if (inputs.length % seqLen !== 0) {
    throw new Error(`scoreMazePredictions: ${inputs.length} input tokens is not rows of ${seqLen}`);
  }
  const count = inputs.length / seqLen;
  for (const [name, arr] of [["labels", labels], ["predictions", predictions]] as const) {
    if (arr.length !== inputs.length) {
      throw new Error(
        `scoreMazePredictions: ${name} has ${arr.length} tokens, inputs has ${inputs.length}`,
      );
    }
  }
  const verdicts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<PathVerdict, number>;
  let exact = 0;
  const row = (a: ArrayLike<number>, i: number) =>
    ArrayBuffer.isView(a)
      ? (a as unknown as Int32Array).subarray(i * seqLen, (i + 1) * seqLen)
      : Array.prototype.slice.call(a, i * seqLen, (i + 1) * seqLen) as number[];
  for (let i = 0; i < count; i++) {
    const q = row(inputs, i);
    const l = row(labels, i);
    const p = row(predictions, i);
    let same = true;
    for (let c = 0; c < seqLen; c++) {
      if (l[c] !== ignoreLabelId && l[c] !== p[c]) {
        same = false;
        break;
      }
    }
    if (same) exact++;
    verdicts[checkPath(q, p, n).verdict]++;
  }
  return {
    count,
    exact,
    exactRate: count ? exact / count : 0,
    validShortest: verdicts.valid,
    validShortestRate: count ? verdicts.valid / count : 0,
    verdicts,
  };
}
