/**
 * Inference-time scaling (paper Figure 5c) and the ACT halting step at
 * inference (Figure 5a/b's compute/accuracy trade), from one long unroll.
 *
 * Evaluation halts every row only at `halt_max_steps`, so the state after
 * segment s of an unroll with a larger limit is exactly the state an
 * evaluation with `halt_max_steps = s` ends in: one unroll of S segments gives
 * the accuracy at every limit 1..S.
 * @module
 */
import { IGNORE_LABEL_ID } from "../model/mod.ts";

/** Per-row scores of one segment's predictions. */
export interface RowScores {
  /** 1 where every labelled token is right. */
  exact: Uint8Array;
  /** Right labelled tokens / labelled tokens, per row (0 when none). */
  tokenAccuracy: Float64Array;
  /** 1 where the row has at least one label (rows without are never counted, as in evaluation). */
  counted: Uint8Array;
}

/** Scores `rows` rows of predictions against labels (both [rows * seqLen]), as evaluation does. */
export function scoreRows(preds: Int32Array, labels: Int32Array, rows: number): RowScores {
  const seq = labels.length / rows;
  const exact = new Uint8Array(rows);
  const tokenAccuracy = new Float64Array(rows);
  const counted = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    let valid = 0;
    let right = 0;
    for (let i = r * seq; i < (r + 1) * seq; i++) {
      if (labels[i] === IGNORE_LABEL_ID) continue;
      valid++;
      if (preds[i] === labels[i]) right++;
    }
    if (valid === 0) continue;
    counted[r] = 1;
    exact[r] = right === valid ? 1 : 0;
    tokenAccuracy[r] = right / valid;
  }
  return { exact, tokenAccuracy, counted };
}

/** One point of the inference-scaling curve. */
export interface ScalingPoint {
  segments: number;
  exact_accuracy: number;
  token_accuracy: number;
  /** Puzzles counted. */
  count: number;
  /** The task's extra scores at this segment count (filled in by the caller, `run.ts`). */
  scores?: Record<string, number>;
}

/** The accuracy after each segment 1..S (`bySegment[s-1]` scores segment s). */
export function inferenceScaling(bySegment: RowScores[]): ScalingPoint[] {
  return bySegment.map((sc, i) => {
    let n = 0;
    let exact = 0;
    let tok = 0;
    for (let r = 0; r < sc.counted.length; r++) {
      if (!sc.counted[r]) continue;
      n++;
      exact += sc.exact[r];
      tok += sc.tokenAccuracy[r];
    }
    return {
      segments: i + 1,
      exact_accuracy: n ? exact / n : 0,
      token_accuracy: n ? tok / n : 0,
      count: n,
    };
  });
}

/** Where the Q head would halt at inference, and what accuracy that gives. */
export interface ActHalting {
  /** The limit the halting step is capped at (the trained halt_max_steps). */
  max_steps: number;
  /** Rows halting at each step: the first segment with q_halt > q_continue, else max_steps. */
  histogram: { steps: number; count: number }[];
  mean_steps: number;
  /** Exact accuracy when each row stops where its Q head halts. */
  exact_accuracy_at_halt: number;
  /** Exact accuracy when every row runs max_steps (the evaluation's number). */
  exact_accuracy_at_max: number;
  count: number;
}

/**
 * The ACT halting step per row: the first segment s <= `maxSteps` with
 * q_halt > q_continue (training's rule without exploration), else `maxSteps`.
 * `q[s-1]` holds segment s's logits; `bySegment` the scores.
 */
export function actHalting(
  q: { halt: Float32Array; cont: Float32Array }[],
  bySegment: RowScores[],
  maxSteps: number,
): ActHalting {
  if (q.length < maxSteps || bySegment.length < maxSteps) {
    throw new Error(`act halting: needs ${maxSteps} segments, got ${q.length}`);
  }
  const rows = bySegment[0].counted.length;
  const counts = new Map<number, number>();
  let n = 0;
  let stepsSum = 0;
  let atHalt = 0;
  let atMax = 0;
  for (let r = 0; r < rows; r++) {
    if (!bySegment[0].counted[r]) continue;
    let at = maxSteps;
    for (let s = 1; s <= maxSteps; s++) {
      if (q[s - 1].halt[r] > q[s - 1].cont[r]) {
        at = s;
        break;
      }
    }
    n++;
    stepsSum += at;
    atHalt += bySegment[at - 1].exact[r];
    atMax += bySegment[maxSteps - 1].exact[r];
    counts.set(at, (counts.get(at) ?? 0) + 1);
  }
  const histogram = [...counts].sort((a, b) => a[0] - b[0]).map(([steps, count]) => ({
    steps,
    count,
  }));
  return {
    max_steps: maxSteps,
    histogram,
    mean_steps: n ? stepsSum / n : 0,
    exact_accuracy_at_halt: n ? atHalt / n : 0,
    exact_accuracy_at_max: n ? atMax / n : 0,
    count: n,
  };
}
