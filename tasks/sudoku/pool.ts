/**
 * Runs build jobs on a fixed number of Deno workers and returns the results in
 * job order, whatever order they finish in (the bytes never depend on timing).
 * @module
 */
import type { Job, JobResult } from "./jobs.ts";
import { runJob } from "./jobs.ts";

/**
 * Runs `jobs` on `workers` workers (0 = inline), calling `onTick` for each
 * puzzle found and `onDone` after each job.
 */
export async function runJobs(
  jobs: Job[],
  workers: number,
  onDone: (job: Job, result: JobResult) => void,
  onTick: () => void = () => {},
): Promise<JobResult[]> {
  const results: JobResult[] = new Array(jobs.length);
  if (workers <= 0) {
    jobs.forEach((job, i) => {
      results[i] = runJob(job, onTick);
      onDone(job, results[i]);
    });
    return results;
  }
  let next = 0;
  const pool = Array.from(
    { length: Math.min(workers, jobs.length) },
    () => new Worker(new URL("./worker.ts", import.meta.url), { type: "module" }),
  );
  try {
    await Promise.all(pool.map((w) =>
      new Promise<void>((resolve, reject) => {
        const feed = () => {
          if (next >= jobs.length) return resolve();
          const id = next++;
          w.postMessage({ id, job: jobs[id] });
        };
        type Reply = { id: number; result?: JobResult; error?: string; tick?: number };
        w.onmessage = (e: MessageEvent<Reply>) => {
          const { id, result, error, tick } = e.data;
          if (tick) return onTick();
          if (error !== undefined || !result) {
            return reject(new Error(`worker job ${id}: ${error}`));
          }
          results[id] = result;
          onDone(jobs[id], result);
          feed();
        };
        w.onerror = (e) => {
          e.preventDefault();
          reject(new Error(`worker failed: ${e.message}`));
        };
        feed();
      })
    ));
  } finally {
    for (const w of pool) w.terminate();
  }
  return results;
}
