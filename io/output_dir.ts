/**
 * Output folders of the dataset builders (`deno task data sudoku|maze|arc
 * --out DIR [--force]`): which folder a build may replace, checked before any
 * work starts, and how a build gets into place without ever being mistaken
 * for a finished one.
 *
 * A builder's folder is recognised by its `build.json` (`task` names the
 * builder). While a build runs, it is written into a temporary sibling
 * `<out>.partial-<pid>` whose `build.json` is an *unfinished* marker
 * (`{"task": ..., "unfinished": true}`); the builder's real `build.json`,
 * written last, replaces it, and the folder is then renamed to `<out>`. A
 * build killed midway therefore leaves an unfinished marker, which
 * {@link assertFinishedBuild} (verify, the trainer) refuses.
 *
 * `--force` replaces only a folder this tool built for the same task, finished
 * or unfinished, holding nothing but the files the builder writes; it never
 * touches the current folder, a parent of it, a git repository, a folder git
 * tracks files in, or a source folder. Only the builder's own files are
 * deleted, one by one (no recursive delete of the output folder).
 * @module
 */
import { basename, dirname, join, normalize } from "node:path";
import { writeJsonAtomic } from "./atomic.ts";

/** The marker file: the builder's summary when finished, the unfinished marker before. */
const BUILD_MARKER = "build.json";

/** What a builder writes into its output folder. */
export interface BuildKind {
  /** The `task` its `build.json` records, e.g. `sudoku`. */
  readonly task: string;
  /** The command that builds it, named in messages, e.g. `deno task data sudoku`. */
  readonly command: string;
  /** Every file it may write besides `build.json`, relative and `/`-separated. */
  readonly files: readonly string[];
}

/** A refused output folder (its message is one line naming the folder and why). */
export class OutputDirError extends Error {
  override name = "OutputDirError";
}

/** What `--out` holds now, as {@link checkOutputDir} found it. */
export type OutputState = "missing" | "empty" | "finished" | "unfinished";

/** An accepted output folder: the result of {@link checkOutputDir}. */
export interface OutputPlan {
  readonly kind: BuildKind;
  /** The folder as given, without trailing slashes. */
  readonly out: string;
  readonly force: boolean;
  /** What is there now: nothing, an empty folder, or our (un)finished build. */
  readonly state: OutputState;
  /** Lines to print: unfinished builds left beside it by interrupted runs (kept). */
  readonly notes: readonly string[];
}

/** What a folder's `build.json` says. */
export type BuildState =
  | { state: "none" }
  | { state: "invalid" }
  | { state: "finished" | "unfinished"; task: string };

/** Names that make a folder a source folder (a foreign file with one of these endings). */
const SOURCE_FILE = /\.(ts|tsx|js|mjs|cjs|jsx|py|rs|go|c|h|cc|cpp|hpp|java|wat|sh)$/;
/** Temporary names our atomic writes use beside a file (`<name>.<pid>[.<hex8>].tmp`). */
const TEMP_SUFFIX = /\.\d+(\.[0-9a-f]{8})?\.tmp$/;

function trimOut(out: string): string {
  const trimmed = normalize(out).replace(/\/+$/, ""); // `a/b/.` and `a/b/` are `a/b`
  return trimmed === "" && out.startsWith("/") ? "/" : trimmed;
}

async function lstatOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

/** Reads `<dir>/build.json`: none, invalid, or a finished/unfinished build of a task. */
export async function readBuildState(dir: string): Promise<BuildState> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${dir}/${BUILD_MARKER}`);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { state: "none" };
    return { state: "invalid" }; // a folder, or unreadable
  }
  try {
    const value = JSON.parse(text);
    if (!value || typeof value !== "object" || typeof value.task !== "string") {
      return { state: "invalid" };
    }
    return { state: value.unfinished === true ? "unfinished" : "finished", task: value.task };
  } catch {
    return { state: "invalid" };
  }
}

/** The one-line message for an unfinished build in `dir`. */
export function unfinishedMessage(dir: string, task: string): string {
  return `${dir}: unfinished ${task} build (interrupted or still running; ` +
    `rebuild it with --out ${dir} --force)`;
}

/**
 * Throws an {@link OutputDirError} when `dir` holds an unfinished build of
 * this tool (its `build.json` is the unfinished marker) or an unreadable
 * `build.json`. Folders without `build.json` (other builders' layouts) pass.
 * Verify and the trainer call this before reading a data folder.
 */
export async function assertFinishedBuild(dir: string): Promise<void> {
  const build = await readBuildState(dir);
  if (build.state === "unfinished") throw new OutputDirError(unfinishedMessage(dir, build.task));
  if (build.state === "invalid") {
    throw new OutputDirError(
      `${dir}/${BUILD_MARKER}: expected a JSON object with a "task" name (damaged build?)`,
    );
  }
}

/** Every relative path of `kind`'s layout: files and the folders holding them. */
function layoutOf(kind: BuildKind): { files: Set<string>; dirs: Set<string> } {
  const files = new Set([BUILD_MARKER, ...kind.files]);
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  }
  return { files, dirs };
}

function isOwnFile(rel: string, files: Set<string>): boolean {
  return files.has(rel) || files.has(rel.replace(TEMP_SUFFIX, ""));
}

/**
 * Walks `dir` and returns its entries (relative paths, folders after their
 * contents) if they all belong to `kind`'s layout; otherwise the first
 * foreign entry. Only the layout's own folders are descended into.
 */
async function ownEntries(
  dir: string,
  kind: BuildKind,
): Promise<{ entries: string[]; foreign?: string }> {
  const { files, dirs } = layoutOf(kind);
  const entries: string[] = [];
  const walk = async (rel: string): Promise<string | undefined> => {
    const names: Deno.DirEntry[] = [];
    for await (const e of Deno.readDir(rel ? `${dir}/${rel}` : dir)) names.push(e);
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of names) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory && dirs.has(path)) {
        const foreign = await walk(path);
        if (foreign) return foreign;
        entries.push(path);
      } else if (e.isFile && isOwnFile(path, files)) {
        entries.push(path);
      } else {
        return e.isDirectory ? `${path}/` : path;
      }
    }
  };
  const foreign = await walk("");
  return foreign ? { entries, foreign } : { entries };
}

/** Whether git tracks any file in `abs` (false when git is missing or it is no checkout). */
async function gitTracked(abs: string): Promise<string | undefined> {
  let inside = false;
  for (let d = abs;; d = dirname(d)) {
    if (await lstatOrNull(`${d}/.git`)) {
      inside = true;
      break;
    }
    if (dirname(d) === d) break;
  }
  if (!inside) return undefined;
  try {
    const out = await new Deno.Command("git", {
      args: ["-C", abs, "ls-files", "-z", "--", "."],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return undefined;
    const first = new TextDecoder().decode(out.stdout).split("\0")[0];
    return first || undefined;
  } catch {
    return undefined; // no git, or no permission to run it: the layout check still applies
  }
}

/** Unfinished builds of ours left beside `out` by other (interrupted) runs. */
async function staleSiblings(out: string, kind: BuildKind): Promise<string[]> {
  const parent = dirname(out), prefix = `${basename(out)}.partial-`;
  const notes: string[] = [];
  try {
    for await (const e of Deno.readDir(parent)) {
      const pid = e.name.slice(prefix.length);
      if (!e.isDirectory || !e.name.startsWith(prefix) || !/^\d+$/.test(pid)) continue;
      if (Number(pid) === Deno.pid) continue;
      const path = join(parent, e.name);
      const build = await readBuildState(path);
      if (build.state === "unfinished" && build.task === kind.task) {
        notes.push(
          `note: kept ${path}: an unfinished ${kind.task} build of an interrupted run ` +
            `(delete it yourself once no build is running)`,
        );
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return notes.sort();
}

/**
 * Checks `--out` before a build does any work. Returns the plan when the
 * build may write there: the folder is missing or empty, or (with `force`)
 * it holds a finished or unfinished build of `kind` and nothing else. Throws
 * an {@link OutputDirError} with a one-line reason otherwise.
 */
export async function checkOutputDir(
  out: string,
  kind: BuildKind,
  force: boolean,
): Promise<OutputPlan> {
  const refuse = (why: string) => new OutputDirError(`${out}: ${why}`);
  if (out.trim() === "") throw new OutputDirError(`--out: expected a folder name, got ''`);
  const given = trimOut(out);
  const info = await lstatOrNull(given);
  const plan = async (state: OutputState): Promise<OutputPlan> => ({
    kind,
    out: given,
    force,
    state,
    notes: await staleSiblings(given, kind),
  });
  if (!info) return await plan("missing");
  if (info.isSymlink) {
    throw refuse("is a symbolic link; give the folder it points to as --out");
  }
  if (!info.isDirectory) throw refuse("exists and is not a folder");
  const abs = await Deno.realPath(given);
  const cwd = await Deno.realPath(Deno.cwd());
  if (abs === cwd) throw refuse("is the current folder; refusing to replace it");
  if (cwd.startsWith(abs.endsWith("/") ? abs : `${abs}/`)) {
    throw refuse("is a parent of the current folder; refusing to replace it");
  }
  if (await lstatOrNull(`${given}/.git`)) {
    throw refuse("is a git repository (it holds .git); refusing to replace it");
  }
  const names: string[] = [];
  for await (const e of Deno.readDir(given)) names.push(e.name);
  if (names.length === 0) return await plan("empty");
  const tracked = await gitTracked(abs);
  if (tracked) {
    throw refuse(`git tracks files in it (e.g. ${tracked}); refusing to replace it`);
  }
  const { foreign } = await ownEntries(given, kind);
  const source = [...names.sort(), foreign ?? ""].find((n) => SOURCE_FILE.test(n));
  if (source) throw refuse(`is a source folder (it holds ${source}); refusing to replace it`);
  const build = await readBuildState(given);
  if (build.state === "none") {
    throw refuse(
      `is not empty and was not built by ${kind.command} (no ${BUILD_MARKER}); ` +
        `refusing to replace it`,
    );
  }
  if (build.state === "invalid") {
    throw refuse(
      `${BUILD_MARKER} is not a build summary of ${kind.command}; refusing to replace it`,
    );
  }
  if (build.task !== kind.task) {
    throw refuse(`holds a ${build.task} build, not a ${kind.task} one; refusing to replace it`);
  }
  if (foreign) {
    throw refuse(
      `holds ${foreign}, which ${kind.command} did not write; ` +
        `move it away or choose another --out (nothing was deleted)`,
    );
  }
  if (!force) {
    throw refuse(
      `already exists and is not empty (use --force to replace this ${build.state} ` +
        `${kind.task} build)`,
    );
  }
  return await plan(build.state);
}

/**
 * Deletes a build of `kind` file by file: the unfinished marker first (so a
 * kill midway leaves an unfinished folder), then its own files, `build.json`
 * and its folders. Anything else makes it stop with an error, deleting nothing.
 */
async function removeBuild(dir: string, kind: BuildKind): Promise<void> {
  const { entries, foreign } = await ownEntries(dir, kind);
  if (foreign) {
    throw new OutputDirError(
      `${dir}: holds ${foreign}, which ${kind.command} did not write; nothing was deleted`,
    );
  }
  await writeJsonAtomic(`${dir}/${BUILD_MARKER}`, unfinishedMarker(kind));
  const { files } = layoutOf(kind);
  const isFile = (rel: string) => isOwnFile(rel, files) && rel !== BUILD_MARKER;
  for (const rel of entries) if (isFile(rel)) await Deno.remove(`${dir}/${rel}`);
  await Deno.remove(`${dir}/${BUILD_MARKER}`);
  for (const rel of entries) if (!isOwnFile(rel, files)) await Deno.remove(`${dir}/${rel}`);
  await Deno.remove(dir);
}

function unfinishedMarker(kind: BuildKind): Record<string, unknown> {
  return {
    task: kind.task,
    unfinished: true,
    note: `being written by ${kind.command} (pid ${Deno.pid}); unfinished if that run was killed`,
  };
}

/**
 * Writes a build: `fill` writes into a temporary sibling `<out>.partial-<pid>`
 * whose `build.json` starts as the unfinished marker and must end as the
 * builder's finished one; then `--out` is checked again, the old build (if
 * any) deleted file by file, and the new folder renamed into place. If
 * `fill` fails, the temporary folder is removed. If `--out` was taken while
 * the build ran, the finished build is kept in the temporary folder and the
 * error says where.
 */
export async function writeOutputDir(
  plan: OutputPlan,
  fill: (dir: string) => Promise<void>,
): Promise<void> {
  const { kind, out } = plan;
  const tmp = `${out}.partial-${Deno.pid}`;
  if (await lstatOrNull(tmp)) {
    const build = await readBuildState(tmp);
    if (build.state !== "unfinished" || build.task !== kind.task) {
      throw new OutputDirError(`${tmp}: exists and is not an unfinished ${kind.task} build`);
    }
    await removeBuild(tmp, kind);
  }
  await Deno.mkdir(tmp, { recursive: true });
  try {
    await writeJsonAtomic(`${tmp}/${BUILD_MARKER}`, unfinishedMarker(kind));
    await fill(tmp);
    const build = await readBuildState(tmp);
    if (build.state !== "finished" || build.task !== kind.task) {
      throw new Error(`${tmp}: the ${kind.task} builder did not write its ${BUILD_MARKER}`);
    }
    const { foreign } = await ownEntries(tmp, kind);
    if (foreign) throw new Error(`${tmp}: the ${kind.task} builder wrote undeclared ${foreign}`);
  } catch (err) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw err;
  }
  let now: OutputPlan;
  try {
    now = await checkOutputDir(out, kind, plan.force);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new OutputDirError(`${why}; the new build is kept in ${tmp}`);
  }
  if (now.state === "finished" || now.state === "unfinished") await removeBuild(out, kind);
  else if (now.state === "empty") await Deno.remove(out);
  await Deno.rename(tmp, out);
}
