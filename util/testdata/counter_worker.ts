/**
 * Stateful worker for `workers_test.ts`: keeps a running total. `add` answers
 * the new total, `twice` answers two replies, `fail` an error reply, `crash`
 * kills the worker with an uncaught error, `silent` answers nothing.
 * @module
 */
/// <reference lib="deno.worker" />
import { serveRequests } from "../workers.ts";

/** What the test sends. */
export type CounterRequest =
  | { type: "add"; n: number }
  | { type: "twice" }
  | { type: "fail" }
  | { type: "crash" }
  | { type: "silent" };

/** What the worker answers. */
export type CounterReply =
  | { type: "total"; total: number }
  | { type: "first" }
  | { type: "second" }
  | { type: "error"; message: string };

let total = 0;

serveRequests<CounterRequest, CounterReply>((msg) => {
  switch (msg.type) {
    case "add":
      total += msg.n;
      return { type: "total", total };
    case "twice":
      self.postMessage({ type: "first" } satisfies CounterReply);
      setTimeout(() => self.postMessage({ type: "second" } satisfies CounterReply), 10);
      return undefined;
    case "fail":
      throw new Error("asked to fail");
    case "crash":
      setTimeout(() => {
        throw new Error("crashed");
      }, 0);
      return undefined;
    case "silent":
      return undefined;
  }
});
