/**
 * `deno task data verify DIR`: re-checks a built Sudoku folder: shapes and
 * vocabulary, every label a valid complete grid agreeing with its puzzle,
 * uniqueness (a sample, or all with --all), stored ratings, diversity within a
 * split, train/test disjointness up to symmetry, and the rating summary.
 * @module
 */
import { type PuzzleSplit, readReferenceSplit, type SplitName } from "../dataset.ts";
import type { VerifyReport } from "../task.ts";
import { equivalent, symmetryKey } from "./canonical.ts";
import { readOfficialCsv } from "./csv.ts";
import { agrees, type Grid, isCompleteSolution } from "./grid.ts";
import { rate } from "./rater.ts";
import { deriveSeed, Rng } from "./rng.ts";
import { countSolutions } from "./solver.ts";
import { isCompactDir, openCompactSplit } from "./store.ts";
import { formatSummary, summarize } from "./summary.ts";

const SAMPLE = 200;
/** Augmented examples checked per split without --all. */
const EXAMPLE_SAMPLE = 5000;

async function openSplit(dir: string, split: SplitName, compact: boolean): Promise<PuzzleSplit> {
  return compact ? await openCompactSplit(dir, split) : await readReferenceSplit(dir, split);
}

/** Verifies a built folder; `all` checks every puzzle's uniqueness and every example. */
export async function verifySudoku(dir: string, options: { all?: boolean }): Promise<VerifyReport> {
  const lines: string[] = [];
  const problems: string[] = [];
  const compact = await isCompactDir(dir);
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
    lines.push(`${split}: uniqueness checked on ${uniq.length} puzzles`);
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
    await checkRatings(dir, split, puzzles, options.all ? puzzles.length : SAMPLE, lines, problems);
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

async function checkRatings(
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
  let mismatch = 0;
  for (let i = 0; i < Math.min(sample, puzzles.length); i++) {
    if (questions[i].some((v, k) => v !== puzzles[i][k]) || rate(puzzles[i]) !== ratings[i]) {
      mismatch++;
    }
  }
  if (mismatch) problems.push(`${path}: ${mismatch} rows disagree with the data or the rater`);
  lines.push(`${split}: rating ${formatSummary(summarize(ratings))}`);
}
