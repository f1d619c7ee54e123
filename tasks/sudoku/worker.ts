/**
 * Deno worker entry: runs build jobs posted by the builder, one at a time.
 * @module
 */
/// <reference lib="deno.worker" />
import { type Job, runJob } from "./jobs.ts";

self.onmessage = (event: MessageEvent<{ id: number; job: Job }>) => {
  const { id, job } = event.data;
  try {
    // Progress ticks (one per puzzle found) so long hard jobs show movement.
    const result = runJob(job, () => self.postMessage({ id, tick: 1 }));
    self.postMessage({ id, result });
  } catch (err) {
    self.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
};
