/**
 * The common tail of every command-line entry point: run `main`, and turn a
 * thrown error into one line `error: <message>` on stderr and exit status 1
 * (user mistakes never show a stack trace).
 * @module
 */

/** Message of anything thrown (`Error` or not). */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /**
   * Exit with status 0 when `main` returns nothing (for scripts whose workers or
   * tfjs handles would otherwise keep the process alive after the work is done).
   */
  exitOnSuccess?: boolean;
}

/**
 * Runs `main` (awaiting what it returns). A number it returns becomes the exit
 * status; anything else lets the process end on its own (or exits 0 with `exitOnSuccess`). A throw
 * prints `error: <message>` and exits 1.
 */
export async function runCli(
  main: () => unknown,
  opts: RunCliOptions = {},
): Promise<void> {
  let code: unknown;
  try {
    code = await main();
  } catch (err) {
    console.error(`error: ${errorMessage(err)}`);
    Deno.exit(1);
  }
  if (typeof code === "number") Deno.exit(code);
  if (opts.exitOnSuccess) Deno.exit(0);
}
