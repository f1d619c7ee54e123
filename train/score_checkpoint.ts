/**
 * Which checkpoint of a training run is scored (`--score-checkpoint`):
 *
 * - `last`: the newest checkpoint (the final one; after a non-finite loss, the
 *   last good state the trainer saved);
 * - `best-train`: the evaluation checkpoint whose evaluation interval had the
 *   highest training exact accuracy (count-weighted over the interval's train
 *   lines of metrics.jsonl; the test set is never looked at; ties go to the
 *   earlier one, as early stopping would);
 * - `eval=K`: the checkpoint of the K-th evaluation (1-based; the official ARC
 *   notebook scores the 8th of 10);
 * - `step=N`: the checkpoint taken at step N (an evaluation or the final step).
 *
 * The trainer keeps a checkpoint at every evaluation
 * (`checkpoint_every_eval=true`, the default, as the official code's
 * `step_<N>` files), which every rule but `last` needs. When training stopped
 * early (a non-finite loss at step N+1), only checkpoints taken before step N
 * whose weights are all finite count: the state the trainer saves at the stop
 * (step N, its update unapplied) is the one whose loss was not finite, so the
 * last good checkpoint is the one before it; a rule naming a checkpoint the
 * run never reached scores the last good one instead, saying so in `note`.
 * @module
 */
import {
  checkpointDir,
  type CheckpointMeta,
  listCheckpoints,
  readCheckpoint,
} from "./checkpoint.ts";
import { nonFiniteWeights } from "./exported_state.ts";
import { readMetrics } from "./metrics_log.ts";

/** A rule choosing the scored checkpoint. */
export type ScoreRule =
  | { kind: "last" }
  | { kind: "best-train" }
  | { kind: "eval"; k: number }
  | { kind: "step"; step: number };

/** Parses `last | best-train | eval=K | step=N`; one line naming `what` otherwise. */
export function parseScoreRule(text: string, what = "--score-checkpoint"): ScoreRule {
  const t = text.trim();
  if (t === "last") return { kind: "last" };
  if (t === "best-train") return { kind: "best-train" };
  const m = /^(eval|step)=(\d+)$/.exec(t);
  const n = m ? Number(m[2]) : NaN;
  if (m && m[1] === "eval" && n >= 1) return { kind: "eval", k: n };
  if (m && m[1] === "step" && n >= 0) return { kind: "step", step: n };
  throw new Error(
    `${what} '${text}': expected last, best-train, eval=K (K-th evaluation, from 1) or step=N`,
  );
}

/** The rule as text (`eval=8`), the inverse of {@link parseScoreRule}. */
export function ruleText(rule: ScoreRule): string {
  if (rule.kind === "eval") return `eval=${rule.k}`;
  if (rule.kind === "step") return `step=${rule.step}`;
  return rule.kind;
}

/** `1st`, `2nd`, `8th`. */
export function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? "th" : ["th", "st", "nd", "rd"][n % 10] ?? "th";
  return `${n}${s}`;
}

/** The checkpoint a rule chose. */
export interface ScoredCheckpoint {
  path: string;
  step: number;
  /** The rule asked for (`eval=8`). */
  rule: string;
  /** 1-based index of the evaluation taken at this step, or null (not an evaluation's). */
  evaluation: number | null;
  /** Evaluations the run made. */
  evaluations: number;
  /** In words: which checkpoint and why (`the 8th of 10 evaluations (step 414456)`). */
  note: string;
  /** True when the rule could not be met because training stopped early. */
  fallback: boolean;
}

/** Whether every model weight of a checkpoint is finite (optimizer state and carry aside). */
export async function hasFiniteWeights(path: string): Promise<boolean> {
  return nonFiniteWeights((await readCheckpoint(path)).tensors).count === 0;
}

/** Distinct evaluation steps of a run's metrics.jsonl, in order. */
export async function evaluationSteps(runDir: string): Promise<number[]> {
  const records = await readMetrics(`${runDir}/metrics.jsonl`).catch(() => []);
  const steps: number[] = [];
  for (const r of records) {
    if (r.kind === "eval" && typeof r.step === "number" && steps.at(-1) !== r.step) {
      steps.push(r.step);
    }
  }
  return steps;
}

/**
 * Training exact accuracy of each evaluation interval: the count-weighted mean
 * of the train lines with prev < step <= s (prev: the previous evaluation's
 * step); an interval without train lines takes the newest line before it; null
 * when there is none.
 */
export async function trainAccuracyByEvaluation(
  runDir: string,
  evalSteps: number[],
): Promise<(number | null)[]> {
  const records = (await readMetrics(`${runDir}/metrics.jsonl`).catch(() => [])).filter((r) =>
    r.kind === "train" && typeof r.step === "number" && typeof r.exact_accuracy === "number"
  );
  return evalSteps.map((s, i) => {
    const prev = i ? evalSteps[i - 1] : -1;
    let sum = 0;
    let n = 0;
    for (const r of records) {
      const step = r.step as number;
      if (step <= prev || step > s) continue;
      const c = typeof r.count === "number" && r.count > 0 ? r.count : 1;
      sum += (r.exact_accuracy as number) * c;
      n += c;
    }
    if (n > 0) return sum / n;
    const before = records.filter((r) => (r.step as number) <= s).at(-1);
    return before ? before.exact_accuracy as number : null;
  });
}

/**
 * Picks the checkpoint of `runDir` that `rule` names (see the module doc).
 * `stopped`: training ended early on a non-finite loss, `lastGoodStep` the
 * step of the state saved then (an unreachable rule then falls back to the
 * last good checkpoint instead of failing). Throws one line when the run has
 * no checkpoint to score, or the rule names one it never took.
 */
export async function chooseCheckpoint(
  runDir: string,
  rule: ScoreRule,
  stopped?: { lastGoodStep: number },
): Promise<ScoredCheckpoint> {
  let { valid } = await listCheckpoints(runDir);
  if (!valid.length) throw new Error(`${checkpointDir(runDir)}: no checkpoint to score`);
  if (stopped) {
    const good: typeof valid = [];
    for (const c of valid) {
      if (c.meta.step < stopped.lastGoodStep && await hasFiniteWeights(c.path)) good.push(c);
    }
    valid = good;
    if (!valid.length) {
      throw new Error(
        `no checkpoint before step ${stopped.lastGoodStep} with finite weights; nothing to score`,
      );
    }
  }
  const evals = await evaluationSteps(runDir);
  const at = (step: number) => {
    const here = valid.filter((c) => c.meta.step === step);
    // The same weights: prefer a kept step_<N> file to the periodic latest.safetensors.
    return here.find((c) => c.meta.kind !== "periodic") ?? here[0];
  };
  const make = (
    c: { path: string; meta: CheckpointMeta },
    note: string,
    fallback = false,
  ): ScoredCheckpoint => {
    const i = evals.indexOf(c.meta.step);
    return {
      path: c.path,
      step: c.meta.step,
      rule: ruleText(rule),
      evaluation: i < 0 ? null : i + 1,
      evaluations: evals.length,
      note,
      fallback,
    };
  };
  const newest = valid[0];
  const lastGood = stopped
    ? `the last good checkpoint (step ${newest.meta.step}), the newest before the loss ` +
      `turned non-finite at step ${stopped.lastGoodStep + 1}`
    : `the last checkpoint (step ${newest.meta.step})`;
  const orFallback = (why: string): ScoredCheckpoint => {
    if (!stopped) throw new Error(`--score-checkpoint ${ruleText(rule)}: ${why}`);
    return make(newest, `${why}; training stopped early, so ${lastGood} is scored`, true);
  };
  const evalName = (i: number) => `the ${ordinal(i + 1)} of ${evals.length} evaluations`;
  switch (rule.kind) {
    case "last":
      return make(newest, lastGood);
    case "eval": {
      const step = evals[rule.k - 1];
      const c = step === undefined ? undefined : at(step);
      if (!c) {
        return orFallback(
          step === undefined
            ? `the run made ${evals.length} evaluation(s), not ${rule.k}`
            : `no checkpoint kept at the ${ordinal(rule.k)} evaluation (step ${step}); ` +
              "train with checkpoint_every_eval=true",
        );
      }
      return make(c, `${evalName(rule.k - 1)} (step ${step})`);
    }
    case "step": {
      const c = at(rule.step);
      if (!c) {
        const steps = [...new Set(valid.map((v) => v.meta.step))].sort((a, b) => a - b);
        return orFallback(`no checkpoint at step ${rule.step} (kept: ${steps.join(", ")})`);
      }
      const i = evals.indexOf(rule.step);
      return make(c, `step ${rule.step}` + (i < 0 ? "" : ` (${evalName(i)})`));
    }
    case "best-train": {
      const acc = await trainAccuracyByEvaluation(runDir, evals);
      let best = -1;
      for (let i = 0; i < evals.length; i++) {
        const a = acc[i];
        if (a === null || !at(evals[i])) continue;
        if (best < 0 || a > acc[best]!) best = i;
      }
      if (best < 0) return orFallback("no evaluation checkpoint with training accuracy logged");
      return make(
        at(evals[best])!,
        `${evalName(best)} (step ${evals[best]}): the highest training exact accuracy ` +
          `over an evaluation interval, ${(acc[best]! * 100).toFixed(2)}%`,
      );
    }
  }
}
