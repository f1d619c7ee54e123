import assert from "node:assert/strict";
import { acquireRunLock, assertUnlocked, processAlive, RUN_LOCK_FILE } from "./run_lock.ts";

/** Awaits `fn`, asserts it rejects with a one-line Error containing `includes`, returns it. */
async function assertRejects(
  fn: () => Promise<unknown>,
  _type?: ErrorConstructor,
  includes = "",
): Promise<Error> {
  let err: unknown;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof Error, "expected a rejection");
  assert.ok(err.message.includes(includes), `"${err.message}" lacks "${includes}"`);
  assert.ok(!err.message.includes("\n"), `not one line: ${err.message}`);
  return err;
}

/** A pid that ran and has exited (so it is not alive unless reused, which we check). */
async function deadPid(): Promise<number> {
  const child = new Deno.Command(Deno.execPath(), { args: ["eval", "0"], stdout: "null" }).spawn();
  const pid = child.pid;
  await child.status;
  assert.ok(!processAlive(pid), "the exited child's pid should not be alive");
  return pid;
}

Deno.test("run lock: a second acquire is refused naming the owner; release frees it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const lock = await acquireRunLock(dir, "train");
    assert.deepEqual(lock.path, `${dir}/${RUN_LOCK_FILE}`);
    const info = JSON.parse(await Deno.readTextFile(lock.path));
    assert.deepEqual(info.pid, Deno.pid);
    assert.deepEqual(info.what, "train");
    const err = await assertRejects(() => acquireRunLock(dir, "resume"));
    assert.match(
      (err as Error).message,
      new RegExp(`locked by pid ${Deno.pid} \\(train\\) since .*; refusing to resume`),
    );
    assert.ok(!(err as Error).message.includes("\n"));
    await assertRejects(() => assertUnlocked(dir, "rebuild the report"), Error, "while it runs");
    await lock.release();
    await lock.release(); // idempotent
    await assertUnlocked(dir, "rebuild the report");
    const again = await acquireRunLock(dir, "train");
    await again.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("run lock: a lock of a pid that no longer runs is taken over (onStale told)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const pid = await deadPid();
    const stale = { pid, hostname: Deno.hostname(), started: "2020-01-01T00:00:00Z", what: "old" };
    await Deno.writeTextFile(`${dir}/${RUN_LOCK_FILE}`, JSON.stringify(stale));
    await assertUnlocked(dir, "read"); // a stale lock does not block readers
    const told: string[] = [];
    const lock = await acquireRunLock(dir, "train", { onStale: (m) => told.push(m) });
    assert.deepEqual(told.length, 1);
    assert.match(told[0], new RegExp(`stale lock of pid ${pid} \\(old`));
    assert.deepEqual(JSON.parse(await Deno.readTextFile(lock.path)).pid, Deno.pid);
    await lock.release();
    // nothing else left behind
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("run lock: a lock held by another live process is refused; a foreign host's too", async () => {
  const dir = await Deno.makeTempDir();
  const child = new Deno.Command("sleep", { args: ["30"] }).spawn();
  try {
    const live = {
      pid: child.pid,
      hostname: Deno.hostname(),
      started: "2024-05-01T10:00:00Z",
      what: "train",
    };
    await Deno.writeTextFile(`${dir}/${RUN_LOCK_FILE}`, JSON.stringify(live));
    await assertRejects(
      () => acquireRunLock(dir, "resume"),
      Error,
      `locked by pid ${child.pid} (train) since 2024-05-01T10:00:00Z; refusing to resume`,
    );
    await assertRejects(() => assertUnlocked(dir, "rebuild"), Error, "refusing to rebuild");
    const pid = await deadPid();
    const foreign = { ...live, pid, hostname: "elsewhere.invalid" };
    await Deno.writeTextFile(`${dir}/${RUN_LOCK_FILE}`, JSON.stringify(foreign));
    await assertRejects(() => acquireRunLock(dir, "train"), Error, "on host elsewhere.invalid");
  } finally {
    child.kill();
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("run lock: an unreadable lock is refused in one line, never removed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/${RUN_LOCK_FILE}`, "{not json");
    await assertRejects(
      () => acquireRunLock(dir, "train"),
      Error,
      "unreadable run lock (not JSON)",
    );
    await assertRejects(() => assertUnlocked(dir, "read"), Error, "unreadable run lock");
    assert.deepEqual(await Deno.readTextFile(`${dir}/${RUN_LOCK_FILE}`), "{not json");
    await assertUnlocked(`${dir}/missing`, "read"); // no lock, no folder: fine
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
