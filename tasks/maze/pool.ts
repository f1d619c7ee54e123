/**
 * Runs many maze generation jobs on several Deno Workers. Work is split by
 * count (contiguous chunks of the job list, one per worker) and results are
 * stored by job position, so the output never depends on timing or on the
 * number of workers.
 * @module
 */
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
  let done = 0;
  const chunk = Math.ceil(keys.length / w);
  const running: Promise<void>[] = [];
  const started: Worker[] = [];
  try {
    for (let k = 0; k < w; k++) {
      const offset = k * chunk;
      const part = keys.slice(offset, offset + chunk);
      if (part.length === 0) continue;
      const worker = new Worker(new URL("./worker.ts", import.meta.url).href, { type: "module" });
      started.push(worker);
      running.push(
        new Promise<void>((resolve, reject) => {
          let received = 0;
          worker.onmessage = (e: MessageEvent<MazeBatch | { error: string }>) => {
            const data = e.data;
            if ("error" in data) return reject(new Error(data.error));
            for (let i = 0; i < data.count; i++) out[data.offset + i] = unpack(data, i, cells);
            received += data.count;
            done += data.count;
            onProgress(done);
            if (received === part.length) resolve();
          };
          worker.onerror = (e: ErrorEvent) => {
            e.preventDefault();
            reject(new Error(`maze worker failed: ${e.message}`));
          };
          worker.postMessage({ params, keys: part, offset });
        }),
      );
    }
    await Promise.all(running);
  } finally {
    for (const worker of started) worker.terminate();
  }
  return out;
}
