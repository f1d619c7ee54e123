/**
 * Deno Workers, both halves, with one message convention: every message is
 * an object tagged by a string `type`, and a failure is answered by
 * `{ type: "error", message }` (the error's message, not its stack).
 *
 * Two shapes of work use it:
 *
 * - A **job pool** ({@link runJobs}): a list of independent jobs run on N
 *   workers, each worker given the next job as it frees up; the results come
 *   back in job order whatever order they finish in. A job worker module is
 *   only its job logic, handed to {@link serveJobs}.
 * - A **stateful worker** ({@link WorkerClient}): one worker keeps state
 *   between requests; one request is in flight at a time and its reply
 *   resolves it. The worker module hands its handler to {@link serveRequests}.
 *
 * And {@link runInLanes}, the scheduler under the job pool, for async work
 * that is not a worker of its own (at most N at a time, started in order).
 *
 * ```ts ignore
 * // pool.ts
 * const squares = await runJobs([1, 2, 3], {
 *   script: new URL("./square_worker.ts", import.meta.url),
 *   workers: 2,
 * });
 * // square_worker.ts
 * serveJobs((n: number) => n * n);
 * ```
 * @module
 */

/** Every message between a thread and its workers: an object tagged by `type`. */
export interface Envelope {
  type: string;
}

/** The reply that reports a failure. */
export interface ErrorReply {
  type: "error";
  message: string;
}

/** What the job pool sends a worker: job number `id` (its place in the list). */
export interface JobMessage<J> {
  type: "job";
  id: number;
  job: J;
}

/** What a job worker answers: ticks of progress while it works, then its result or an error. */
export type JobReply<R> =
  | { type: "tick"; id: number }
  | { type: "result"; id: number; result: R }
  | ErrorReply & { id: number };

/** The part of a worker's global scope the serving helpers use. */
interface WorkerScope {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}

/** The one-line message of anything thrown. */
function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The global scope of the worker this code runs in. */
function workerScope(): WorkerScope {
  return globalThis as unknown as WorkerScope;
}

function startWorker(script: URL): Worker {
  return new Worker(script.href, { type: "module" });
}

/**
 * Runs `work` on every item, at most `lanes` at a time, starting them in
 * order (`lane` says which of the `lanes` runs it). After a failure no new
 * item starts; the running ones are awaited and the first failure is
 * rethrown, so nothing is left half done.
 */
export async function runInLanes<T>(
  items: readonly T[],
  lanes: number,
  work: (item: T, index: number, lane: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const lane = async (l: number) => {
    while (next < items.length && errors.length === 0) {
      const i = next++;
      try {
        await work(items[i], i, l);
      } catch (err) {
        errors.push(err);
      }
    }
  };
  const count = Math.max(1, Math.min(lanes, items.length));
  await Promise.all(Array.from({ length: count }, (_, l) => lane(l)));
  if (errors.length) throw errors[0];
}

/** How {@link runJobs} runs a list of jobs. */
export interface JobPoolOptions<J, R> {
  /** The worker module: a file that calls {@link serveJobs}. */
  script: URL;
  /** Number of workers (at least 1; never more than there are jobs). */
  workers: number;
  /** How an error names job `index` (default `job <index>`). */
  name?: (job: J, index: number) => string;
  /** Called as each job finishes, in finishing order. */
  onResult?: (result: R, index: number) => void;
  /** Called for each tick of progress a job reports. */
  onTick?: (index: number) => void;
}

/** Posts one job to `worker` and resolves with its result. */
function runOn<J, R>(
  worker: Worker,
  id: number,
  job: J,
  onTick: (index: number) => void,
): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<JobReply<R>>) => {
      const reply = e.data;
      if (reply.id !== id) return;
      if (reply.type === "tick") onTick(id);
      else if (reply.type === "result") resolve(reply.result);
      else reject(new Error(reply.message));
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      reject(new Error(`worker failed: ${e.message}`));
    };
    worker.postMessage({ type: "job", id, job } satisfies JobMessage<J>);
  });
}

/**
 * Runs `jobs` on `opts.workers` Deno Workers started from `opts.script`,
 * each worker given the next job as soon as it is free, and resolves with
 * the results in job order (never in finishing order, so nothing depends on
 * timing). The first failure terminates every worker and rejects with one
 * line, `<job name>: <message>`.
 */
export async function runJobs<J, R>(jobs: readonly J[], opts: JobPoolOptions<J, R>): Promise<R[]> {
  const name = opts.name ?? ((_: J, i: number) => `job ${i}`);
  const onTick = opts.onTick ?? (() => {});
  const results: R[] = new Array(jobs.length);
  const workers: Worker[] = [];
  let failure: Error | undefined;
  let abort: (err: Error) => void = () => {};
  const aborted = new Promise<never>((_, reject) => (abort = reject));
  aborted.catch(() => {});
  try {
    await runInLanes(jobs, opts.workers, async (job, id, lane) => {
      workers[lane] ??= startWorker(opts.script);
      try {
        results[id] = await Promise.race([runOn<J, R>(workers[lane], id, job, onTick), aborted]);
      } catch (err) {
        // The first failure stops the other lanes at once; they rethrow it as is.
        failure ??= new Error(`${name(job, id)}: ${messageOf(err)}`);
        abort(failure);
        throw failure;
      }
      opts.onResult?.(results[id], id);
    });
  } finally {
    for (const worker of workers) worker.terminate();
  }
  return results;
}

/**
 * The worker half of {@link runJobs}: answers each job with
 * `run(job, tick)`, where `tick()` reports a unit of progress. A thrown error
 * is sent back as the job's error. `transferOf` lists buffers of a result to
 * move rather than copy.
 */
export function serveJobs<J, R>(
  run: (job: J, tick: () => void) => R | Promise<R>,
  transferOf: (result: R) => Transferable[] = () => [],
): void {
  const scope = workerScope();
  scope.onmessage = async (e: MessageEvent<JobMessage<J>>) => {
    const { id, job } = e.data;
    try {
      const result = await run(job, () => scope.postMessage({ type: "tick", id }));
      scope.postMessage({ type: "result", id, result } satisfies JobReply<R>, transferOf(result));
    } catch (err) {
      scope.postMessage({ type: "error", id, message: messageOf(err) } satisfies JobReply<R>);
    }
  };
}

/** The reply of type `T` among the replies `Rep`. */
export type ReplyOf<Rep extends Envelope, T extends Rep["type"]> = Extract<Rep, { type: T }>;

/**
 * The thread's half of a stateful worker: `Req` messages out, `Rep` replies
 * back, one request in flight at a time. A `{ type: "error", message }`
 * reply rejects the request with `<name>: <message>`, a worker that fails
 * with `<name> failed: <message>`; a reply of another type than the one
 * expected rejects too. Replies nobody waits for are dropped.
 */
export class WorkerClient<Req extends Envelope, Rep extends Envelope> {
  /** The worker itself (to post a message that expects no reply, or terminate it). */
  readonly worker: Worker;
  private pending?: { resolve: (reply: Rep) => void; reject: (err: Error) => void };

  /** Starts the worker module `script`; `name` starts its error messages. */
  constructor(script: URL, private readonly name = "worker") {
    this.worker = startWorker(script);
    this.worker.onmessage = (e: MessageEvent<Rep | ErrorReply>) => {
      const reply = e.data;
      const waiting = this.take();
      if (reply.type === "error") {
        waiting?.reject(new Error(`${name}: ${(reply as ErrorReply).message}`));
      } else waiting?.resolve(reply as Rep);
    };
    this.worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.take()?.reject(new Error(`${name} failed: ${e.message}`));
    };
  }

  /**
   * Sends `msg` (moving the buffers in `transfer`) and resolves with the
   * reply, which must be of type `expect`. Throws at once when a request is
   * already in flight.
   */
  request<T extends Rep["type"]>(
    msg: Req,
    expect: T,
    transfer: Transferable[] = [],
  ): Promise<ReplyOf<Rep, T>> {
    const reply = this.next(expect);
    this.worker.postMessage(msg, transfer);
    return reply;
  }

  /**
   * Resolves with the next reply, of type `expect`, without sending anything
   * (a second reply to one request). Throws at once when a request is
   * already in flight.
   */
  next<T extends Rep["type"]>(expect: T): Promise<ReplyOf<Rep, T>> {
    if (this.pending) throw new Error(`${this.name} busy`);
    return new Promise<Rep>((resolve, reject) => {
      this.pending = { resolve, reject };
    }).then((reply) => {
      if (reply.type !== expect) {
        throw new Error(`${this.name} replied '${reply.type}', expected '${expect}'`);
      }
      return reply as ReplyOf<Rep, T>;
    });
  }

  /** Stops the worker. */
  terminate(): void {
    this.worker.terminate();
  }

  private take() {
    const waiting = this.pending;
    this.pending = undefined;
    return waiting;
  }
}

/**
 * The worker half of {@link WorkerClient}: answers each message with what
 * `handle` returns (nothing is sent when it returns `undefined`: the message
 * is answered some other way), or with `{ type: "error", message }` when it
 * throws. Messages are handled as they come, so one may arrive while
 * another's handler still awaits. `transferOf` lists buffers of a reply to
 * move rather than copy.
 */
export function serveRequests<Req extends Envelope, Rep extends Envelope>(
  handle: (msg: Req) => Rep | undefined | Promise<Rep | undefined>,
  transferOf: (reply: Rep) => Transferable[] = () => [],
): void {
  const scope = workerScope();
  scope.onmessage = async (e: MessageEvent<Req>) => {
    try {
      const reply = await handle(e.data);
      if (reply !== undefined) scope.postMessage(reply, transferOf(reply));
    } catch (err) {
      scope.postMessage({ type: "error", message: messageOf(err) } satisfies ErrorReply);
    }
  };
}
