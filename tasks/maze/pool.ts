/**
 * Runs many maze generation jobs on several Deno Workers. The job list is cut
 * into small batches handed to whichever worker is free, and results are
 * stored by job position, so the output never depends on timing or on the
 * number of workers (each maze depends only on its own key).
 * @module
 */
import { runJobs } from "../../util/mod.ts";
import { type GeneratedMaze, generateMaze, type MazeParams } from "./generate.ts";

/** Number of int32 statistics stored per maze in a batch. */
const STATS = 4;

/** A batch of generated mazes in transferable form. */
export interface MazeBatch {
  /** Position of the first maze in the job list. */
  offset: number;
  count: number;
  questions: Uint8Array;
  answers: Uint8Array;
  /** Per maze: length, walls, layoutsTried, longPairs. */
  stats: Int32Array;
}

/** Generates one job (the worker's unit of work). */
export function runJob(params: MazeParams, key: readonly number[]): GeneratedMaze {
  return generateMaze(params, key);
}

/** Packs mazes into one transferable batch. */
export function packBatch(mazes: GeneratedMaze[], offset: number, cells: number): MazeBatch {
  const questions = new Uint8Array(mazes.length * cells);
  const answers = new Uint8Array(mazes.length * cells);
  const stats = new Int32Array(mazes.length * STATS);
  mazes.forEach((m, i) => {
    questions.set(m.question, i * cells);
    answers.set(m.answer, i * cells);
    stats.set([m.length, m.walls, m.layoutsTried, m.longPairs], i * STATS);
  });
  return { offset, count: mazes.length, questions, answers, stats };
}

/** Unpacks maze `i` of a batch. */
function unpack(batch: MazeBatch, i: number, cells: number): GeneratedMaze {
  const st = batch.stats.subarray(i * STATS, (i + 1) * STATS);
  return {
    question: batch.questions.slice(i * cells, (i + 1) * cells),
    answer: batch.answers.slice(i * cells, (i + 1) * cells),
    length: st[0],
    walls: st[1],
    layoutsTried: st[2],
    longPairs: st[3],
  };
}

/** One job of the pool: generate a maze for each of `keys` with `params`. */
export interface MazeJob {
  params: MazeParams;
  keys: number[][];
  /** Position of the first key in the whole job list. */
  offset: number;
}

/** Generates a job's mazes as one batch (what a worker answers). */
export function runBatch(job: MazeJob): MazeBatch {
  const mazes = job.keys.map((key) => runJob(job.params, key));
  return packBatch(mazes, job.offset, job.params.size * job.params.size);
}

/** Most mazes in one job: the results come back (and progress moves) in batches this big. */
const BATCH = 16;

/**
 * Generates one maze per key, on `workers` Deno Workers (inline when
 * `workers` <= 1 or there are few jobs). `onProgress(done)` is called as
 * results arrive. Results are in key order.
 */
export async function generateMany(
  params: MazeParams,
  keys: number[][],
  workers: number,
  onProgress: (done: number) => void = () => {},
): Promise<GeneratedMaze[]> {
  const cells = params.size * params.size;
  const out: GeneratedMaze[] = new Array(keys.length);
  const w = Math.max(1, Math.min(workers, Math.ceil(keys.length / 8)));
  if (w <= 1) {
    for (let i = 0; i < keys.length; i++) {
      out[i] = runJob(params, keys[i]);
      onProgress(i + 1);
    }
    return out;
  }
  // Small enough batches that every worker gets some.
  const size = Math.min(BATCH, Math.ceil(keys.length / w));
  const jobs: MazeJob[] = [];
  for (let offset = 0; offset < keys.length; offset += size) {
    jobs.push({ params, keys: keys.slice(offset, offset + size), offset });
  }
  let done = 0;
  const batches = await runJobs<MazeJob, MazeBatch>(jobs, {
    script: new URL("./worker.ts", import.meta.url),
    workers: w,
    name: (job) => `maze jobs ${job.offset}..${job.offset + job.keys.length - 1}`,
    onResult: (batch) => onProgress(done += batch.count),
  });
  for (const batch of batches) {
    for (let i = 0; i < batch.count; i++) out[batch.offset + i] = unpack(batch, i, cells);
  }
  return out;
}
