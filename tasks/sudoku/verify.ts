/**
 * `deno task data verify DIR`: re-checks a built Sudoku folder: shapes and
 * vocabulary, every label a valid complete grid agreeing with its puzzle,
 * uniqueness (a sample, or all with --all), stored ratings, diversity within a
 * split, train/test disjointness up to symmetry, and the rating summary.
 * @module
 */
import {
  type PuzzleSet,
  type PuzzleSplit,
  readReferenceSplit,
  type SplitName,
} from "../dataset.ts";
import type { VerifyReport } from "../task.ts";
import { assertFinishedBuild, pathExists } from "../../io/mod.ts";
import { equivalent, symmetryKey } from "./canonical.ts";
import { readOfficialCsv } from "./csv.ts";
import { agrees, type Grid, isCompleteSolution } from "./grid.ts";
import { rate } from "./rater.ts";
import { isMinimal } from "./generate.ts";
import { deriveSeed, Rng } from "../../util/mod.ts";
import { countSolutions } from "./solver.ts";
import { isCompactDir, openCompactSplit } from "./store.ts";
import { formatSummary, summarize } from "./summary.ts";

const SAMPLE = 200;
/** Puzzles whose minimality is checked without --all. */
const MINIMAL_SAMPLE = 50;
/** Augmented examples checked per split without --all. */
const EXAMPLE_SAMPLE = 5000;

async function openSplit(dir: string, split: SplitName, compact: boolean): Promise<PuzzleSplit> {
  return compact ? await openCompactSplit(dir, split) : await readReferenceSplit(dir, split);
}

/** Verifies a built folder; `all` checks every puzzle's uniqueness and every example. */
export async function verifySudoku(dir: string, options: { all?: boolean }): Promise<VerifyReport> {
  await assertFinishedBuild(dir); // an interrupted build is refused, not half-checked
  const lines: string[] = [];
  const problems: string[] = [];
  const compact = await isCompactDir(dir);
  const build = await buildRecord(dir);
  const origin = typeof build.generator === "string" ? build.generator : "";
  // Easy builds promise an exact blank count instead of minimality.
  const blanks = typeof build.blanks === "number" ? build.blanks : 0;
  const imported = origin.includes("csv-import");
  const generated = origin.startsWith("sudoku-extreme-regen");
  const originals: Grid[][] = [];
  for (const split of ["train", "test"] as const) {
    const data = await openSplit(dir, split, compact);
    const m = data.metadata;
    if (m.seq_len !== 81 || m.vocab_size !== 11 || m.pad_id !== 0 || m.ignore_label_id !== 0) {
      problems.push(`${split}: metadata is not Sudoku's (seq_len 81, vocab 11, pad 0, ignore 0)`);
    }
    const set = data.sets.get("all");
    if (!set) {
      problems.push(`${split}: no set 'all'`);
      continue;
    }
    const groups = set.groupIndices.length - 1;
    if (groups !== m.total_groups) {
      problems.push(`${split}: ${groups} groups, metadata says ${m.total_groups}`);
    }
    const inputs = new Int32Array(81), labels = new Int32Array(81);
    const rng = new Rng(deriveSeed(0x5645, split === "train" ? 0 : 1));
    // Every original (the first puzzle of each group), and all or a sample of the rest.
    const firsts = new Set<number>();
    for (let g = 0; g < groups; g++) firsts.add(set.puzzleIndices[set.groupIndices[g]]);
    const check = new Set(firsts);
    if (options.all || set.numExamples <= firsts.size + EXAMPLE_SAMPLE) {
      for (let i = 0; i < set.numExamples; i++) check.add(i);
    } else {
      while (check.size < firsts.size + EXAMPLE_SAMPLE) check.add(rng.int(set.numExamples));
    }
    const puzzles: Grid[] = [];
    let bad = 0;
    for (const i of [...check].sort((a, b) => a - b)) {
      set.fill(i, inputs, labels, 0);
      const p = new Uint8Array(81), s = new Uint8Array(81);
      let tokensOk = true;
      for (let k = 0; k < 81; k++) {
        if (inputs[k] < 1 || inputs[k] > 10 || labels[k] < 2 || labels[k] > 10) tokensOk = false;
        p[k] = inputs[k] - 1;
        s[k] = labels[k] - 1;
      }
      if (!tokensOk || !isCompleteSolution(s) || !agrees(p, s)) {
        if (bad++ < 5) {
          problems.push(`${split}: example ${i}: label is not a valid solution of its puzzle`);
        }
      }
      if (firsts.has(i)) puzzles.push(p);
    }
    lines.push(`${split}: ${groups} puzzles, ${set.numExamples} examples, ${check.size} checked`);
    if (compact && await pathExists(`${dir}/${split}/all__inputs.npy`)) {
      await compareReference(dir, split, set, lines, problems);
    }
    const uniq = options.all
      ? puzzles.map((_, i) => i)
      : rng.permutation(puzzles.length).slice(0, SAMPLE);
    let notUnique = 0;
    for (const i of uniq) if (countSolutions(puzzles[i], 2).count !== 1) notUnique++;
    if (notUnique) {
      problems.push(
        `${split}: ${notUnique} of ${uniq.length} checked puzzles lack a unique solution`,
      );
    }
    if (blanks > 0) {
      const off = puzzles.filter((p) => p.reduce((n, v) => n + (v === 0 ? 1 : 0), 0) !== blanks);
      if (off.length) {
        problems.push(`${split}: ${off.length} puzzles do not have exactly ${blanks} blanks`);
      }
      lines.push(`${split}: uniqueness checked on ${uniq.length} puzzles, ${blanks} blanks on all`);
    } else {
      // Minimality (no given removable) on the first puzzles of the same sample.
      const minimalSample = options.all ? uniq : uniq.slice(0, MINIMAL_SAMPLE);
      const notMinimal = minimalSample.filter((i) => !isMinimal(puzzles[i])).length;
      if (notMinimal) {
        // Only generated puzzles promise minimality (official easy sources are not minimal).
        const msg = `${split}: ${notMinimal} of ${minimalSample.length} puzzles are not minimal`;
        (generated ? problems : lines).push(msg);
      }
      lines.push(
        `${split}: uniqueness checked on ${uniq.length} puzzles, minimality on ${minimalSample.length}`,
      );
    }
    let close = 0;
    for (let a = 0; a < puzzles.length; a++) {
      for (let b = a + 1; b < puzzles.length; b++) {
        let d = 0;
        for (let k = 0; k < 81 && d < 4; k++) if (puzzles[a][k] !== puzzles[b][k]) d++;
        if (d < 4) close++;
      }
    }
    if (close) problems.push(`${split}: ${close} pairs of puzzles differ in fewer than 4 clues`);
    originals.push(puzzles);
    await checkRatings(
      imported,
      dir,
      split,
      puzzles,
      options.all ? puzzles.length : SAMPLE,
      lines,
      problems,
    );
  }
  if (originals.length === 2) {
    const keys = new Map<string, Grid[]>();
    for (const p of originals[0]) {
      keys.set(symmetryKey(p), [...(keys.get(symmetryKey(p)) ?? []), p]);
    }
    let shared = 0;
    for (const p of originals[1]) {
      if ((keys.get(symmetryKey(p)) ?? []).some((t) => equivalent(p, t))) shared++;
    }
    if (shared) problems.push(`train and test share ${shared} puzzles up to symmetry`);
    else lines.push("train/test: disjoint up to Sudoku symmetries");
  }
  for (const p of problems) lines.push(`problem: ${p}`);
  return { ok: problems.length === 0, lines };
}

/**
 * Checks a compact build's reference `.npy` layout of `split` (the loader's
 * checks, then every example and index array) against the compact form, which
 * the caller checked; at most 5 differing examples are named.
 */
async function compareReference(
  dir: string,
  split: SplitName,
  compact: PuzzleSet,
  lines: string[],
  problems: string[],
): Promise<void> {
  let ref: PuzzleSet | undefined;
  try {
    ref = (await readReferenceSplit(dir, split)).sets.get("all");
  } catch (err) {
    problems.push(`${split}: ${err instanceof Error ? err.message : err}`);
    return;
  }
  const base = `${dir}/${split}/all__`;
  if (!ref || ref.numExamples !== compact.numExamples) {
    problems.push(
      `${base}inputs.npy: ${
        ref?.numExamples ?? 0
      } examples, the compact form has ${compact.numExamples}`,
    );
    return;
  }
  const indexArrays = [
    ["puzzle_identifiers", ref.puzzleIdentifiers, compact.puzzleIdentifiers],
    ["puzzle_indices", ref.puzzleIndices, compact.puzzleIndices],
    ["group_indices", ref.groupIndices, compact.groupIndices],
  ] as const;
  for (const [field, a, b] of indexArrays) {
    if (a.length !== b.length || a.some((v, k) => v !== b[k])) {
      problems.push(`${base}${field}.npy: differs from the compact form`);
    }
  }
  const ri = new Int32Array(81), rl = new Int32Array(81);
  const ci = new Int32Array(81), cl = new Int32Array(81);
  let differ = 0;
  for (let i = 0; i < ref.numExamples; i++) {
    ref.fill(i, ri, rl, 0);
    compact.fill(i, ci, cl, 0);
    const input = ri.some((v, k) => v !== ci[k]), label = rl.some((v, k) => v !== cl[k]);
    if (!input && !label) continue;
    if (differ++ < 5) {
      const what = input && label ? "inputs and labels" : input ? "inputs" : "labels";
      problems.push(
        `${base}${label ? "labels" : "inputs"}.npy: example ${i}: ${what} differ ` +
          `from the compact form (its label must be the solution of its puzzle)`,
      );
    }
  }
  if (differ > 5) problems.push(`${base}*.npy: ${differ} examples differ from the compact form`);
  if (!differ) {
    lines.push(
      `${split}: reference .npy layout equals the compact form (${ref.numExamples} examples)`,
    );
  }
}

async function checkRatings(
  imported: boolean,
  dir: string,
  split: string,
  puzzles: Grid[],
  sample: number,
  lines: string[],
  problems: string[],
): Promise<void> {
  const path = `${dir}/${split}.csv`;
  const ratings: number[] = [];
  const questions: Grid[] = [];
  if (!(await pathExists(path))) {
    // A folder written by the reference script has no CSV: rate the puzzles instead.
    const ours = puzzles.map((p) => rate(p));
    lines.push(`${split}: no ${split}.csv; our rating ${formatSummary(summarize(ours))}`);
    return;
  }
  try {
    await readOfficialCsv(path, (row) => {
      ratings.push(row.rating);
      questions.push(row.question);
    }, true);
  } catch (err) {
    problems.push(`${split}: ${err instanceof Error ? err.message : err}`);
    return;
  }
  if (ratings.length !== puzzles.length) {
    problems.push(`${path}: ${ratings.length} rows for ${puzzles.length} puzzles`);
    return;
  }
  let wrongPuzzle = 0, wrongRating = 0;
  const n = Math.min(sample, puzzles.length);
  for (let i = 0; i < n; i++) {
    if (questions[i].some((v, k) => v !== puzzles[i][k])) wrongPuzzle++;
    else if (rate(puzzles[i]) !== ratings[i]) wrongRating++;
  }
  if (wrongPuzzle) problems.push(`${path}: ${wrongPuzzle} rows disagree with the data`);
  // Our own builds store our rater's count; imported official ratings are only compared.
  if (wrongRating && !imported) {
    problems.push(`${path}: ${wrongRating} rows disagree with the rater`);
  } else if (imported) {
    lines.push(`${split}: ${n - wrongRating} of ${n} sampled official ratings equal our rater's`);
  }
  lines.push(`${split}: rating ${formatSummary(summarize(ratings))}`);
}

/** The `generator` recorded in build.json ("" when absent, e.g. the reference script's output). */
/** build.json as a record (empty when missing or unreadable: imports of other layouts). */
async function buildRecord(dir: string): Promise<Record<string, unknown>> {
  try {
    const build = JSON.parse(await Deno.readTextFile(`${dir}/build.json`));
    return build && typeof build === "object" ? build : {};
  } catch {
    return {};
  }
}
