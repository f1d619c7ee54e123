/**
 * Standalone entry of the Sudoku data commands:
 * `deno run -A cli/data_sudoku.ts build|rate|verify|render ...`
 * (the same code `deno task data sudoku|sudoku-rate|verify` routes to).
 * @module
 */
import { buildCommand, rateCommand, renderCommand, verifyCommand } from "../tasks/sudoku/mod.ts";
import { runCli } from "../util/mod.ts";

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case "build":
      await buildCommand(rest);
      return 0;
    case "rate":
      await rateCommand(rest);
      return 0;
    case "render":
      await renderCommand(rest);
      return 0;
    case "verify":
      return (await verifyCommand(rest)) ? 0 : 1;
    default:
      console.error("usage: deno run -A cli/data_sudoku.ts build|rate|verify|render ...");
      return 1;
  }
}

if (import.meta.main) {
  await runCli(() => main(Deno.args));
}
