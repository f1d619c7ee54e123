/**
 * A Deno Worker that trains and evaluates one model of a reproduce run
 * (see `workerPipeline` in pipeline.ts): one message in, one reply out.
 * @module
 */
/// <reference lib="deno.worker" />
import { type ModelJob, type ModelJobReply, realPipeline } from "./pipeline.ts";

self.onmessage = async (e: MessageEvent<ModelJob>) => {
  const { backend, quiet, plan, model, ctx } = e.data;
  let reply: ModelJobReply;
  try {
    const pipeline = realPipeline(backend, { quiet, tty: false });
    const result = await pipeline.runModel(plan, model, { ...ctx, log: console.log });
    reply = { ok: true, result };
  } catch (err) {
    reply = { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
  self.postMessage(reply);
};
