/**
 * `<run_dir>/metrics.jsonl`: one JSON object per line, appended with a single
 * write each (a killed run leaves whole lines). A resumed run first cuts the
 * file back to the line count its checkpoint recorded, so lines written after
 * that checkpoint by the interrupted run are replaced, not duplicated.
 *
 * Train lines: `{"kind":"train","step","epoch","lr","puzzle_emb_lr","loss",
 * "lm_loss","q_halt_loss","q_continue_loss","count","accuracy",
 * "exact_accuracy","q_halt_accuracy","steps","steps_per_s","examples_per_s",
 * "elapsed_s","backend"}`; eval lines: `{"kind":"eval","step","epoch","set",
 * "count","accuracy","exact_accuracy","q_halt_accuracy","steps","lm_loss",
 * "q_halt_loss","eval_s","backend"}`.
 *
 * Durability: the cut-back on resume replaces the file atomically (a kill
 * during it leaves the old file whole), and {@link MetricsLog.sync} (called
 * before every checkpoint and at close) fsyncs the file, so a checkpoint never
 * records lines that a power loss could take back.
 * @module
 */
import { writeFileAtomic } from "../io/mod.ts";

/** Fields that measure time; everything else repeats exactly for a given seed and backend. */
export const TIMING_FIELDS = ["steps_per_s", "examples_per_s", "elapsed_s", "eval_s"] as const;

/** One metrics record. */
export type MetricsRecord = Record<string, string | number | boolean | null>;

/** Appends records to a `.jsonl` file. */
export class MetricsLog {
  private file: Deno.FsFile;
  private lines: number;

  private constructor(file: Deno.FsFile, lines: number, readonly path: string) {
    this.file = file;
    this.lines = lines;
  }

  /**
   * Opens `path` for appending. `keepLines`: undefined starts a fresh file;
   * a number keeps that many existing lines (resume) and drops the rest.
   */
  static async open(path: string, keepLines?: number): Promise<MetricsLog> {
    let lines = 0;
    if (keepLines !== undefined) {
      let text = "";
      try {
        text = await Deno.readTextFile(path);
      } catch (err) {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      }
      const all = text.split("\n").filter((l) => l.length > 0);
      if (all.length < keepLines) {
        throw new Error(
          `${path}: has ${all.length} lines but the checkpoint recorded ${keepLines}; ` +
            `was the file replaced?`,
        );
      }
      const kept = all.slice(0, keepLines);
      const keptText = kept.map((l) => l + "\n").join("");
      if (keptText !== text) await writeFileAtomic(path, keptText, { durable: true });
      lines = kept.length;
    } else {
      await writeFileAtomic(path, "", { durable: true });
    }
    const file = await Deno.open(path, { append: true, create: true });
    return new MetricsLog(file, lines, path);
  }

  /** Lines written so far (saved in checkpoints). */
  get lineCount(): number {
    return this.lines;
  }

  /** Appends one record as one line (a single write call). */
  write(record: MetricsRecord): void {
    const bytes = new TextEncoder().encode(JSON.stringify(record) + "\n");
    let off = 0;
    while (off < bytes.length) off += this.file.writeSync(bytes.subarray(off));
    this.lines++;
  }

  /** fsyncs the lines written so far (before a checkpoint records {@link lineCount}). */
  async sync(): Promise<void> {
    await this.file.sync();
  }

  /** fsyncs and closes the file (idempotent). */
  close(): void {
    try {
      this.file.syncSync();
    } catch { /* closed, or cannot sync */ }
    try {
      this.file.close();
    } catch { /* already closed */ }
  }
}

/** Reads a metrics file back as records. */
export async function readMetrics(path: string): Promise<MetricsRecord[]> {
  const text = await Deno.readTextFile(path);
  return text.split("\n").filter((l) => l.length > 0).map((l, i) => {
    try {
      return JSON.parse(l) as MetricsRecord;
    } catch {
      throw new Error(`${path}: line ${i + 1} is not valid JSON`);
    }
  });
}

/** A record without its timing fields (for determinism comparisons). */
export function withoutTimings(record: MetricsRecord): MetricsRecord {
  const out = { ...record };
  for (const k of TIMING_FIELDS) delete out[k];
  return out;
}
