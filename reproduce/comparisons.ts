/**
 * Paired comparisons of two models scored on the same test rows: per seed the
 * exact McNemar test on the rows one model solves exactly and the other does
 * not, and across seeds one combined test.
 *
 * Per-row correctness comes from each model's saved final evaluation outputs
 * (io `readEvalOutputs`; a row is solved when every labelled token, label id
 * not 0, is predicted), and both models' rows must be the same rows (the same
 * puzzle identifiers and inputs, in order), else the pair is not compared.
 *
 * Combined test (2+ seeds): the discordant counts pooled over seeds, stratified
 * by seed. Under "no difference" each seed's `a_only` given its discordant
 * total m_s is Binomial(m_s, 1/2), independently across seeds (independent
 * training runs), so their sum is Binomial(sum m_s, 1/2) exactly: the exact
 * McNemar test on the pooled counts is an exact conditional test of the
 * stratified hypothesis (the exact analogue of the Mantel-Haenszel test for
 * matched pairs). Unlike Fisher's or Stouffer's combination of per-seed
 * p-values it needs no continuity choice for discrete p-values, and it weights
 * each seed by its discordant pairs, which carry all the information. The
 * interval of the difference is Newcombe's paired interval on the pooled
 * table; with 2+ seeds the t interval of the per-seed differences (seeds as
 * the units, which also covers run-to-run variation) is given beside it.
 * Caveat: every seed is scored on the same test rows, so the verdict is about
 * this test set; a difference of training runs, not of test sets.
 *
 * Where a task's headline metric is a proportion over its own units (the
 * result's `headlineUnits`, e.g. ARC tasks counted under the all-tests rule),
 * the pairs are those units, by name, and the metric is the headline
 * ({@link resultCorrectness}); else the test rows and exact accuracy.
 * @module
 */
import { join } from "node:path";
import { readEvalOutputs } from "../io/mod.ts";
import type { Comparison, ModelResult } from "./report/schema.ts";
import { mcnemarExact, newcombePaired, type PairedCounts, tInterval } from "./stats.ts";

/** The significance level of every verdict. */
export const ALPHA = 0.05;

/** Per-row exact correctness (1 solved, 0 not) and a key per row that identifies it. */
export interface RowCorrectness {
  correct: Uint8Array;
  keys: string[];
}

/** Reads per-row exact correctness from saved evaluation outputs (a file or a folder). */
export async function readRowCorrectness(path: string): Promise<RowCorrectness> {
  const o = await readEvalOutputs(path);
  if (!o.labels) throw new Error(`${path}: no labels in the saved outputs (needed to pair rows)`);
  const S = o.seqLen;
  const rows = o.puzzleIdentifiers.length;
  const correct = new Uint8Array(rows);
  const keys: string[] = [];
  for (let r = 0; r < rows; r++) {
    let ok = 1;
    for (let k = r * S; k < (r + 1) * S; k++) {
      if (o.labels[k] !== 0 && o.preds[k] !== o.labels[k]) {
        ok = 0;
        break;
      }
    }
    correct[r] = ok;
    keys.push(`${o.puzzleIdentifiers[r]}:${o.inputs.subarray(r * S, (r + 1) * S).join(",")}`);
  }
  return { correct, keys };
}

/** What one model run is paired on: per unit (row, or the task's unit) solved or not. */
export interface PairingUnits extends RowCorrectness {
  /** `rows`, or the task's headline unit (e.g. `tasks`). */
  unit: string;
  /** The metric the units give: `exact_accuracy` for rows, else the headline metric. */
  metric: string;
}

/**
 * The units a finished model run is paired on: its `headlineUnits` where the
 * task gives them, else the rows of its saved outputs (`dir` is the model's
 * folder, which `outputsFile` is relative to). Throws when it has neither.
 */
export async function resultCorrectness(r: ModelResult, dir: string): Promise<PairingUnits> {
  const u = r.headlineUnits;
  if (u) {
    return {
      correct: Uint8Array.from(u.solved),
      keys: u.names,
      unit: u.unit,
      metric: r.headlineMetric,
    };
  }
  if (r.outputsFile === undefined) throw new Error(`${dir}: no saved outputs to pair rows on`);
  const rows = await readRowCorrectness(join(dir, r.outputsFile));
  return { ...rows, unit: "rows", metric: "exact_accuracy" };
}

/** A finished model run at one seed: its result and its folder. */
export interface SeedRun {
  result: ModelResult;
  dir: string;
}

/**
 * The paired comparison of models `a` and `b` over the seeds where both finished
 * (`runsA`, `runsB` by seed), each seed on the units of {@link resultCorrectness};
 * undefined when no seed has both. Throws one line naming the pair and the seed when
 * their units differ or cannot be paired.
 */
export async function compareRuns(
  a: string,
  b: string,
  runsA: Map<number, SeedRun>,
  runsB: Map<number, SeedRun>,
): Promise<Comparison | undefined> {
  const tables = [];
  let on = { metric: "exact_accuracy", unit: "rows" };
  for (const [seed, runA] of runsA) {
    const runB = runsB.get(seed);
    if (runB === undefined) continue;
    try {
      const [ua, ub] = [
        await resultCorrectness(runA.result, runA.dir),
        await resultCorrectness(runB.result, runB.dir),
      ];
      if (ua.unit !== ub.unit) throw new Error(`paired on ${ua.unit} vs ${ub.unit}`);
      on = { metric: ua.metric, unit: ua.unit };
      tables.push({ seed, t: pairRows(ua, ub) });
    } catch (err) {
      throw new Error(`${a} vs ${b}, seed ${seed}: ${(err as Error).message}`);
    }
  }
  return tables.length ? compareSeeds(a, b, tables, on) : undefined;
}

/** The 2x2 table of two models on the same rows; throws if the rows differ. */
export function pairRows(a: RowCorrectness, b: RowCorrectness): PairedCounts {
  if (a.keys.length !== b.keys.length) {
    throw new Error(`different test rows: ${a.keys.length} vs ${b.keys.length}`);
  }
  const t = { both: 0, aOnly: 0, bOnly: 0, neither: 0 };
  for (let r = 0; r < a.keys.length; r++) {
    if (a.keys[r] !== b.keys[r]) throw new Error(`different test rows at row ${r}`);
    const x = a.correct[r], y = b.correct[r];
    if (x && y) t.both++;
    else if (x) t.aOnly++;
    else if (y) t.bOnly++;
    else t.neither++;
  }
  return t;
}

/** The verdict on `a` against `b` from a two-sided p-value and the sign of the difference. */
export function verdict(difference: number, p: number): Comparison["verdict"] {
  if (p >= ALPHA || difference === 0) return "not distinguishable at 95%";
  return difference > 0 ? "ahead" : "behind";
}

/** The comparison of `a` with `b` from their per-seed tables (seeds in run order). */
export function compareSeeds(
  a: string,
  b: string,
  tables: { seed: number; t: PairedCounts }[],
  on: { metric: string; unit: string } = { metric: "exact_accuracy", unit: "rows" },
): Comparison {
  if (tables.length === 0) throw new Error(`compareSeeds ${a} vs ${b}: no seeds`);
  const per_seed = tables.map(({ seed, t }) => {
    const n = t.both + t.aOnly + t.bOnly + t.neither;
    return {
      seed,
      n,
      both: t.both,
      a_only: t.aOnly,
      b_only: t.bOnly,
      neither: t.neither,
      difference: n ? (t.aOnly - t.bOnly) / n : 0,
      ci95: newcombePaired(t),
      p_value: mcnemarExact(t.aOnly, t.bOnly),
    };
  });
  const pooled = { both: 0, aOnly: 0, bOnly: 0, neither: 0 };
  for (const { t } of tables) {
    pooled.both += t.both;
    pooled.aOnly += t.aOnly;
    pooled.bOnly += t.bOnly;
    pooled.neither += t.neither;
  }
  const n = pooled.both + pooled.aOnly + pooled.bOnly + pooled.neither;
  const difference = n ? (pooled.aOnly - pooled.bOnly) / n : 0;
  const p = mcnemarExact(pooled.aOnly, pooled.bOnly);
  const k = tables.length;
  const method = k === 1
    ? `exact McNemar test on ${pooled.aOnly} vs ${pooled.bOnly} discordant ${on.unit} (one seed); ` +
      "interval: Newcombe's paired score interval"
    : `exact McNemar test on discordant ${on.unit} pooled over ${k} seeds, stratified by seed ` +
      `(${pooled.aOnly} vs ${pooled.bOnly}; exact conditional binomial); interval: Newcombe's ` +
      `paired score interval on the pooled ${on.unit}`;
  return {
    a,
    b,
    metric: on.metric,
    difference,
    ci95: newcombePaired(pooled),
    p_value: p,
    method,
    verdict: verdict(difference, p),
    per_seed,
    // Null with one seed, or when every seed gives the same difference (no spread: a zero-width
    // interval would claim certainty).
    seed_ci95: k >= 2 && new Set(per_seed.map((s) => s.difference)).size > 1
      ? tInterval(per_seed.map((s) => s.difference))
      : null,
  };
}

/** A p-value as text: `= 0.0312`, `= 2.1e-7`, or `< 1e-300` where it underflows. */
export function pText(p: number): string {
  if (p === 0) return "< 1e-300";
  return `= ${p < 1e-4 ? p.toExponential(1) : p.toFixed(4)}`;
}

/** Words for a comparison, e.g. `hrm is ahead of direct_pred (+3.5 points, ...)`. */
export function comparisonText(c: Comparison): string {
  const pts = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}`;
  const head = c.verdict === "not distinguishable at 95%"
    ? `${c.a} and ${c.b} are not distinguishable at 95%`
    : `${c.a} is ${c.verdict === "ahead" ? "ahead of" : "behind"} ${c.b}`;
  return `${head}: difference ${pts(c.difference)} points, 95% CI [${pts(c.ci95[0])}, ${
    pts(c.ci95[1])
  }], p ${pText(c.p_value)} ` +
    `(${c.per_seed.length} seed${c.per_seed.length === 1 ? "" : "s"})`;
}
