/**
 * The one batch type of the project: what the sampler produces, the model
 * consumes, the data-parallel workers split and the bench feeds. Host arrays,
 * row-major `[batchSize, seqLen]`.
 * @module
 */

/** The label value that losses and metrics ignore (the reference's IGNORE_LABEL_ID). */
export const IGNORE_LABEL_ID = -100;

/** One batch on the host. */
export interface Batch {
  /** Input tokens [batchSize * seqLen]. */
  inputs: Int32Array;
  /** Target tokens [batchSize * seqLen]; {@link IGNORE_LABEL_ID} where nothing is scored. */
  labels: Int32Array;
  /** Puzzle identifier of each row [batchSize]. */
  puzzleIdentifiers: Int32Array;
  /** Rows. */
  batchSize: number;
  /** Tokens per row. */
  seqLen: number;
  /** Real (non-pad) rows, always the first `effective` rows. */
  effective: number;
  /** The dataset set the rows come from (`dataset.json`'s `sets`; "all" by default). */
  setName: string;
}

/** The arrays of a batch: all the model reads (the rest describes where the rows came from). */
export type BatchRows = Pick<Batch, "inputs" | "labels" | "puzzleIdentifiers">;

/**
 * A {@link Batch} around arrays: sizes derived from them, every row real
 * unless `effective` says otherwise. Throws one line when the sizes disagree.
 *
 * ```ts
 * import { batchOf } from "./batch.ts";
 * const b = batchOf({
 *   inputs: new Int32Array(2 * 3),
 *   labels: new Int32Array(2 * 3),
 *   puzzleIdentifiers: new Int32Array(2),
 * });
 * if (b.batchSize !== 2 || b.seqLen !== 3 || b.effective !== 2) throw new Error("sizes");
 * ```
 */
export function batchOf(
  rows: BatchRows,
  opts: { setName?: string; effective?: number } = {},
): Batch {
  const batchSize = rows.puzzleIdentifiers.length;
  const seqLen = batchSize ? rows.inputs.length / batchSize : 0;
  if (!Number.isInteger(seqLen) || rows.labels.length !== rows.inputs.length) {
    throw new Error(
      `batch: inputs (${rows.inputs.length}) and labels (${rows.labels.length}) must hold ` +
        `${batchSize} rows (puzzleIdentifiers) of equal length`,
    );
  }
  return {
    inputs: rows.inputs,
    labels: rows.labels,
    puzzleIdentifiers: rows.puzzleIdentifiers,
    batchSize,
    seqLen,
    effective: opts.effective ?? batchSize,
    setName: opts.setName ?? "all",
  };
}

/** Rows [start, end) of a batch (copies); real rows stay real as far as they reach. */
export function sliceBatch(batch: Batch, start: number, end: number): Batch {
  const s = batch.seqLen;
  return batchOf({
    inputs: batch.inputs.slice(start * s, end * s),
    labels: batch.labels.slice(start * s, end * s),
    puzzleIdentifiers: batch.puzzleIdentifiers.slice(start, end),
  }, {
    setName: batch.setName,
    effective: Math.max(0, Math.min(end, batch.effective) - start),
  });
}
