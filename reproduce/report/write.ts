/**
 * Writes the report files of a run from its saved files: per task
 * `report.json`, `report.md`, `report.html`; at the top `summary.md` and
 * `index.html`. Used both at the end of `deno task reproduce` and by
 * `deno task report <run>` (which never retrains).
 * @module
 */
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { assertUnlocked, writeFileAtomic, writeJsonAtomic } from "../../io/mod.ts";
import { loadPaperFixtures, type PaperFixtures } from "../paper.ts";
import { buildTaskReport, readManifest, readTaskInputs } from "./build.ts";
import { analysesHtml, analysesMarkdown, readAnalyses } from "./analyses.ts";
import { indexHtml, taskHtml } from "./html.ts";
import { summaryMarkdown, taskMarkdown } from "./markdown.ts";
import { type Example, type TaskId, type TaskReport, TaskReportSchema } from "./schema.ts";

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** Whether `child` (absolute, normalised) lies strictly inside `parent` (absolute, normalised). */
function strictlyInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel !== "" && rel.split(/[\\/]/)[0] !== ".." && !isAbsolute(rel);
}

/** The real path of `path` (symlinks resolved), or undefined when it does not exist. */
async function realPathOf(path: string): Promise<string | undefined> {
  try {
    return await Deno.realPath(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}

/**
 * Checks that the run folder `dir` lies inside the runs' folder `root`
 * (`--reports`), before anything is read or written: both are normalised
 * (`a/../b`, `./x`, absolute or relative spellings), `dir` must be strictly
 * below `root`, and the deepest part of `dir` that exists must resolve (through
 * symlinks) inside the real `root`. Throws one line starting with `what` (e.g.
 * `--resume '../x'`); returns `dir` normalised (absolute).
 */
export async function checkRunInside(root: string, dir: string, what: string): Promise<string> {
  if (root.trim() === "") throw new Error(`${what}: the runs' folder (--reports) is empty`);
  const absRoot = resolve(root);
  const absDir = resolve(dir);
  if (!strictlyInside(absRoot, absDir)) {
    throw new Error(
      `${what}: the run folder ${absDir} is not inside the runs' folder ${absRoot} ` +
        `(--reports); give a run name, or a path inside that folder`,
    );
  }
  const realRoot = await realPathOf(absRoot);
  if (realRoot === undefined) return absDir; // nothing below a missing root exists yet
  for (let p = absDir; strictlyInside(absRoot, p); p = dirname(p)) {
    const real = await realPathOf(p);
    if (real === undefined) continue;
    if (!strictlyInside(realRoot, real)) {
      throw new Error(
        `${what}: ${p} leads to ${real}, outside the runs' folder ${realRoot} (--reports); ` +
          `refusing to write there`,
      );
    }
    break;
  }
  return absDir;
}

/** Builds and writes one task's three report files; returns the report. */
export async function writeTaskReport(
  runDir: string,
  task: TaskId,
  paper?: PaperFixtures,
): Promise<TaskReport> {
  paper ??= await loadPaperFixtures();
  const manifest = await readManifest(runDir);
  const inputs = await readTaskInputs(runDir, manifest, task);
  const dir = join(runDir, task);
  const built = buildTaskReport(inputs, paper);
  const analyses = await readAnalyses(dir, [...inputs.results.keys()]);
  const report = TaskReportSchema.parse(analyses.length ? { ...built, analyses } : built);
  const examples = new Map<string, Example[]>();
  for (const [id, r] of inputs.results) examples.set(id, r.examples);
  await writeJsonAtomic(join(dir, "report.json"), report);
  await writeFileAtomic(
    join(dir, "report.md"),
    taskMarkdown(report, paper) + analysesMarkdown(analyses, paper),
  );
  const html = await taskHtml(report, examples, paper);
  await writeFileAtomic(
    join(dir, "report.html"),
    html.replace(/\n<\/body>/, () => `\n${analysesHtml(analyses, paper)}\n</body>`),
  );
  return report;
}

/** Checks `deno task report` makes before rebuilding (none by default). */
export interface RunReportsOptions {
  /**
   * The runs' folder (`--reports`): the run folder must lie inside it
   * ({@link checkRunInside}), else the rebuild is refused before anything is read.
   */
  reportsDir?: string;
  /** How the refusals name the run (default: the run folder). */
  what?: string;
  /** Refuse (one line naming the owner) while a live process holds the run folder's lock. */
  refuseLocked?: boolean;
}

/**
 * Rebuilds every report of a run: each task of `run.json` that has a
 * `task.json` (tasks never started are left out of the tables as not run).
 */
export async function writeRunReports(
  runDir: string,
  opts: RunReportsOptions = {},
): Promise<TaskReport[]> {
  const what = opts.what ?? runDir;
  if (opts.reportsDir !== undefined) await checkRunInside(opts.reportsDir, runDir, what);
  if (opts.refuseLocked) await assertUnlocked(runDir, "rebuild its reports");
  if (!await isFile(join(runDir, "run.json"))) {
    throw new Error(`${runDir}: not a reproduce run folder (no run.json)`);
  }
  const paper = await loadPaperFixtures();
  const manifest = await readManifest(runDir);
  const reports: TaskReport[] = [];
  for (const task of manifest.tasks) {
    if (!await isFile(join(runDir, task, "task.json"))) continue;
    reports.push(await writeTaskReport(runDir, task, paper));
  }
  await writeFileAtomic(
    join(runDir, "summary.md"),
    summaryMarkdown(manifest.run, manifest.profile, reports, paper),
  );
  await writeFileAtomic(
    join(runDir, "index.html"),
    indexHtml(manifest.run, manifest.profile, reports, paper),
  );
  return reports;
}
