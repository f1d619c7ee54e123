/**
 * `--from-csv DIR`: converts the official Sudoku-Extreme CSVs into the same
 * layout as a generated build, with the reference script's options
 * (`--subsample N` of train, `--min-difficulty R` on both splits), but seeded.
 * @module
 */
import { readOfficialCsv } from "./csv.ts";
import { type Item, splitSummary, writeAtomically, writeBuild } from "./build.ts";
import { deriveSeed, Rng } from "../../util/mod.ts";
import { formatSummary } from "./summary.ts";

/** Options of an import. */
export interface ImportOptions {
  dir: string;
  out: string;
  seed: number;
  aug: number;
  subsample?: number;
  minDifficulty?: number;
  strict: boolean;
  force: boolean;
  writeReferenceLayout: boolean;
}

/** Reads `<dir>/{train,test}.csv` and writes the dataset; returns the lines it printed. */
export async function importCsv(o: ImportOptions): Promise<string[]> {
  const lines: string[] = [];
  const splits: Item[][] = [];
  const sources: Record<string, number>[] = [];
  for (const name of ["train", "test"]) {
    const items: Item[] = [];
    const bySource: Record<string, number> = {};
    const path = `${o.dir}/${name}.csv`;
    const problems = await readOfficialCsv(path, (row) => {
      if (o.minDifficulty !== undefined && row.rating < o.minDifficulty) return;
      bySource[row.source] = (bySource[row.source] ?? 0) + 1;
      items.push({
        puzzle: row.question,
        solution: row.answer,
        rating: row.rating,
        kind: "hard",
        source: row.source,
      });
    }, o.strict);
    for (const p of problems.slice(0, 20)) {
      lines.push(`sudoku: ${path}: line ${p.line}: ${p.message} (skipped)`);
    }
    if (problems.length > 20) lines.push(`sudoku: ${path}: ${problems.length - 20} more bad rows`);
    let chosen = items;
    if (name === "train" && o.subsample !== undefined && o.subsample < items.length) {
      // Like the reference's np.random.choice(total, size, replace=False), but seeded.
      const order = new Rng(deriveSeed(o.seed, 0x435356)).permutation(items.length);
      chosen = Array.from(order.slice(0, o.subsample), (i) => items[i]);
    }
    splits.push(chosen);
    sources.push(bySource);
  }
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
