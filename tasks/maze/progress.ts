/**
 * Progress display for long builds: a cli-progress bar on a terminal, a plain
 * line every few seconds otherwise (CI logs), nothing when quiet.
 * @module
 */
import cliProgress from "cli-progress";

/** A progress reporter for `total` units. */
export interface Progress {
  update(done: number): void;
  stop(): void;
}

/** Creates a progress reporter; `label` prefixes the plain lines. */
export function startProgress(label: string, total: number, quiet = false): Progress {
  if (quiet || total === 0) return { update() {}, stop() {} };
  if (Deno.stdout.isTerminal()) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} {percentage}% eta {eta}s`, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return {
      update: (done) => bar.update(done),
      stop: () => bar.stop(),
    };
  }
  const t0 = performance.now();
  let last = t0;
  return {
    update(done) {
      const now = performance.now();
      if (now - last < 5000 && done < total) return;
      last = now;
      console.log(`${label}: ${done}/${total} (${((now - t0) / 1000).toFixed(0)} s)`);
    },
    stop() {},
  };
}
