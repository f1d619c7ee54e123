/**
 * reproduce/ knows no task by name: scoring, example pictures and the
 * headline metric come from `getTask(plan.taskModule)`, so that a new
 * benchmark is one new folder under tasks/. This scans the non-test sources
 * of reproduce/ for the two ways per-task knowledge crept in before: a
 * comparison (or `case`) with a task or benchmark name, and an import from a
 * task's own folder instead of tasks/registry.ts.
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { listTasks } from "../tasks/registry.ts";
import { TASK_IDS } from "./report/schema.ts";

const ROOT = dirname(fileURLToPath(import.meta.url));

async function sourceFiles(dir: string, out: string[] = []): Promise<string[]> {
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) await sourceFiles(path, out);
    else if (e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) out.push(path);
  }
  return out.sort();
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The lines of `source` that branch on one of `names` or import a task's own
 * folder (one of `folders` under tasks/), as `line: text`.
 */
export function perTaskBranches(
  source: string,
  names: readonly string[],
  folders: readonly string[],
): string[] {
  const quoted = names.flatMap((n) => ['"', "'", "`"].map((q) => `${q}${escape(n)}${q}`));
  const name = `(?:${quoted.join("|")})`;
  const compare = new RegExp(
    `(?:[!=]==?\\s*${name})|(?:${name}\\s*[!=]==?)|(?:\\bcase\\s+${name})`,
  );
  const ownFolder = new RegExp(`["'](?:\\.\\./)+tasks/(?:${folders.map(escape).join("|")})/`);
  return source.split("\n").flatMap((text, i) =>
    compare.test(text) || ownFolder.test(text) ? [`${i + 1}: ${text.trim()}`] : []
  );
}

const TASK_NAMES = listTasks().map((t) => t.name);

Deno.test("reproduce/ has no per-task branch and imports tasks only through the registry", async () => {
  const names = [...TASK_NAMES, ...TASK_IDS];
  const found: string[] = [];
  for (const file of await sourceFiles(ROOT)) {
    const text = await Deno.readTextFile(file);
    for (const hit of perTaskBranches(text, names, TASK_NAMES)) {
      found.push(`reproduce/${relative(ROOT, file)}:${hit}`);
    }
  }
  assert.deepEqual(found, []);
});

Deno.test("the per-task scan catches a comparison, a case and a task-folder import", () => {
  const source = [
    'import { x } from "../tasks/registry.ts";',
    'const headline = plan.taskModule === "arc" ? "pass@2" : "exact_accuracy";',
    "if ('maze' !== t) return;",
    "switch (task) { case `sudoku`: break; }",
    'import { renderMazeSvg } from "../../tasks/maze/mod.ts";',
    'const plan = smallPlan("cpu", "arc1", "arc", args);',
  ].join("\n");
  assert.deepEqual(perTaskBranches(source, [...TASK_NAMES, ...TASK_IDS], TASK_NAMES), [
    '2: const headline = plan.taskModule === "arc" ? "pass@2" : "exact_accuracy";',
    "3: if ('maze' !== t) return;",
    "4: switch (task) { case `sudoku`: break; }",
    '5: import { renderMazeSvg } from "../../tasks/maze/mod.ts";',
  ]);
});
