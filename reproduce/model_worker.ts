/**
 * A Deno Worker that trains and evaluates one model of a reproduce run
 * (see `workerPipeline` in pipeline.ts): one job in, its result out.
 * @module
 */
import { serveJobs } from "../util/mod.ts";
import { type ModelJob, realPipeline } from "./pipeline.ts";

serveJobs(({ backend, quiet, plan, model, ctx }: ModelJob) =>
  realPipeline(backend, { quiet, tty: false }).runModel(plan, model, { ...ctx, log: console.log })
);
