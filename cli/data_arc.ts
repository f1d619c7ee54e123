/**
 * Standalone entry for the ARC data commands (the shared `cli/data.ts`
 * dispatcher reaches the same code through the task registry):
 *
 *   deno run -A cli/data_arc.ts --source DIR --preset arc1 --aug 1000 --out data/arc1
 *   deno run -A cli/data_arc.ts verify DIR [--all]
 * @module
 */
import { runBuildCli, verifyArc } from "../tasks/arc/mod.ts";
import { runCli } from "../util/mod.ts";

async function main(args: string[]): Promise<number> {
  if (args[0] === "verify") {
    const dir = args.slice(1).find((a) => !a.startsWith("--"));
    if (!dir) throw new Error("verify needs a dataset folder: data_arc.ts verify DIR [--all]");
    const report = await verifyArc(dir, { all: args.includes("--all") });
    for (const line of report.lines) console.log(line);
    console.log(`verify ${dir}: task=arc ${report.ok ? "OK" : "FAILED"}`);
    return report.ok ? 0 : 1;
  }
  await runBuildCli(args[0] === "build" ? args.slice(1) : args);
  return 0;
}

if (import.meta.main) {
  await runCli(() => main(Deno.args));
}
