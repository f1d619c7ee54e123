/**
 * `deno task report <run>`: rebuilds a run's reports from its saved files
 * (metrics.jsonl, result.json, task.json, run.json) without retraining. The
 * run folder must lie inside `--reports` (checked before anything is read or
 * written), and a run whose writer (`deno task reproduce`) still holds its
 * lock is refused.
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { join } from "node:path";
import { writeRunReports } from "../reproduce/mod.ts";
import { runCli } from "../util/mod.ts";

/**
 * A bare name (no separator, not `.` or `..`) names a run under `--reports`;
 * anything else is a path, which the rebuild checks lies inside `--reports`.
 */
function runFolder(reports: string, run: string): string {
  const path = /[\\/]/.test(run) || run === "." || run === "..";
  return path ? run : join(reports, run);
}

const program = new Command()
  .name("deno task report")
  .description(
    "Rebuild reports/<run>/ (report.json/md/html per task, summary.md, index.html) from saved metrics",
  )
  .argument("<run>", "run name under --reports, or a path to a run folder inside --reports")
  .option("--reports <dir>", "folder that holds the runs", "reports")
  .action(async (run, opts) => {
    const dir = runFolder(opts.reports, run);
    const reports = await writeRunReports(dir, {
      reportsDir: opts.reports,
      what: `run '${run}'`,
      refuseLocked: true,
    });
    console.log(`rebuilt ${reports.length} task report(s) in ${dir}`);
    console.log(`open ${join(dir, "index.html")} or read ${join(dir, "summary.md")}`);
  });

if (import.meta.main) {
  await runCli(() => program.parseAsync(Deno.args, { from: "user" }));
}
