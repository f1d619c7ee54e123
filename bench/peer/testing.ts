/**
 * Runs a PyTorch peer script for the peer tests.
 * @module
 */

/** What a peer's `--check` prints (`ema_max_rel_diff` and `parameters`: the TRM peer only). */
export interface PeerCheck {
  eval_max_rel_diff: number;
  train_max_rel_diff: number;
  ema_max_rel_diff?: number;
  parameters?: number;
  ok: boolean;
}
import assert from "node:assert/strict";

/**
 * Runs `python script ...args`; fails the test with the script's stderr unless
 * it exits 0, and returns the JSON object it printed on stdout (as `T`: the
 * fields the caller reads).
 */
export async function runPeerJson<T>(python: string, script: string, args: string[]): Promise<T> {
  const out = await new Deno.Command(python, {
    args: [script, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout)) as T;
}
