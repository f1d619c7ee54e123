/**
 * Progress for long work, shared by every area (tasks, train, benchmarks): a
 * cli-progress bar when the output stream is a terminal, and a plain line every
 * few seconds (plus one at the end) when it is not (CI logs, pipes), so a log
 * always shows the run is alive. This module sits at the bottom layer: it
 * imports nothing from the project.
 *
 * ```ts
 * const p = new Progress({ total: 1000, label: "train" });
 * for (let i = 1; i <= 1000; i++) p.update(i, { loss: 0.5 });
 * p.stop();
 * ```
 * @module
 */
import cliProgress from "cli-progress";

/** Options of a {@link Progress}. */
export interface ProgressOptions {
  total: number;
  /** Shown before the bar / at the start of each plain line. */
  label: string;
  /** Print nothing at all (library use, `--quiet`). */
  quiet?: boolean;
  /**
   * Report on stderr instead of stdout (builds that keep stdout for their
   * summary). Decides both the stream and which stream's TTY-ness counts.
   */
  stderr?: boolean;
  /** Force the terminal bar (true) or plain lines (false); default: the stream is a TTY. */
  tty?: boolean;
  /** Seconds between plain lines (default 5). */
  intervalS?: number;
  /**
   * Off a terminal, also print a line every this many seconds even without
   * updates (long jobs whose units finish rarely); default: no heartbeat.
   */
  heartbeatS?: number;
  /** Where plain lines go (default console.log, or console.error with `stderr`). */
  write?: (line: string) => void;
}

/** Formats seconds as `1h02m`, `3m05s` or `12s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s >= 3600) {
    return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, "0")}m`;
  }
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

function formatInfo(info: Record<string, string | number>): string {
  return Object.entries(info).map(([k, v]) => `${k} ${typeof v === "number" ? formatNumber(v) : v}`)
    .join("  ");
}

/** Numbers in 4 significant digits (integers as is). */
export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(3);
  return v.toPrecision(4);
}

/** A progress display: terminal bar or periodic plain lines. */
export class Progress {
  private readonly bar?: cliProgress.SingleBar;
  private readonly start = performance.now();
  private lastLine = -Infinity;
  private current = 0;
  private info: Record<string, string | number> = {};
  private stopped = false;
  private readonly timer?: ReturnType<typeof setInterval>;

  constructor(private readonly opts: ProgressOptions) {
    if (opts.quiet) return;
    const stream = opts.stderr ? Deno.stderr : Deno.stdout;
    const tty = opts.tty ?? stream.isTerminal();
    if (tty) {
      this.bar = new cliProgress.SingleBar({
        format:
          `${opts.label} [{bar}] {percentage}% | {value}/{total} | eta {eta_formatted} | {info}`,
        hideCursor: true,
        etaBuffer: 50,
        stream: opts.stderr ? process.stderr : process.stdout,
      }, cliProgress.Presets.shades_classic);
      this.bar.start(opts.total, 0, { info: "" });
    } else if (opts.heartbeatS) {
      this.timer = setInterval(() => {
        if (performance.now() - this.lastLine >= opts.heartbeatS! * 1000) this.printLine();
      }, opts.heartbeatS * 1000);
      // A heartbeat must not keep the process alive on its own.
      Deno.unrefTimer(this.timer);
    }
  }

  /** A display that prints nothing (tests, library use). */
  static silent(): Progress {
    return new Progress({ total: 0, label: "", quiet: true });
  }

  /** Moves to `current` of `total`, with optional named values (loss, accuracy, ...). */
  update(current: number, info?: Record<string, string | number>): void {
    this.current = current;
    if (info) this.info = info;
    if (this.opts.quiet || this.stopped) return;
    if (this.bar) {
      this.bar.update(current, { info: formatInfo(this.info) });
      return;
    }
    const now = performance.now();
    if (now - this.lastLine >= (this.opts.intervalS ?? 5) * 1000) this.printLine();
  }

  /** Adds `n` finished units (capped at the total). */
  add(n: number, info?: Record<string, string | number>): void {
    this.update(Math.min(this.opts.total, this.current + n), info);
  }

  /** Changes the total (when it is known only after starting). */
  setTotal(total: number): void {
    this.opts.total = total;
    this.bar?.setTotal(total);
  }

  /** Prints a message above the bar (or as a plain line). */
  log(message: string): void {
    if (this.opts.quiet) return;
    if (this.bar) {
      // cli-progress redraws on the next update; clear the line first.
      const stream = this.opts.stderr ? Deno.stderr : Deno.stdout;
      stream.writeSync(new TextEncoder().encode("\r\x1b[2K"));
      (this.opts.stderr ? console.error : console.log)(message);
      this.bar.update(this.current, { info: formatInfo(this.info) });
    } else this.emit(message);
  }

  /** Ends the display (a final plain line off a terminal). Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    if (this.opts.quiet) return;
    if (this.bar) this.bar.stop();
    else this.printLine();
  }

  private emit(line: string): void {
    (this.opts.write ?? (this.opts.stderr ? console.error : console.log))(line);
  }

  private printLine(): void {
    this.lastLine = performance.now();
    const { total, label } = this.opts;
    const elapsed = (performance.now() - this.start) / 1000;
    const pct = total > 0 ? (100 * this.current / total).toFixed(1) : "100.0";
    const rate = this.current > 0 ? elapsed / this.current : NaN;
    const eta = formatDuration(rate * (total - this.current));
    const info = formatInfo(this.info);
    this.emit(
      `${label}: ${this.current}/${total} (${pct}%) elapsed ${formatDuration(elapsed)} eta ${eta}` +
        (info ? `  ${info}` : ""),
    );
  }
}
