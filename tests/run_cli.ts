/**
 * Runs one of the repository's command-line scripts in a scratch folder, the
 * way `deno task` would (the repository's `deno.json`, `-A`, no colours), for
 * the end-to-end tests that drive `reproduce` and `sweep` from outside.
 * @module
 */
import assert from "node:assert/strict";
import { basename, join } from "node:path";

/** The repository root. */
export const ROOT: string = new URL("..", import.meta.url).pathname;

/**
 * Runs `script` (relative to the repository root, e.g. `cli/reproduce.ts`)
 * with `args` in `cwd`; fails the test with its whole output unless it exits
 * 0, and returns stdout followed by stderr.
 */
export async function runCliOk(script: string, args: string[], cwd: string): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", join(ROOT, "deno.json"), join(ROOT, script), ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `${basename(script, ".ts")} failed:\n${text}`);
  return text;
}
