import assert from "node:assert/strict";
import { runInLanes, runJobs, WorkerClient } from "./workers.ts";
import type { TestJob } from "./testdata/job_worker.ts";
import type { CounterReply, CounterRequest } from "./testdata/counter_worker.ts";

const JOB_WORKER = new URL("./testdata/job_worker.ts", import.meta.url);
const COUNTER_WORKER = new URL("./testdata/counter_worker.ts", import.meta.url);

Deno.test("job pool: results in job order, not in finishing order", async () => {
  // The first jobs are the slowest, so they finish last.
  const jobs: TestJob[] = [0, 1, 2, 3, 4, 5].map((v) => ({ value: v, delayMs: 60 - 10 * v }));
  const finished: number[] = [];
  const results = await runJobs<TestJob, number>(jobs, {
    script: JOB_WORKER,
    workers: 3,
    onResult: (result, index) => {
      assert.equal(result, jobs[index].value * 2);
      finished.push(index);
    },
  });
  assert.deepEqual(results, [0, 2, 4, 6, 8, 10]);
  assert.notDeepEqual(finished, [0, 1, 2, 3, 4, 5], "the test needs jobs to finish out of order");
  assert.deepEqual(finished.toSorted(), [0, 1, 2, 3, 4, 5]);
});

Deno.test("job pool: ticks of progress reach onTick with the job's index", async () => {
  const ticks: number[] = [];
  await runJobs<TestJob, number>([{ value: 1, delayMs: 0, ticks: 2 }, {
    value: 2,
    delayMs: 0,
    ticks: 3,
  }], { script: JOB_WORKER, workers: 1, onTick: (i) => ticks.push(i) });
  assert.deepEqual(ticks, [0, 0, 1, 1, 1]);
});

Deno.test("job pool: the first failure rejects with one line naming the job", async () => {
  const jobs: TestJob[] = [
    { value: 0, delayMs: 0 },
    { value: 1, delayMs: 5, fail: "no such thing" },
    { value: 2, delayMs: 2000 },
  ];
  const started = performance.now();
  await assert.rejects(
    runJobs<TestJob, number>(jobs, {
      script: JOB_WORKER,
      workers: 2,
      name: (job) => `value ${job.value}`,
    }),
    (err: Error) => err.message === "value 1: no such thing",
  );
  // The slow job's worker was terminated, not awaited.
  assert.ok(performance.now() - started < 1500);
});

Deno.test("job pool: a worker that dies fails the job it was running", async () => {
  await assert.rejects(
    runJobs<TestJob, number>([{ value: 0, delayMs: 0 }, { value: 1, delayMs: 0, crash: true }], {
      script: JOB_WORKER,
      workers: 1,
    }),
    (err: Error) => /^job 1: worker failed: .*crashed/.test(err.message),
  );
});

Deno.test("job pool: no jobs, no workers", async () => {
  assert.deepEqual(await runJobs([], { script: JOB_WORKER, workers: 4 }), []);
});

Deno.test("lanes: at most N at a time; after a failure nothing new starts, the rest end", async () => {
  const done: number[] = [];
  let running = 0, most = 0;
  await assert.rejects(
    runInLanes([0, 1, 2, 3, 4], 2, async (i) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 5 * (i + 1)));
      running--;
      if (i === 1) throw new Error("job 1 failed");
      done.push(i);
    }),
    /job 1 failed/,
  );
  assert.equal(most, 2);
  assert.equal(running, 0);
  // Jobs 0 and 2 had started before the failure and were let finish; nothing new started after.
  assert.deepEqual(done.sort(), [0, 2]);
});

Deno.test("worker client: state across requests, a second reply, error replies", async () => {
  const client = new WorkerClient<CounterRequest, CounterReply>(COUNTER_WORKER, "counter");
  try {
    assert.equal((await client.request({ type: "add", n: 2 }, "total")).total, 2);
    assert.equal((await client.request({ type: "add", n: 3 }, "total")).total, 5);
    await client.request({ type: "twice" }, "first");
    await client.next("second");
    await assert.rejects(
      client.request({ type: "fail" }, "total"),
      /^Error: counter: asked to fail$/,
    );
    await assert.rejects(
      client.request({ type: "add", n: 1 }, "first"),
      /counter replied 'total', expected 'first'/,
    );
    // One request at a time.
    const silent = client.request({ type: "silent" }, "total");
    assert.throws(() => client.request({ type: "add", n: 1 }, "total"), /counter busy/);
    // A worker that dies rejects the request in flight.
    client.worker.postMessage({ type: "crash" } satisfies CounterRequest);
    await assert.rejects(silent, /counter failed: .*crashed/);
  } finally {
    client.terminate();
  }
});
