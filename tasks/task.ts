/**
 * The one interface every benchmark task implements, and the registry that
 * finds them by name (as lm-evaluation-harness does: `unknown task 'x',
 * available: ...`).
 * @module
 */
import type { PuzzleSplit, SplitName } from "./dataset.ts";

/** What `deno task data verify` prints about a folder. */
export interface VerifyReport {
  ok: boolean;
  /** Human-readable lines (counts, rating/path-length summaries, problems). */
  lines: string[];
}

/** A benchmark task: builds its data, verifies it, and reads its compact form. */
export interface Task {
  /** Registry name, e.g. `sudoku`, `maze`, `arc`. */
  readonly name: string;
  /** One line for `--help` listings. */
  readonly description: string;
  /** Runs `deno task data <name> ...` with the arguments after the name. */
  build(args: string[]): Promise<void>;
  /** Re-checks a built folder (`deno task data verify DIR`). */
  verify(dir: string, options: { all?: boolean }): Promise<VerifyReport>;
  /** True when `dir` holds this task's compact (lazily augmented) form. */
  isCompact?(dir: string): Promise<boolean>;
  /** Opens a split of this task's compact form behind the common dataset interface. */
  openCompact?(dir: string, split: SplitName): Promise<PuzzleSplit>;
  /** True when a built folder in the reference layout looks like this task's data. */
  recognises?(meta: { seq_len: number; vocab_size: number }): boolean;
  /** Extra `deno task data <command>` entries this task owns (e.g. `sudoku-rate`). */
  readonly commands?: Readonly<Record<string, (args: string[]) => Promise<void>>>;
}

const registry = new Map<string, Task>();

/** Adds a task to the registry (each task module calls this once). */
export function registerTask(task: Task): void {
  if (registry.has(task.name)) throw new Error(`task '${task.name}' registered twice`);
  registry.set(task.name, task);
}

/** Looks a task up by name, with the list of available ones on failure. */
export function getTask(name: string): Task {
  const task = registry.get(name);
  if (!task) {
    throw new Error(`unknown task '${name}', available: ${[...registry.keys()].sort().join(", ")}`);
  }
  return task;
}

/** All registered tasks, sorted by name. */
export function listTasks(): Task[] {
  return [...registry.values()].sort((a, b) => a.name.localeCompare(b.name));
}
