/**
 * The units of work of a build: each job is a pure function of its
 * description (seed, split, kind, index), so results do not depend on which
 * worker ran them or when; the builder merges them in job order.
 * @module
 */
import { type Generated, harvest, type PuzzleKind, randomEasy, randomMinimal } from "./generate.ts";
import { deriveSeed, Rng } from "../../util/mod.ts";

/** Search settings shared by all hard jobs of a build. */
export interface HardSettings {
  /** Pool size of each harvesting run. */
  poolSize: number;
  /** Puzzles harvested per job. */
  perJob: number;
  /** Fitness (mean rating over orientations) a child needs to be harvested. */
  threshold: number;
  /** Breeding budget per job. */
  maxIterations: number;
}

/** One job: `count` puzzles of one kind for one split. */
export interface Job {
  seed: number;
  /** 0 = train, 1 = test (part of the seed derivation). */
  split: number;
  kind: PuzzleKind;
  /** Blanks per puzzle of an `easy` job (ignored by the other kinds). */
  blanks: number;
  /** Job number within (split, kind); replacement jobs continue the numbering. */
  index: number;
  count: number;
  hard: HardSettings;
  /** Drop puzzles rated below this (0 keeps all). */
  minRating: number;
}

/** Puzzles as plain arrays so they cross the worker boundary cheaply. */
export interface JobResult {
  puzzles: Uint8Array;
  solutions: Uint8Array;
  ratings: Int32Array;
}

const KIND_TAG = { minimal: 0x4d494e, hard: 0x48415244, easy: 0x45415359 } as const;

/** Runs a job (in a worker or inline). */
export function runJob(job: Job, onPuzzle: () => void = () => {}): JobResult {
  const rng = new Rng(deriveSeed(job.seed, job.split, KIND_TAG[job.kind], job.index));
  const out: Generated[] = [];
  while (out.length < job.count) {
    const batch = job.kind === "minimal"
      ? [randomMinimal(rng)]
      : job.kind === "easy"
      ? [randomEasy(rng, job.blanks)]
      : harvest(
        rng,
        {
          size: job.hard.poolSize,
          count: job.count - out.length,
          threshold: job.hard.threshold,
          maxIterations: job.hard.maxIterations,
        },
        4,
        onPuzzle,
      );
    if (job.kind !== "hard") onPuzzle();
    for (const g of batch) if (g.rating >= job.minRating && out.length < job.count) out.push(g);
  }
  const puzzles = new Uint8Array(81 * out.length), solutions = new Uint8Array(81 * out.length);
  const ratings = new Int32Array(out.length);
  out.forEach((g, i) => {
    puzzles.set(g.puzzle, i * 81);
    solutions.set(g.solution, i * 81);
    ratings[i] = g.rating;
  });
  return { puzzles, solutions, ratings };
}
