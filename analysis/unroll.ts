/**
 * One evaluation unroll of sampled puzzles that records what the analyses
 * need: the predictions and Q logits after every segment, the forward
 * residuals of every module call (through the model's read-only observer), and
 * the final z_H / z_L at the token positions after a chosen segment. It runs
 * the model's own `segment` (model/act.ts) with training off: the numbers are
 * the evaluation's (`unroll_test.ts` checks predictions against `evaluateBatch`).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type BatchRows,
  disposeCarry,
  initialCarry,
  type ModelConfig,
  type ModelState,
  puzzleEmbLen,
  segment,
  totalLen,
} from "../model/mod.ts";
import { type CallSum, ResidualRecorder } from "./residuals.ts";

/** What to run and record. */
export interface UnrollOptions {
  /** Segments to run (the evaluation's halt_max_steps for this unroll). */
  segments: number;
  /** Rows per forward pass. */
  batchSize: number;
  /** Override H_cycles / L_cycles (more than trained shows the dynamics past the trained depth). */
  cycles?: { H: number; L: number };
  /** Record forward residuals. */
  residuals?: boolean;
  /** Keep z_H / z_L at the token positions after this segment (1-based). */
  statesAt?: number;
  /** Progress: called after each batch with rows done and total. */
  onProgress?: (done: number, total: number) => void;
}

/** What an unroll recorded, for `n` rows of `seqLen` tokens. */
export interface UnrollRecord {
  n: number;
  seqLen: number;
  /** Per segment: argmax predictions [n * seqLen]. */
  preds: Int32Array[];
  /** Per segment: q_halt and q_continue logits [n]. */
  q: { halt: Float32Array; cont: Float32Array }[];
  /** Residual sums per call (when asked). */
  calls: CallSum[];
  /** Token-position states [n * seqLen, hidden] after `statesAt` (zL null for the baseline). */
  states?: { zH: Float32Array; zL: Float32Array | null; hidden: number };
}

/** The model with a different evaluation limit / cycle counts (same weights, nothing copied). */
export function withLimits(
  m: ModelState,
  segments: number,
  cycles?: { H: number; L: number },
): ModelState {
  const config: ModelConfig = {
    ...m.config,
    halt_max_steps: segments,
    ...(cycles ? { H_cycles: cycles.H, L_cycles: cycles.L } : {}),
  };
  return { ...m, config };
}

/** The token positions (puzzle-embedding positions dropped) of a [rows*T, D] state. */
async function tokenStates(z: tf.Tensor2D, c: ModelConfig, rows: number): Promise<Float32Array> {
  const t = totalLen(c);
  const p = puzzleEmbLen(c);
  const d = c.hidden_size;
  const tokens = tf.tidy(() =>
    tf.slice(tf.reshape(z, [rows, t, d]), [0, p, 0], [rows, c.seq_len, d])
  );
  try {
    return Float32Array.from(await tokens.data() as Float32Array);
  } finally {
    tokens.dispose();
  }
}

/** Runs the unroll over `data` (n rows) in batches of `opts.batchSize`. */
export async function unroll(
  model: ModelState,
  data: BatchRows,
  opts: UnrollOptions,
): Promise<UnrollRecord> {
  if (opts.segments < 1) throw new Error(`unroll: segments must be >= 1, got ${opts.segments}`);
  const m = withLimits(model, opts.segments, opts.cycles);
  const c = m.config;
  const n = data.puzzleIdentifiers.length;
  const seq = c.seq_len;
  if (data.inputs.length !== n * seq) {
    throw new Error(`unroll: inputs must hold ${n} x ${seq} tokens, got ${data.inputs.length}`);
  }
  const rec: UnrollRecord = {
    n,
    seqLen: seq,
    preds: Array.from({ length: opts.segments }, () => new Int32Array(n * seq)),
    q: Array.from({ length: opts.segments }, () => ({
      halt: new Float32Array(n),
      cont: new Float32Array(n),
    })),
    calls: [],
  };
  if (opts.statesAt !== undefined) {
    if (opts.statesAt < 1 || opts.statesAt > opts.segments) {
      throw new Error(`unroll: statesAt ${opts.statesAt} outside 1..${opts.segments}`);
    }
    rec.states = {
      zH: new Float32Array(n * seq * c.hidden_size),
      zL: c.arch !== "transformer" ? new Float32Array(n * seq * c.hidden_size) : null,
      hidden: c.hidden_size,
    };
  }
  for (let start = 0; start < n; start += opts.batchSize) {
    const rows = Math.min(opts.batchSize, n - start);
    const batch: BatchRows = {
      inputs: data.inputs.slice(start * seq, (start + rows) * seq),
      labels: data.labels.slice(start * seq, (start + rows) * seq),
      puzzleIdentifiers: data.puzzleIdentifiers.slice(start, start + rows),
    };
    let carry = initialCarry(m, rows);
    const t = totalLen(c);
    let recorder: ResidualRecorder | undefined;
    if (opts.residuals) {
      // The states the first segment resets every row to.
      const shape: [number, number] = [rows * t, c.hidden_size];
      const zH = tf.broadcastTo(m.hInit, shape) as tf.Tensor2D;
      const zL = c.arch !== "transformer" ? tf.broadcastTo(m.lInit, shape) as tf.Tensor2D : null;
      recorder = new ResidualRecorder(rows, { zH, zL }, c.arch === "transformer", rec.calls);
      zH.dispose();
      zL?.dispose();
    }
    try {
      for (let s = 1; s <= opts.segments; s++) {
        recorder?.beginSegment(s);
        const r = await segment(m, carry, batch, { training: false, observe: recorder?.observe });
        carry = r.carry;
        await recorder?.endSegment();
        rec.preds[s - 1].set(r.preds, start * seq);
        rec.q[s - 1].halt.set(r.qHalt, start);
        rec.q[s - 1].cont.set(r.qContinue, start);
        if (rec.states && s === opts.statesAt) {
          const d = c.hidden_size;
          rec.states.zH.set(await tokenStates(carry.zH, c, rows), start * seq * d);
          if (rec.states.zL && carry.zL) {
            rec.states.zL.set(await tokenStates(carry.zL, c, rows), start * seq * d);
          }
        }
      }
    } finally {
      disposeCarry(carry);
      recorder?.dispose();
    }
    opts.onProgress?.(start + rows, n);
  }
  return rec;
}
