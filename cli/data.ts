/**
 * `deno task data <task> ...`, `deno task data verify DIR [--all]` and each
 * task's extra commands (e.g. `sudoku-rate`), routed through the task registry.
 * @module
 */
import { getTask, listTasks, readMetadata, type Task } from "../tasks/mod.ts";
import { runCli } from "../util/mod.ts";

function usage(): string {
  const tasks = listTasks();
  const extra = tasks.flatMap((t) => Object.keys(t.commands ?? {}));
  return [
    "usage: deno task data <command> [options]",
    `  <task> ...          build a dataset; tasks: ${tasks.map((t) => t.name).join(", ")}`,
    "  verify DIR [--all]  re-check a built dataset folder",
    ...extra.map((c) => `  ${c} ...`),
    "run `deno task data <task> --help` for a task's options",
  ].join("\n");
}

/** Finds which task built `dir`: its build.json, its compact marker, or its shapes. */
export async function detectTask(dir: string): Promise<Task> {
  try {
    const build = JSON.parse(await Deno.readTextFile(`${dir}/build.json`));
    if (typeof build?.task === "string") return getTask(build.task);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound) && !(err instanceof SyntaxError)) throw err;
  }
  for (const task of listTasks()) {
    if (task.isCompact && await task.isCompact(dir)) return task;
  }
  const meta = await readMetadata(dir, "train");
  const matches = listTasks().filter((t) => t.recognises?.(meta));
  if (matches.length === 1) return matches[0];
  throw new Error(
    `${dir}: cannot tell which task built it (seq_len ${meta.seq_len}, vocab ${meta.vocab_size})`,
  );
}

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (!command || command === "--help" || command === "-h") {
    console.log(usage());
    return command ? 0 : 1;
  }
  if (command === "verify") {
    const dir = rest.find((a) => !a.startsWith("--"));
    if (!dir) throw new Error("verify needs a dataset folder: deno task data verify DIR [--all]");
    const task = await detectTask(dir);
    const report = await task.verify(dir, { all: rest.includes("--all") });
    for (const line of report.lines) console.log(line);
    console.log(`verify ${dir}: task=${task.name} ${report.ok ? "OK" : "FAILED"}`);
    return report.ok ? 0 : 1;
  }
  for (const task of listTasks()) {
    const extra = task.commands?.[command];
    if (extra) {
      await extra(rest);
      return 0;
    }
  }
  await getTask(command).build(rest);
  return 0;
}

if (import.meta.main) {
  await runCli(() => main(Deno.args));
}
