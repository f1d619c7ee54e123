/**
 * Forward residuals (paper Figure 3): how much each module call changes its
 * state, `||z_t - z_{t-1}|| / ||z_{t-1}||`, for z_L at every L call and z_H at
 * every H call through a whole unroll (every segment), and for the
 * Transformer baseline the same across its blocks.
 *
 * Norm and averaging: for each puzzle, the Frobenius norm over its whole state
 * [positions x hidden] (the prepended puzzle-embedding positions included), the
 * ratio taken per puzzle, then averaged over the sampled puzzles. z_{t-1} is the
 * same module's previous state: the reset state (H_init / L_init broadcast) before
 * the first call, and across a segment boundary the last state of the previous
 * segment (evaluation carries the state on; no row halts before the last segment).
 * A block's previous state is the previous block's output; the first block of a
 * segment compares with the module's state entering it.
 *
 * The states come from the model's own forward pass through its read-only
 * observer (`SegmentOptions.observe`), so recording changes no numbers.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Which state a call produced: z_L, z_H, or one Transformer block's output. */
export type CallKind = "L" | "H" | "block";

/** One sentence naming the norm and averaging (written into analysis.json). */
export const RESIDUAL_NORM: string =
  "per puzzle ||z_t - z_{t-1}||_F / ||z_{t-1}||_F over the [positions x hidden] state " +
  "(puzzle-embedding positions included), averaged over the sampled puzzles; z_{t-1} is the " +
  "same module's previous state (the reset H_init/L_init before the first call)";

/** Per row of a [rows*T, D] state: ||z - prev||_F / ||prev||_F over that row's [T, D] block. */
export function relativeResidual(z: tf.Tensor2D, prev: tf.Tensor2D, rows: number): tf.Tensor1D {
  return tf.tidy(() => {
    const diff = tf.reshape(tf.sub(z, prev), [rows, -1]);
    const num = tf.sqrt(tf.sum(tf.square(diff), 1));
    const den = tf.sqrt(tf.sum(tf.square(tf.reshape(prev, [rows, -1])), 1));
    // 0/0 (a zero state that stays zero) is 0; a zero state that moves is reported as huge.
    return tf.div(num, tf.maximum(den, 1e-30)) as tf.Tensor1D;
  });
}

/** One recorded call: which state, in which segment (1-based), and its per-row ratios. */
interface Pending {
  kind: CallKind;
  segment: number;
  ratio: tf.Tensor1D;
}

/** The summed residuals of one call position over every batch seen. */
export interface CallSum {
  kind: CallKind;
  segment: number;
  sum: number;
  rows: number;
}

/**
 * Records the residual of every call of one batch's unroll. `observe` goes into
 * `segment(..., { observe })`; call `beginSegment` before and `endSegment` after
 * each segment; `dispose` at the end. `blocks`: also record Transformer blocks.
 */
export class ResidualRecorder {
  private prev = new Map<"L" | "H", tf.Tensor2D>();
  private prevBlock: tf.Tensor2D | null = null;
  private pending: Pending[] = [];
  private segmentNo = 0;
  /** Per call position (in unroll order), the ratios summed over rows. */
  readonly calls: CallSum[] = [];
  private index = 0;

  constructor(
    private readonly rows: number,
    init: { zH: tf.Tensor2D; zL: tf.Tensor2D | null },
    private readonly blocks: boolean,
    calls: CallSum[] = [],
  ) {
    this.prev.set("H", tf.keep(tf.clone(init.zH)));
    if (init.zL) this.prev.set("L", tf.keep(tf.clone(init.zL)));
    this.calls = calls;
  }

  /** Marks the start of segment `s` (1-based). */
  beginSegment(s: number): void {
    this.segmentNo = s;
  }

  /** The observer to pass to `segment`. */
  readonly observe = (kind: CallKind, z: tf.Tensor2D): void => {
    if (kind === "block" && !this.blocks) return;
    const before = kind === "block" ? this.prevBlock ?? this.prev.get("H")! : this.prev.get(kind);
    if (!before) throw new Error(`residuals: no previous state for a ${kind} call`);
    const ratio = tf.keep(relativeResidual(z, before, this.rows));
    this.pending.push({ kind, segment: this.segmentNo, ratio });
    const copy = tf.keep(tf.clone(z));
    if (kind === "block") {
      this.prevBlock?.dispose();
      this.prevBlock = copy;
    } else {
      this.prev.get(kind)?.dispose();
      this.prev.set(kind, copy);
      if (kind === "H") {
        this.prevBlock?.dispose();
        this.prevBlock = null;
      }
    }
  };

  /** Reads the segment's ratios back and adds them to `calls`. */
  async endSegment(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    const values = await Promise.all(pending.map((p) => p.ratio.data()));
    for (const [i, p] of pending.entries()) {
      p.ratio.dispose();
      let sum = 0;
      for (const v of values[i]) sum += v;
      const at = this.calls[this.index];
      if (!at) this.calls.push({ kind: p.kind, segment: p.segment, sum, rows: this.rows });
      else if (at.kind !== p.kind || at.segment !== p.segment) {
        throw new Error(`residuals: call ${this.index} is ${p.kind}, expected ${at.kind}`);
      } else {
        at.sum += sum;
        at.rows += this.rows;
      }
      this.index++;
    }
  }

  /** Frees the kept states (and anything not read back). */
  dispose(): void {
    for (const t of this.prev.values()) t.dispose();
    this.prevBlock?.dispose();
    for (const p of this.pending) p.ratio.dispose();
    this.pending = [];
  }
}

/** The Figure 3 record of analysis.json. */
export interface ForwardResiduals {
  norm: string;
  cycles: { H: number; L: number };
  segments: number;
  /** Mean residual of z_L at each L call, in unroll order. */
  z_L: number[];
  /** Mean residual of z_H at each H call. */
  z_H: number[];
  /** For each H call, how many L calls came before it (where z_L's sawtooth resets). */
  h_boundaries: number[];
  /** For each segment, the index of its first L call (of its first block for the baseline). */
  segment_boundaries: number[];
  /** Transformer baseline: mean residual after each block, in unroll order. */
  blocks: number[];
}

/** Summarises recorded call sums into the Figure 3 record. */
export function summariseResiduals(
  calls: CallSum[],
  cycles: { H: number; L: number },
  segments: number,
): ForwardResiduals {
  const out: ForwardResiduals = {
    norm: RESIDUAL_NORM,
    cycles,
    segments,
    z_L: [],
    z_H: [],
    h_boundaries: [],
    segment_boundaries: [],
    blocks: [],
  };
  let seg = 0;
  const hasL = calls.some((x) => x.kind === "L");
  for (const c of calls) {
    const mean = c.rows > 0 ? c.sum / c.rows : NaN;
    if (c.segment !== seg && c.kind !== "H") {
      seg = c.segment;
      out.segment_boundaries.push(hasL ? out.z_L.length : out.blocks.length);
    }
    if (c.kind === "L") out.z_L.push(mean);
    else if (c.kind === "block") out.blocks.push(mean);
    else {
      out.z_H.push(mean);
      out.h_boundaries.push(out.z_L.length);
    }
  }
  return out;
}
