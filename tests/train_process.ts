/**
 * Drives `deno task train` as a child process for the kill-and-resume tests:
 * start it, wait for its output, or SIGKILL it as soon as it has written a
 * checkpoint.
 * @module
 */
import { readCheckpointMeta } from "../train/checkpoint.ts";

const script = new URL("../cli/train.ts", import.meta.url).pathname;

/** Starts `cli/train.ts` with `argv` (`-A`, no colours), stdout and stderr piped. */
export function train(argv: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...argv],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
}

/** Waits for `p`; its exit code and stdout followed by stderr. */
export async function finish(p: Deno.ChildProcess): Promise<{ code: number; out: string }> {
  const r = await p.output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

/**
 * Kills `victim` with SIGKILL as soon as the checkpoint `ckpt` can be read
 * (polled every 25 ms, for 30 s at the most), and waits for it to end. Returns
 * the checkpoint's step (-1 when none appeared) and the process's status.
 */
export async function killAtCheckpoint(
  victim: Deno.ChildProcess,
  ckpt: string,
): Promise<{ killedAt: number; status: Deno.CommandStatus }> {
  let killedAt = -1;
  for (let i = 0; i < 1200 && killedAt < 0; i++) {
    await new Promise((r) => setTimeout(r, 25));
    const meta = await readCheckpointMeta(ckpt).catch(() => undefined);
    if (meta) {
      victim.kill("SIGKILL");
      killedAt = meta.step;
    }
  }
  const status = await victim.status;
  await victim.stdout.cancel();
  await victim.stderr.cancel();
  return { killedAt, status };
}
