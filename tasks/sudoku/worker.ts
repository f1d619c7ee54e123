/**
 * Deno worker entry: runs build jobs posted by the builder, one at a time.
 * Progress ticks (one per puzzle found) show movement on long hard jobs.
 * @module
 */
import { serveJobs } from "../../util/mod.ts";
import { type Job, runJob } from "./jobs.ts";

serveJobs((job: Job, tick) => runJob(job, tick));
