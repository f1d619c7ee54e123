/**
 * Progress for long builds: a cli-progress bar on a terminal, a plain line
 * every ~5 s otherwise (CI logs).
 * @module
 */
import cliProgress from "cli-progress";

/** A counter with a bar or periodic lines. */
export class Progress {
  #bar: cliProgress.SingleBar | null = null;
  #done = 0;
  #last = 0;
  #start = performance.now();
  constructor(readonly label: string, readonly total: number) {
    if (Deno.stdout.isTerminal()) {
      this.#bar = new cliProgress.SingleBar({
        format: `${label} [{bar}] {value}/{total} puzzles | {rate}/s | eta {eta_formatted}`,
        hideCursor: true,
      }, cliProgress.Presets.shades_classic);
      this.#bar.start(total, 0, { rate: "0.0" });
    } else {
      console.log(`${label}: 0/${total}`);
      // A line every ~30 s even while a long job has nothing new to report.
      this.#timer = setInterval(() => this.add(0), 30_000);
    }
  }
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Adds `n` finished units. */
  add(n: number): void {
    this.#done = Math.min(this.total, this.#done + n);
    const secs = (performance.now() - this.#start) / 1000;
    const rate = secs > 0 ? (this.#done / secs).toFixed(2) : "0.00";
    if (this.#bar) {
      this.#bar.update(this.#done, { rate });
    } else if (performance.now() - this.#last > (n ? 5000 : 29_000) || this.#done >= this.total) {
      this.#last = performance.now();
      console.log(`${this.label}: ${this.#done}/${this.total} (${rate}/s, ${secs.toFixed(0)} s)`);
    }
  }
  /** Ends the bar. */
  stop(): void {
    this.#bar?.stop();
    clearInterval(this.#timer);
  }
}
