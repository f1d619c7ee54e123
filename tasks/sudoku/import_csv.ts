/**
 * `--from-csv DIR`: converts the official Sudoku-Extreme CSVs into the same
 * layout as a generated build, with the reference script's options
 * (`--subsample N` of train, `--min-difficulty R` on both splits), but seeded.
 * Strict by default: a malformed row, or a puzzle that is not uniquely
 * solvable, fails the import with one line naming the file and line (nothing
 * is written); `skipBad` drops such rows and reports their count and lines.
 * @module
 */
import { badRowsLine, type CsvProblem, readOfficialCsv } from "./csv.ts";
import { type Item, splitSummary, writeAtomically, writeBuild } from "./build.ts";
import { deriveSeed, Rng } from "../../util/mod.ts";
import { countSolutions } from "./solver.ts";
import { formatSummary } from "./summary.ts";

/** Options of an import. */
export interface ImportOptions {
  /** Folder holding `train.csv` and `test.csv`. */
  dir: string;
  /** Output folder. */
  out: string;
  /** Seed of the subsample and the shuffles. */
  seed: number;
  /** Shuffles per training puzzle. */
  aug: number;
  /** Keep this many random training puzzles. */
  subsample?: number;
  /** Keep puzzles rated at least this. */
  minDifficulty?: number;
  /** Drop bad rows (reported) instead of failing. */
  skipBad: boolean;
  /** Replace a finished or unfinished Sudoku build at `out`. */
  force: boolean;
  /** Also write the augmented training `.npy` files. */
  writeReferenceLayout: boolean;
}

/** A good row and its line. */
interface Row {
  item: Item;
  line: number;
}

/** Why a puzzle cannot be imported (its answer was checked to be a valid grid agreeing with it). */
function uniquenessProblem(row: Row): CsvProblem | null {
  const n = countSolutions(row.item.puzzle, 2).count;
  return n === 1 ? null : {
    line: row.line,
    message: n === 0
      ? "question has no solution"
      : "question is not uniquely solvable (2 or more solutions)",
  };
}

/**
 * The rows of one split to import, in order: all of them, or with `subsample`
 * the first `subsample` in a seeded order (like the reference's
 * np.random.choice without replacement). Only these are proved unique; with
 * `skipBad` a non-unique one is replaced by the next in that order.
 */
function choose(
  rows: Row[],
  subsample: number | undefined,
  seed: number,
  skipBad: boolean,
  problems: CsvProblem[],
): Item[] {
  const order = subsample !== undefined && subsample < rows.length
    ? new Rng(deriveSeed(seed, 0x435356)).permutation(rows.length)
    : null;
  const want = order ? subsample! : rows.length;
  const chosen: Item[] = [];
  for (let k = 0; k < rows.length && chosen.length < want; k++) {
    const row = rows[order ? order[k] : k];
    const problem = uniquenessProblem(row);
    if (!problem) chosen.push(row.item);
    else {
      problems.push(problem);
      if (!skipBad) break; // the import fails: no need to look further
    }
  }
  problems.sort((a, b) => a.line - b.line);
  return chosen;
}

/** Reads `<dir>/{train,test}.csv` and writes the dataset; returns the lines it printed. */
export async function importCsv(o: ImportOptions): Promise<string[]> {
  const lines: string[] = [];
  const splits: Item[][] = [];
  const errors: string[] = [];
  const skipped: Record<string, number> = {};
  for (const name of ["train", "test"]) {
    const rows: Row[] = [];
    const path = `${o.dir}/${name}.csv`;
    let below = 0;
    const problems = await readOfficialCsv(path, (row, line) => {
      if (o.minDifficulty !== undefined && row.rating < o.minDifficulty) {
        below++;
        return;
      }
      const item: Item = {
        puzzle: row.question,
        solution: row.answer,
        rating: row.rating,
        kind: "hard",
        source: row.source,
      };
      rows.push({ item, line });
    });
    const subsample = name === "train" ? o.subsample : undefined;
    // A malformed row already fails a strict import: no need to prove the rest unique.
    const chosen = problems.length && !o.skipBad
      ? []
      : choose(rows, subsample, o.seed, o.skipBad, problems);
    if (problems.length && !o.skipBad) {
      errors.push(badRowsLine(path, problems));
      continue;
    }
    if (problems.length) {
      skipped[name] = problems.length;
      lines.push(`sudoku: ${badRowsLine(path, problems)}; skipped (--skip-bad)`);
      for (const p of problems.slice(0, 20)) {
        lines.push(`sudoku: ${path}: line ${p.line}: ${p.message} (skipped)`);
      }
      if (problems.length > 20) {
        lines.push(`sudoku: ${path}: ${problems.length - 20} more bad rows`);
      }
    }
    if (chosen.length === 0) {
      const minimum = o.minDifficulty !== undefined ? `, ${below} below --min-difficulty` : "";
      throw new Error(
        `${path}: no puzzles to import (${
          rows.length + problems.length + below
        } data rows: ${problems.length} bad${minimum}); an empty split is an error`,
      );
    }
    splits.push(chosen);
  }
  if (errors.length) throw new Error(`${errors.join("; ")} (use --skip-bad to skip bad rows)`);
  const summaries = {
    train: { all: splitSummary(splits[0]).all },
    test: { all: splitSummary(splits[1]).all },
  };
  const build = {
    task: "sudoku",
    generator: "sudoku-extreme-csv-import/2",
    source_dir: o.dir,
    seed: o.seed,
    aug: o.aug,
    subsample: o.subsample ?? null,
    min_difficulty: o.minDifficulty ?? null,
    train: splits[0].length,
    test: splits[1].length,
    // Only imports that skipped rows record it, so clean imports keep their bytes.
    ...(Object.keys(skipped).length ? { skipped_bad_rows: skipped } : {}),
  };
  await writeAtomically(
    o.out,
    o.force,
    (dir) => writeBuild(dir, splits, o, build, summaries),
  );
  lines.push(`sudoku: imported ${splits[0].length} train / ${splits[1].length} test into ${o.out}`);
  lines.push(`sudoku: train rating ${formatSummary(summaries.train.all)}`);
  lines.push(`sudoku: test rating ${formatSummary(summaries.test.all)}`);
  for (const l of lines) console.log(l);
  return lines;
}
