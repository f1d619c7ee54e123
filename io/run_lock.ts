/**
 * One writer per run folder: a lock file `dir/.lock` holding the owner's
 * `{pid, hostname, started, what}`, created atomically (`createNew`), so a
 * second trainer, a resume of a run that is still running or a report rebuild
 * that would race the writer is refused in one line naming the owner. A lock
 * left by a crashed process (its pid no longer runs on this host) is taken over.
 * @module
 */
import { z } from "zod";
import { issueLine } from "../util/mod.ts";

/** A held lock; {@link RunLock.release} removes the lock file (only if it is still ours). */
export interface RunLock {
  /** The lock file, `dir/.lock`. */
  readonly path: string;
  /** Removes the lock file if it still names this lock (idempotent). */
  release(): Promise<void>;
}

/** The file name of a run folder's lock. */
export const RUN_LOCK_FILE = ".lock";

const LockInfo = z.object({
  pid: z.number().int().positive(),
  hostname: z.string(),
  started: z.string(),
  what: z.string(),
});
/** The content of a lock file. */
export type RunLockInfo = z.infer<typeof LockInfo>;

function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "unknown";
  }
}

/** Whether process `pid` runs on this host (signal 0: ESRCH means gone, EPERM means alive). */
export function processAlive(pid: number): boolean {
  if (pid === Deno.pid) return true;
  try {
    Deno.kill(pid, 0 as unknown as Deno.Signal);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    if (/ESRCH|No such process/i.test((err as Error).message)) return false;
    return true; // EPERM or anything else: assume alive (never steal a live lock)
  }
}

type LockState =
  | { kind: "absent" }
  | { kind: "held"; info: RunLockInfo; text: string }
  | { kind: "stale"; info: RunLockInfo; text: string }
  | { kind: "unreadable"; text: string; why: string };

async function readLock(path: string): Promise<LockState> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { kind: "absent" };
    throw new Error(`${path}: cannot read the run lock (${(err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { kind: "unreadable", text, why: "not JSON" };
  }
  const parsed = LockInfo.safeParse(raw);
  if (!parsed.success) return { kind: "unreadable", text, why: issueLine(parsed.error) };
  const info = parsed.data;
  const stale = info.hostname === hostname() && !processAlive(info.pid);
  return { kind: stale ? "stale" : "held", info, text };
}

function ownerLine(path: string, info: RunLockInfo): string {
  const host = info.hostname === hostname() ? "" : ` on host ${info.hostname}`;
  return `${path}: locked by pid ${info.pid}${host} (${info.what}) since ${info.started}`;
}

/**
 * Moves the stale lock `path` (whose content was `text`) out of the way, only
 * if it is still that file: rename to a private name, compare, and put back
 * (link, which never overwrites) anything that is not the stale lock.
 */
async function removeStale(path: string, text: string): Promise<void> {
  const aside = `${path}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.stale`;
  try {
    await Deno.rename(path, aside);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return; // someone else took it over
    throw err;
  }
  const moved = await Deno.readTextFile(aside).catch(() => "");
  if (moved === text) {
    await Deno.remove(aside).catch(() => {});
    return;
  }
  // Not the stale lock any more (another process took it over meanwhile): restore it.
  await Deno.link(aside, path).catch(() => {});
  await Deno.remove(aside).catch(() => {});
}

/**
 * Takes the lock of `dir` (a file `dir/.lock`: {pid, hostname, started, what});
 * refuses with one line naming the owner (pid, what, since) while a live process
 * holds it; a lock whose pid no longer runs on this host is taken over (onStale
 * is told). `dir` is created if missing.
 */
export async function acquireRunLock(
  dir: string,
  what: string,
  opts: { onStale?: (message: string) => void } = {},
): Promise<RunLock> {
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir}/${RUN_LOCK_FILE}`;
  const info: RunLockInfo = {
    pid: Deno.pid,
    hostname: hostname(),
    started: new Date().toISOString(),
    what,
  };
  const text = JSON.stringify(info) + "\n";
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const file = await Deno.open(path, { write: true, createNew: true });
      try {
        await file.write(new TextEncoder().encode(text));
        await file.sync();
      } finally {
        file.close();
      }
      return makeLock(path, text);
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists)) {
        throw new Error(`${path}: cannot create the run lock (${(err as Error).message})`);
      }
    }
    const state = await readLock(path);
    if (state.kind === "absent") continue;
    if (state.kind === "held") {
      throw new Error(`${ownerLine(path, state.info)}; refusing to ${what}`);
    }
    if (state.kind === "unreadable") {
      // A lock being written right now reads empty for an instant: look again once.
      if (attempt === 0 && state.text === "") {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      throw new Error(
        `${path}: unreadable run lock (${state.why}); refusing to ${what}. ` +
          `If no process uses this folder, remove the file`,
      );
    }
    opts.onStale?.(
      `${path}: taking over a stale lock of pid ${state.info.pid} (${state.info.what}, since ` +
        `${state.info.started}), which no longer runs`,
    );
    await removeStale(path, state.text);
  }
  throw new Error(`${path}: could not take the run lock (it kept changing); refusing to ${what}`);
}

function makeLock(path: string, text: string): RunLock {
  let released = false;
  return {
    path,
    async release() {
      if (released) return;
      released = true;
      const now = await Deno.readTextFile(path).catch(() => null);
      if (now === text) await Deno.remove(path).catch(() => {});
    },
  };
}

/**
 * Throws one line naming the owner when a live process holds the lock of
 * `dir` (for readers that must not race a writer). A missing or stale lock passes.
 */
export async function assertUnlocked(dir: string, action: string): Promise<void> {
  const path = `${dir}/${RUN_LOCK_FILE}`;
  const state = await readLock(path);
  if (state.kind === "held") {
    throw new Error(`${ownerLine(path, state.info)}; refusing to ${action} while it runs`);
  }
  if (state.kind === "unreadable" && state.text !== "") {
    throw new Error(`${path}: unreadable run lock (${state.why}); refusing to ${action}`);
  }
}
