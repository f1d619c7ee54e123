/**
 * Deno Worker that generates a contiguous chunk of maze jobs and posts the
 * results back in small batches (the batches double as progress reports).
 * Each job carries its own random-stream key, so what a worker produces does
 * not depend on which worker runs it or when.
 * @module
 */
/// <reference lib="deno.worker" />
import { type MazeParams } from "./generate.ts";
import { packBatch, runJob } from "./pool.ts";

/** Message the pool sends: generate `keys` (one stream key per maze) with `params`. */
export interface WorkerRequest {
  params: MazeParams;
  keys: number[][];
  /** Position of the first job of this chunk in the pool's job list. */
  offset: number;
}

const BATCH = 16;

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const { params, keys, offset } = event.data;
  try {
    for (let i = 0; i < keys.length; i += BATCH) {
      const mazes = keys.slice(i, i + BATCH).map((key) => runJob(params, key));
      const batch = packBatch(mazes, offset + i, params.size * params.size);
      const transfer = [batch.questions, batch.answers, batch.stats].map((a) =>
        a.buffer as ArrayBuffer
      );
      self.postMessage(batch, transfer);
    }
  } catch (err) {
    self.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
};
