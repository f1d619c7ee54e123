/**
 * Atomic file writes: write to a temporary name beside the target
 * (`<name>.<pid>.<8 hex>.tmp`, {@link TEMP_FILE_PATTERN}), then rename, so an
 * interrupted run never leaves a partial file under the real name. With
 * `durable`, the temporary file is fsynced before the rename and the folder
 * after it, so the new file survives a power loss once the call returns.
 * {@link removeStaleTemps} removes the leftovers of a writer that was killed
 * mid-write (only files of our own temp naming whose pid no longer runs).
 * @module
 */
import { processAlive } from "./run_lock.ts";

/** Options of the atomic writers. */
export interface AtomicWriteOptions {
  /** fsync the file before the rename and its folder after it (checkpoints, logs). */
  durable?: boolean;
}

/** Our temporary names: `<target name>.<pid>.<8 hex>.tmp` (group 1: the target, 2: the pid). */
export const TEMP_FILE_PATTERN = /^(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;

function tempName(path: string): string {
  return `${path}.${Deno.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
}

function parentDir(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

function encode(data: Uint8Array | string): Uint8Array {
  return typeof data === "string" ? new TextEncoder().encode(data) : data;
}

/** fsyncs a folder so a rename or creation in it is durable (best effort where unsupported). */
export async function syncDir(dir: string): Promise<void> {
  let f: Deno.FsFile | undefined;
  try {
    f = await Deno.open(dir, { read: true });
    await f.sync();
  } catch {
    /* folders cannot be opened or synced on every platform */
  } finally {
    f?.close();
  }
}

function syncDirSync(dir: string): void {
  let f: Deno.FsFile | undefined;
  try {
    f = Deno.openSync(dir, { read: true });
    f.syncSync();
  } catch {
    /* see syncDir */
  } finally {
    f?.close();
  }
}

/** Test hook: `HRM_FAULT_ATOMIC=<substring>:<pause ms>` pauses mid-write of matching targets. */
function faultPauseMs(path: string): number {
  let spec: string | undefined;
  try {
    spec = Deno.env.get("HRM_FAULT_ATOMIC");
  } catch {
    return 0; // no env permission: no hook
  }
  if (!spec) return 0;
  const i = spec.lastIndexOf(":");
  const ms = Number(spec.slice(i + 1));
  return i > 0 && path.includes(spec.slice(0, i)) && ms > 0 ? ms : 0;
}

/** Writes bytes to `path` atomically (temp file in the same folder + rename). */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  const tmp = tempName(path);
  try {
    const bytes = encode(data);
    const file = await Deno.open(tmp, { write: true, createNew: true });
    try {
      const pause = faultPauseMs(path);
      let off = 0;
      if (pause) {
        // Half the bytes, then a pause: a kill now leaves a partial temp file behind.
        off = await writeAll(file, bytes.subarray(0, bytes.length >> 1), 0);
        await new Promise((r) => setTimeout(r, pause));
      }
      await writeAll(file, bytes, off);
      if (opts.durable) await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
    if (opts.durable) await syncDir(parentDir(path));
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array, from: number): Promise<number> {
  let off = from;
  while (off < bytes.length) off += await file.write(bytes.subarray(off));
  return off;
}

/** Synchronous twin of {@link writeFileAtomic}, for exit paths that cannot await. */
export function writeFileAtomicSync(
  path: string,
  data: Uint8Array | string,
  opts: AtomicWriteOptions = {},
): void {
  const tmp = tempName(path);
  try {
    const bytes = encode(data);
    const file = Deno.openSync(tmp, { write: true, createNew: true });
    try {
      let off = 0;
      while (off < bytes.length) off += file.writeSync(bytes.subarray(off));
      if (opts.durable) file.syncSync();
    } finally {
      file.close();
    }
    Deno.renameSync(tmp, path);
    if (opts.durable) syncDirSync(parentDir(path));
  } catch (err) {
    try {
      Deno.removeSync(tmp);
    } catch { /* already gone */ }
    throw err;
  }
}

/** Writes JSON (2-space indent, trailing newline) atomically. */
export function writeJsonAtomic(
  path: string,
  value: unknown,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n", opts);
}

/**
 * Removes the leftovers of killed atomic writes in `dir` (and, with
 * `recursive`, its subfolders): plain files named like our temporary files
 * ({@link TEMP_FILE_PATTERN}) whose writer pid no longer runs on this host.
 * Nothing else is touched. Returns the removed paths.
 */
export async function removeStaleTemps(
  dir: string,
  opts: { recursive?: boolean } = {},
): Promise<string[]> {
  const removed: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [];
    for await (const e of Deno.readDir(dir)) entries.push(e);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) {
      return removed;
    }
    throw err;
  }
  for (const e of entries) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory && opts.recursive) {
      removed.push(...await removeStaleTemps(path, opts));
      continue;
    }
    if (!e.isFile) continue;
    const m = TEMP_FILE_PATTERN.exec(e.name);
    if (!m || processAlive(Number(m[2]))) continue;
    try {
      await Deno.remove(path);
      removed.push(path);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  return removed;
}
