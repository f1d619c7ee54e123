/**
 * Runs build jobs on a fixed number of Deno workers and returns the results in
 * job order, whatever order they finish in (the bytes never depend on timing).
 * @module
 */
import { runJobs as runOnWorkers } from "../../util/mod.ts";
import { type Job, type JobResult, runJob } from "./jobs.ts";

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
  if (workers <= 0) {
    return jobs.map((job) => {
      const result = runJob(job, onTick);
      onDone(job, result);
      return result;
    });
  }
  return await runOnWorkers<Job, JobResult>(jobs, {
    script: new URL("./worker.ts", import.meta.url),
    workers,
    name: (_, i) => `worker job ${i}`,
    onResult: (result, i) => onDone(jobs[i], result),
    onTick,
  });
}
