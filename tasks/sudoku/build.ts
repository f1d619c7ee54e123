/**
 * Builds a Sudoku-Extreme-like dataset: plans seeded jobs, runs them on
 * workers, merges them in a fixed order, enforces diversity within a split
 * and disjointness (up to symmetry) between splits, and writes the folder
 * through io's output-folder rules (`--out` checked before any work, a
 * temporary folder renamed at the end, `--force` replaces only a Sudoku build).
 * @module
 */
import {
  type BuildKind,
  checkOutputDir,
  type OutputPlan,
  writeJsonAtomic,
  writeOutputDir,
} from "../../io/mod.ts";
import { writeIdentifiers } from "../dataset.ts";
import { equivalent, symmetryKey } from "./canonical.ts";
import { formatOfficialCsv } from "./csv.ts";
import type { Grid } from "./grid.ts";
import type { PuzzleKind } from "./generate.ts";
import { type HardSettings, type Job, type JobResult, runJob } from "./jobs.ts";
import { runJobs } from "./pool.ts";
import { Progress } from "../../util/mod.ts";
import { writeCompact, writeReference } from "./store.ts";
import { formatSummary, type RatingSummary, summarize } from "./summary.ts";

/** Everything a generated build depends on (all of it recorded in build.json). */
export interface BuildOptions {
  seed: number;
  train: number;
  test: number;
  out: string;
  aug: number;
  minRating: number;
  hardShare: number;
  /** Blanks per non-hard puzzle: 0 = random minimal puzzles, else `easy` puzzles. */
  blanks: number;
  workers: number;
  writeReferenceLayout: boolean;
  force: boolean;
  hard: HardSettings;
}

/** Default hard-search settings (see docs/sudoku.md for how they were chosen). */
export const DEFAULT_HARD_SETTINGS: HardSettings = {
  poolSize: 16,
  perJob: 100,
  threshold: 22,
  maxIterations: 40000,
};

const MINIMAL_PER_JOB = 50;
const SPLITS = ["train", "test"] as const;

/** One accepted puzzle of a split. */
export interface Item {
  puzzle: Grid;
  solution: Grid;
  rating: number;
  kind: PuzzleKind;
  /** CSV source column (imports keep the official one; generated: `generated-<kind>`). */
  source?: string;
}

/** Which positions of a split hold hard puzzles: evenly spread, floor(n * share) of them. */
export function isHardPosition(i: number, share: number): boolean {
  return Math.floor((i + 1) * share) > Math.floor(i * share);
}

/** The kind of the non-hard puzzles of a build. */
function softKind(o: BuildOptions): PuzzleKind {
  return o.blanks > 0 ? "easy" : "minimal";
}

/** The jobs of one split, in merge order. */
function planSplit(o: BuildOptions, split: number, n: number): Job[] {
  const hard = Math.floor(n * o.hardShare), soft = n - hard;
  const jobs: Job[] = [];
  const add = (kind: Job["kind"], total: number, per: number) => {
    for (let j = 0; j * per < total; j++) {
      const count = Math.min(per, total - j * per);
      jobs.push({
        seed: o.seed,
        split,
        kind,
        index: j,
        count,
        hard: o.hard,
        minRating: o.minRating,
        blanks: o.blanks,
      });
    }
  };
  add("hard", hard, o.hard.perJob);
  add(softKind(o), soft, MINIMAL_PER_JOB);
  return jobs;
}

/** A stream of puzzles of one kind: job outputs in order, then replacement jobs on demand. */
class Stream {
  #results: Item[] = [];
  #pos = 0;
  #nextJob: number;
  constructor(readonly template: Job, first: JobResult[], readonly kind: Item["kind"]) {
    for (const r of first) this.#push(r);
    this.#nextJob = first.length;
  }
  #push(r: JobResult) {
    for (let i = 0; i < r.ratings.length; i++) {
      this.#results.push({
        puzzle: r.puzzles.slice(i * 81, i * 81 + 81),
        solution: r.solutions.slice(i * 81, i * 81 + 81),
        rating: r.ratings[i],
        kind: this.kind,
      });
    }
  }
  next(): Item {
    while (this.#pos >= this.#results.length) {
      // Replacement jobs continue the numbering, so they are seeded like any other job.
      this.#push(runJob({ ...this.template, index: this.#nextJob++ }));
    }
    return this.#results[this.#pos++];
  }
}

function tooClose(a: Grid, accepted: Item[], minDistance: number): boolean {
  for (const b of accepted) {
    let d = 0;
    for (let i = 0; i < 81 && d < minDistance; i++) if (a[i] !== b.puzzle[i]) d++;
    if (d < minDistance) return true;
  }
  return false;
}

/** Merges job results into the splits, replacing near-duplicates and cross-split twins. */
function assemble(o: BuildOptions, plans: Job[][], results: JobResult[][]): Item[][] {
  const splits: Item[][] = [];
  const trainKeys = new Map<string, Grid[]>();
  let replaced = 0;
  plans.forEach((jobs, s) => {
    const n = s === 0 ? o.train : o.test;
    const streams = new Map<string, Stream>();
    for (const kind of ["hard", softKind(o)] as const) {
      const idx = jobs.map((j, k) => (j.kind === kind ? k : -1)).filter((k) => k >= 0);
      const template = jobs[idx[0]] ?? {
        seed: o.seed,
        split: s,
        kind,
        index: 0,
        count: 1,
        hard: o.hard,
        minRating: o.minRating,
        blanks: o.blanks,
      };
      streams.set(kind, new Stream({ ...template, count: 1 }, idx.map((k) => results[s][k]), kind));
    }
    const accepted: Item[] = [];
    for (let i = 0; i < n; i++) {
      const stream = streams.get(isHardPosition(i, o.hardShare) ? "hard" : softKind(o))!;
      for (;;) {
        const item = stream.next();
        const twin = s === 1 &&
          (trainKeys.get(symmetryKey(item.puzzle)) ?? []).some((t) => equivalent(item.puzzle, t));
        if (!twin && !tooClose(item.puzzle, accepted, 4)) {
          accepted.push(item);
          break;
        }
        replaced++;
      }
    }
    if (s === 0) {
      for (const it of accepted) {
        const key = symmetryKey(it.puzzle);
        trainKeys.set(key, [...(trainKeys.get(key) ?? []), it.puzzle]);
      }
    }
    splits.push(accepted);
  });
  if (replaced) console.log(`sudoku: replaced ${replaced} near-duplicate or cross-split puzzles`);
  return splits;
}

/** Rating summaries of a split: all, and per kind. */
export function splitSummary(items: Item[]): Record<string, RatingSummary> {
  const out: Record<string, RatingSummary> = { all: summarize(items.map((x) => x.rating)) };
  for (const kind of ["minimal", "easy", "hard"] as const) {
    const r = items.filter((x) => x.kind === kind).map((x) => x.rating);
    if (r.length) out[kind] = summarize(r);
  }
  return out;
}

/** Writes the splits (and build.json, identifiers, CSVs, rating summary) into `dir`. */
export async function writeBuild(
  dir: string,
  splits: Item[][],
  o: { seed: number; aug: number; writeReferenceLayout: boolean },
  build: Record<string, unknown>,
  summaries: Record<string, unknown>,
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (let s = 0; s < 2; s++) {
    const name = SPLITS[s];
    const items = splits[s];
    const data = {
      puzzles: new Uint8Array(items.length * 81),
      solutions: new Uint8Array(items.length * 81),
    };
    items.forEach((it, i) => {
      data.puzzles.set(it.puzzle, i * 81);
      data.solutions.set(it.solution, i * 81);
    });
    const aug = s === 0 ? o.aug : 0; // the test split is never augmented
    await writeCompact(dir, name, data, aug, o.seed);
    if (aug === 0 || o.writeReferenceLayout) await writeReference(dir, name, data, aug, o.seed);
    const csv = formatOfficialCsv(items.map((it) => ({
      source: it.source ?? `generated-${it.kind}`,
      question: it.puzzle,
      answer: it.solution,
      rating: it.rating,
    })));
    await Deno.writeTextFile(`${dir}/${name}.csv`, csv);
  }
  await writeIdentifiers(dir, ["<blank>"]);
  await writeJsonAtomic(`${dir}/ratings.json`, summaries);
  await writeJsonAtomic(`${dir}/build.json`, build);
}

/** Every file a Sudoku build may write besides build.json (what `--force` may delete). */
export const SUDOKU_OUTPUT: BuildKind = {
  task: "sudoku",
  command: "deno task data sudoku",
  files: [
    ...SPLITS.flatMap((split) => [
      ...["inputs", "labels", "puzzle_identifiers", "puzzle_indices", "group_indices"].map((f) =>
        `${split}/all__${f}.npy`
      ),
      `${split}/dataset.json`,
      `${split}/sudoku__puzzles.npy`,
      `${split}/sudoku__solutions.npy`,
      `${split}/sudoku_compact.json`,
      `${split}.csv`,
    ]),
    "identifiers.json",
    "ratings.json",
  ],
};

/**
 * Checks `--out` before any work (see io's checkOutputDir: missing, empty, or
 * with `force` a Sudoku build and nothing else); prints notes about unfinished
 * builds left beside it. Throws a one-line error otherwise.
 */
export async function checkSudokuOut(
  out: string,
  force: boolean,
  notes = true,
): Promise<OutputPlan> {
  const plan = await checkOutputDir(out, SUDOKU_OUTPUT, force);
  if (notes) { for (const note of plan.notes) console.error(note); }
  return plan;
}

/**
 * Checks `out` (quietly: the command line checked it first), then writes the
 * folder `fill` writes into place (io's writeOutputDir).
 */
export async function writeAtomically(
  out: string,
  force: boolean,
  fill: (dir: string) => Promise<void>,
): Promise<void> {
  await writeOutputDir(await checkSudokuOut(out, force, false), fill);
}

/** Generates, checks and writes a dataset; returns the summary lines it printed. */
export async function buildGenerated(o: BuildOptions): Promise<string[]> {
  const t0 = performance.now();
  const out = await checkSudokuOut(o.out, o.force); // before hours of generation, not after
  const plans = [planSplit(o, 0, o.train), planSplit(o, 1, o.test)];
  const all = plans.flat();
  // A heartbeat line every 30 s even while a long job has nothing new to report.
  const progress = new Progress({
    label: "sudoku generate",
    total: o.train + o.test,
    heartbeatS: 30,
  });
  const flat = await runJobs(all, o.workers, () => {}, () => progress.add(1));
  progress.add(o.train + o.test); // fallback fills send no ticks: show completion
  progress.stop();
  const results = [flat.slice(0, plans[0].length), flat.slice(plans[0].length)];
  const splits = assemble(o, plans, results);
  const summaries = { train: splitSummary(splits[0]), test: splitSummary(splits[1]) };
  const build = {
    task: "sudoku",
    generator: "sudoku-extreme-regen/2",
    layout: o.writeReferenceLayout || o.aug === 0 ? "reference+compact" : "compact",
    seed: o.seed,
    train: o.train,
    test: o.test,
    aug: o.aug,
    hard_share: o.hardShare,
    min_rating: o.minRating,
    hard_search: o.hard,
    // Only easy builds record it, so default builds keep their bytes.
    ...(o.blanks > 0 ? { blanks: o.blanks } : {}),
  };
  await writeOutputDir(out, (dir) => writeBuild(dir, splits, o, build, summaries));
  const secs = (performance.now() - t0) / 1000;
  const lines = [`sudoku: wrote ${o.out} in ${secs.toFixed(1)} s (${o.workers} workers)`];
  for (const s of SPLITS) {
    for (const [k, v] of Object.entries(summaries[s])) {
      lines.push(`sudoku: ${s} ${k.padEnd(7)} rating ${formatSummary(v)}`);
    }
  }
  for (const l of lines) console.log(l);
  return lines;
}
