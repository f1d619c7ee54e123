/**
 * The ACT loss head (reference: models/losses.py ACTLossHead): token
 * cross-entropy (stablemax or softmax) averaged per row over non-ignored
 * labels and summed over rows, BCE-with-logits for q_halt against "the row is
 * exactly right" and for q_continue against the bootstrapped target, and the
 * reference's metrics (sums over rows that halted this segment).
 *
 * The reference computes stablemax in float64; tfjs has no float64, so it is
 * computed here in float32 as 1/(1 - min(x, 0)) + max(x, 0), a form with no
 * branch that can overflow, which keeps gradients finite.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { IGNORE_LABEL_ID } from "./batch.ts";

export type LossType = "stablemax_cross_entropy" | "softmax_cross_entropy";

/** Log-probabilities under stablemax: log(s(x) / sum s(x)), s(x) = 1/(1-x) (x<0) or x+1. */
export function logStablemax(logits: tf.Tensor2D): tf.Tensor2D {
  // 1/(1 - min(x,0)) + max(x,0) is 1/(1-x) for x < 0 and exactly 1 + x otherwise; no
  // branch can overflow and no comparison sits on the gradient path.
  const s = tf.add(tf.div(1, tf.sub(1, tf.minimum(logits, 0))), tf.maximum(logits, 0));
  return tf.sub(tf.log(s), tf.log(tf.sum(s, -1, true)));
}

/**
 * Per-token cross-entropy [N] for logits [N, V] and int32 labels [N]; 0 where
 * the label is ignored (-100).
 */
export function tokenLoss(logits: tf.Tensor2D, labels: tf.Tensor1D, type: LossType): tf.Tensor1D {
  const v = logits.shape[1];
  const valid = tf.notEqual(labels, IGNORE_LABEL_ID);
  const safe = tf.where(valid, labels, tf.zerosLike(labels));
  const logp = type === "stablemax_cross_entropy" ? logStablemax(logits) : tf.logSoftmax(logits);
  const picked = tf.sum(tf.mul(logp, tf.cast(tf.oneHot(safe, v), "float32")), -1);
  return tf.neg(tf.mul(picked, tf.cast(valid, "float32"))) as tf.Tensor1D;
}

/** Sum of BCE-with-logits, stable form max(x,0) - x*z + log(1 + exp(-|x|)). */
export function bceWithLogitsSum(x: tf.Tensor1D, z: tf.Tensor1D): tf.Scalar {
  const terms = tf.add(
    tf.sub(tf.maximum(x, 0), tf.mul(x, z)),
    tf.log1p(tf.exp(tf.neg(tf.abs(x)))),
  );
  return tf.sum(terms);
}

/** Device-side pieces of the loss. */
export interface LossParts {
  lmLoss: tf.Scalar;
  qHaltLoss: tf.Scalar;
  /** Absent when there is no Q target (evaluation, or halt_max_steps = 1). */
  qContinueLoss?: tf.Scalar;
  /** lm + 0.5 * (q_halt + q_continue), summed over the batch (not divided). */
  total: tf.Scalar;
}

/**
 * The loss for logits [B*S, V], labels [B*S], q logits [B, 2] and, in
 * training, the q_continue target [B]. `seqCorrect` [B] (float 0/1) is the
 * q_halt target; compute it without gradient.
 */
export function actLoss(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  q: tf.Tensor2D,
  seqCorrect: tf.Tensor1D,
  batch: number,
  type: LossType,
  targetQContinue?: tf.Tensor1D,
): LossParts {
  const seq = labels.shape[0] / batch;
  const valid = tf.cast(tf.notEqual(tf.reshape(labels, [batch, seq]), IGNORE_LABEL_ID), "float32");
  const divisor = tf.maximum(tf.sum(valid, -1, true), 1);
  const tok = tf.reshape(tokenLoss(logits, labels, type), [batch, seq]);
  const lmLoss = tf.sum(tf.div(tok, divisor)) as tf.Scalar;
  const [qHalt, qCont] = tf.split(q, 2, 1).map((t) => tf.reshape(t, [batch]) as tf.Tensor1D);
  const qHaltLoss = bceWithLogitsSum(qHalt, seqCorrect);
  let qContinueLoss: tf.Scalar | undefined;
  let total = tf.add(lmLoss, tf.mul(0.5, qHaltLoss)) as tf.Scalar;
  if (targetQContinue) {
    qContinueLoss = bceWithLogitsSum(qCont, targetQContinue);
    total = tf.add(lmLoss, tf.mul(0.5, tf.add(qHaltLoss, qContinueLoss)));
  }
  return { lmLoss, qHaltLoss, qContinueLoss, total };
}

/** Per-row exactness [B] (float 0/1) and per-row correct-token counts, from argmax predictions. */
export function seqCorrectness(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  batch: number,
): tf.Tensor1D {
  const seq = labels.shape[0] / batch;
  const valid = tf.notEqual(labels, IGNORE_LABEL_ID);
  const correct = tf.logicalAnd(valid, tf.equal(tf.argMax(logits, -1), labels));
  const nCorrect = tf.sum(tf.cast(tf.reshape(correct, [batch, seq]), "int32"), -1);
  const nValid = tf.sum(tf.cast(tf.reshape(valid, [batch, seq]), "int32"), -1);
  return tf.cast(tf.equal(nCorrect, nValid), "float32") as tf.Tensor1D;
}

/** The reference's metrics: sums over rows that halted this segment and have a label. */
export interface Metrics {
  count: number;
  accuracy: number;
  exact_accuracy: number;
  q_halt_accuracy: number;
  steps: number;
  lm_loss: number;
  q_halt_loss: number;
  q_continue_loss?: number;
}

/**
 * Host-side metrics from predictions (argmax) [B*S], labels [B*S], q_halt [B],
 * halted and steps [B], plus the loss values. Counts are sums as the
 * reference returns them (divide by `count`, or losses by the batch size).
 */
export function computeMetrics(
  preds: Int32Array,
  labels: Int32Array,
  qHalt: Float32Array,
  halted: Uint8Array,
  steps: Int32Array,
  losses: { lm: number; qHalt: number; qContinue?: number },
): Metrics {
  const b = halted.length;
  const seq = labels.length / b;
  const m: Metrics = {
    count: 0,
    accuracy: 0,
    exact_accuracy: 0,
    q_halt_accuracy: 0,
    steps: 0,
    lm_loss: losses.lm,
    q_halt_loss: losses.qHalt,
  };
  if (losses.qContinue !== undefined) m.q_continue_loss = losses.qContinue;
  for (let r = 0; r < b; r++) {
    let valid = 0;
    let correct = 0;
    for (let i = r * seq; i < (r + 1) * seq; i++) {
      if (labels[i] === IGNORE_LABEL_ID) continue;
      valid++;
      if (preds[i] === labels[i]) correct++;
    }
    if (!halted[r] || valid === 0) continue;
    const exact = correct === valid;
    m.count++;
    m.accuracy += Math.fround(correct / valid);
    if (exact) m.exact_accuracy++;
    if ((qHalt[r] >= 0) === exact) m.q_halt_accuracy++;
    m.steps += steps[r];
  }
  return m;
}
