/**
 * Progress for long builds: a cli-progress bar on a terminal, a plain line
 * every few seconds otherwise (CI logs), both on stderr so stdout keeps the summary.
 * @module
 */
import cliProgress from "cli-progress";

/** A progress reporter for one phase. */
export interface Progress {
  /** Sets the count done so far. */
  update(done: number): void;
  /** Ends the phase (final line / bar stop). */
  stop(): void;
}

/** A reporter that prints nothing (tests, library use). */
export const silentProgress = (): Progress => ({ update() {}, stop() {} });

/** Progress for `total` units of work labelled `label`. */
export function createProgress(label: string, total: number, everyMs = 5000): Progress {
  if (Deno.stderr.isTerminal()) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} {eta_formatted}`, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return { update: (d) => bar.update(d), stop: () => bar.stop() };
  }
  const start = Date.now();
  let last = start, done = 0;
  const line = () =>
    console.error(`${label}: ${done}/${total} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
  return {
    update(d) {
      done = d;
      const now = Date.now();
      if (now - last >= everyMs) {
        last = now;
        line();
      }
    },
    stop: line,
  };
}
