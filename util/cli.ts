/**
 * The common tail of every command-line entry point: run `main`, and turn a
 * thrown error into one line `error: <message>` on stderr and exit status 1
 * (user mistakes never show a stack trace).
 * @module
 */
import { CommanderError } from "@commander-js/extra-typings";

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

/** The part of a commander `Command` that {@link parseCli} uses. */
export interface ParsableCommand {
  exitOverride(): unknown;
  configureOutput(o: { writeErr?: (s: string) => void; outputError?: () => void }): unknown;
  parse(args: string[], o: { from: "user" }): unknown;
}

/**
 * Parses `args` (user arguments) without letting commander print or exit:
 * returns false when `--help` (or `--version`) was shown, true when parsed,
 * and throws a plain Error with commander's message (minus its `error: `
 * prefix, which the entry point adds back) for a usage mistake.
 */
export function parseCli(cmd: ParsableCommand, args: string[]): boolean {
  cmd.exitOverride();
  cmd.configureOutput({ writeErr: () => {}, outputError: () => {} });
  try {
    cmd.parse(args, { from: "user" });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    if (err.exitCode === 0) return false;
    throw new Error(err.message.replace(/^error: /, ""));
  }
  return true;
}
