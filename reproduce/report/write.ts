/**
 * Writes the report files of a run from its saved files: per task
 * `report.json`, `report.md`, `report.html`; at the top `summary.md` and
 * `index.html`. Used both at the end of `deno task reproduce` and by
 * `deno task report <run>` (which never retrains).
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../../io/mod.ts";
import { loadPaperFixtures, type PaperFixtures } from "../paper.ts";
import { buildTaskReport, readManifest, readTaskInputs } from "./build.ts";
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

/** Builds and writes one task's three report files; returns the report. */
export async function writeTaskReport(
  runDir: string,
  task: TaskId,
  paper?: PaperFixtures,
): Promise<TaskReport> {
  paper ??= await loadPaperFixtures();
  const manifest = await readManifest(runDir);
  const inputs = await readTaskInputs(runDir, manifest, task);
  const report = TaskReportSchema.parse(buildTaskReport(inputs, paper));
  const dir = join(runDir, task);
  const examples = new Map<string, Example[]>();
  for (const [id, r] of inputs.results) examples.set(id, r.examples);
  await writeJsonAtomic(join(dir, "report.json"), report);
  await writeFileAtomic(join(dir, "report.md"), taskMarkdown(report, paper));
  await writeFileAtomic(join(dir, "report.html"), await taskHtml(report, examples, paper));
  return report;
}

/**
 * Rebuilds every report of a run: each task of `run.json` that has a
 * `task.json` (tasks never started are left out of the tables as not run).
 */
export async function writeRunReports(runDir: string): Promise<TaskReport[]> {
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
