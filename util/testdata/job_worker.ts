/**
 * Job worker for `workers_test.ts`: waits `delayMs`, reports `ticks` ticks,
 * then answers `value * 2`, or fails with `fail` as its message; `crash`
 * kills the worker with an uncaught error instead.
 * @module
 */
import { serveJobs } from "../workers.ts";

/** One test job. */
export interface TestJob {
  value: number;
  delayMs: number;
  ticks?: number;
  fail?: string;
  crash?: boolean;
}

serveJobs(async (job: TestJob, tick) => {
  await new Promise((resolve) => setTimeout(resolve, job.delayMs));
  for (let i = 0; i < (job.ticks ?? 0); i++) tick();
  if (job.fail) throw new Error(job.fail);
  if (job.crash) {
    setTimeout(() => {
      throw new Error("crashed");
    }, 0);
    return new Promise<number>(() => {});
  }
  return job.value * 2;
});
