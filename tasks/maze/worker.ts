/**
 * Deno Worker that generates batches of maze jobs (see `generateMany` in
 * pool.ts) and moves each packed batch back without copying. Each job
 * carries its own random-stream key, so what a worker produces does not
 * depend on which worker runs it or when.
 * @module
 */
import { serveJobs } from "../../util/mod.ts";
import { type MazeJob, runBatch } from "./pool.ts";

serveJobs(
  (job: MazeJob) => runBatch(job),
  (batch) => [batch.questions, batch.answers, batch.stats].map((a) => a.buffer as ArrayBuffer),
);
