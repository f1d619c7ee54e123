/**
 * `deno task report <run>`: rebuilds a run's reports from its saved files
 * (metrics.jsonl, result.json, task.json, run.json) without retraining.
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { join } from "node:path";
import { writeRunReports } from "../reproduce/mod.ts";
import { runCli } from "../util/mod.ts";

const program = new Command()
  .name("deno task report")
  .description(
    "Rebuild reports/<run>/ (report.json/md/html per task, summary.md, index.html) from saved metrics",
  )
  .argument("<run>", "run name under --reports, or a path to a run folder")
  .option("--reports <dir>", "folder that holds the runs", "reports")
  .action(async (run, opts) => {
    let dir = join(opts.reports, run);
    try {
      await Deno.stat(dir);
    } catch {
      dir = run;
    }
    const reports = await writeRunReports(dir);
    console.log(`rebuilt ${reports.length} task report(s) in ${dir}`);
    console.log(`open ${join(dir, "index.html")} or read ${join(dir, "summary.md")}`);
  });

if (import.meta.main) {
  await runCli(() => program.parseAsync(Deno.args, { from: "user" }));
}
