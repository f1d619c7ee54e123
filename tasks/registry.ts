/**
 * The one public lookup of tasks by name (as lm-evaluation-harness does:
 * `unknown task 'x', available: ...`). Importing it imports every task module,
 * so that each has registered itself; use it (not the task modules one by
 * one) wherever tasks are looked up by name.
 * @module
 */
import "./arc/mod.ts";
import "./maze/mod.ts";
import "./sudoku/mod.ts";
import { registeredTasks, type Task } from "./task.ts";

export type { Task };

/** Looks a task up by name, with the list of available ones on failure. */
export function getTask(name: string): Task {
  const task = registeredTasks().get(name);
  if (!task) {
    const available = [...registeredTasks().keys()].sort().join(", ");
    throw new Error(`unknown task '${name}', available: ${available}`);
  }
  return task;
}

/** All registered tasks, sorted by name. */
export function listTasks(): Task[] {
  return [...registeredTasks().values()].sort((a, b) => a.name.localeCompare(b.name));
}
