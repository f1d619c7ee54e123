/**
 * Builds a Maze-Hard dataset folder in the reference layout
 * (`<out>/{train,test}/all__*.npy`, `dataset.json`, `identifiers.json`) plus
 * `<out>/build.json` (arguments, counts, path-length distribution, SHA-256 of
 * every file). `--out` is checked before any work and the folder is written
 * under a temporary name and renamed at the end (io's output-folder rules), so
 * an interrupted build leaves nothing under `--out`.
 * @module
 */
import {
  type DatasetMetadata,
  type ReferenceSetArrays,
  type SplitName,
  writeIdentifiers,
  writeReferenceSplit,
} from "../dataset.ts";
import { type BuildKind, checkOutputDir, writeJsonAtomic, writeOutputDir } from "../../io/mod.ts";
import { countShortestPaths, endpoints } from "./bfs.ts";
import { formatBadRows, importCsvFile } from "./csv.ts";
import { defaultWallRange, type MazeParams } from "./generate.ts";
import { dihedral, VOCAB_SIZE, WALL } from "./grid.ts";
import { type BuildOptions } from "./options.ts";
import { generateMany, runJob } from "./pool.ts";
import { Progress, seedWords } from "../../util/mod.ts";
import { formatSummary, type IntSummary, summarize } from "./stats.ts";

/** The labelling rule, as recorded in build.json. */
export const LABEL_RULE =
  "bfs-from-goal, greedy descent from start, neighbour order up,right,down,left";

/** Mazes of one split before materialisation. */
export interface MazeList {
  questions: Uint8Array[];
  answers: Uint8Array[];
  lengths: number[];
  walls: number[];
}

/** `<out>/build.json`. */
export interface BuildSummary {
  task: "maze";
  format: 1;
  source: "generated" | "csv";
  args: {
    seed: number | null;
    train: number;
    test: number;
    size: number;
    minPath: number | null;
    aug: boolean;
    wallRange: [number, number] | null;
    fromCsv: string | null;
  };
  labelRule: string;
  counts: Record<SplitName, { mazes: number; examples: number }>;
  pathLength: Record<SplitName, IntSummary>;
  walls: Record<SplitName, IntSummary>;
  /** How many distinct shortest paths each maze has (the label is one of them). */
  shortestPaths: Record<SplitName, ShortestPathCounts>;
  /** Generated only: layouts drawn in total, and mazes redrawn to keep layouts unique. */
  layoutsTried: Record<SplitName, number> | null;
  redraws: number;
  /** CSV only: rows dropped with --skip-bad. */
  badRows: Record<SplitName, number> | null;
  /** Relative path -> "sha256:<hex>". */
  files: Record<string, string>;
}

/** Summary of the number of distinct shortest paths per maze. */
export interface ShortestPathCounts {
  /** Mazes with exactly one shortest path. */
  unique: number;
  min: number;
  median: number;
  max: number;
}

/** Counts the distinct shortest S-G paths of every maze of a list. */
export function shortestPathCounts(list: MazeList, size: number): ShortestPathCounts {
  const counts = list.questions.map((q) => {
    const e = endpoints(q, size);
    return countShortestPaths(e.toGoal, size, e.start);
  }).sort((a, b) => a - b);
  return {
    unique: counts.filter((c) => c === 1).length,
    min: counts[0] ?? 0,
    median: counts[Math.floor(counts.length / 2)] ?? 0,
    max: counts[counts.length - 1] ?? 0,
  };
}

const SPLIT_TAG: Record<SplitName, number> = { train: 0, test: 1 };

/** Key identifying a wall layout (S and G positions ignored). */
export function layoutKey(question: Uint8Array): string {
  let s = "";
  for (let i = 0; i < question.length; i += 8) {
    let byte = 0;
    for (let b = 0; b < 8 && i + b < question.length; b++) {
      if (question[i + b] === WALL) byte |= 1 << b;
    }
    s += String.fromCharCode(byte);
  }
  return s;
}

/** Stream key of maze `index` of `split`, redraw `redraw` (0 = first draw). */
export function mazeKey(seed: number, split: SplitName, index: number, redraw: number): number[] {
  const [lo, hi] = seedWords(seed);
  return [lo, hi, SPLIT_TAG[split], index, redraw];
}

/** Generates both splits; layouts are unique within and across splits. */
export async function generateSplits(
  opts: BuildOptions,
): Promise<
  { lists: Record<SplitName, MazeList>; tried: Record<SplitName, number>; redraws: number }
> {
  const [wallMin, wallMax] = defaultWallRange(opts.size);
  const params: MazeParams = { size: opts.size, minPath: opts.minPath, wallMin, wallMax };
  // A path longer than minPath needs minPath + 2 open cells; fail now rather than search.
  if (opts.minPath + 2 > opts.size * opts.size - wallMin) {
    throw new Error(
      `--min-path ${opts.minPath} is impossible on a ${opts.size}x${opts.size} grid with at least ` +
        `${wallMin} walls (a longer path needs ${opts.minPath + 2} open cells)`,
    );
  }
  const counts: Record<SplitName, number> = { train: opts.train, test: opts.test };
  const keys: number[][] = [];
  for (const split of ["train", "test"] as const) {
    for (let i = 0; i < counts[split]; i++) keys.push(mazeKey(opts.seed, split, i, 0));
  }
  const progress = new Progress({
    label: "generating mazes",
    total: keys.length,
    quiet: opts.quiet || keys.length === 0,
  });
  const mazes = await generateMany(params, keys, opts.workers, (d) => progress.update(d));
  progress.stop();
  // Train first, then test, each in index order: a repeated layout is redrawn
  // with the next redraw number of its own key, so this is deterministic.
  const seen = new Set<string>();
  const lists = {} as Record<SplitName, MazeList>;
  const tried = { train: 0, test: 0 };
  let redraws = 0;
  let at = 0;
  for (const split of ["train", "test"] as const) {
    const list: MazeList = { questions: [], answers: [], lengths: [], walls: [] };
    for (let i = 0; i < counts[split]; i++) {
      let m = mazes[at++];
      tried[split] += m.layoutsTried;
      for (let r = 1; seen.has(layoutKey(m.question)); r++) {
        m = runJob(params, mazeKey(opts.seed, split, i, r));
        tried[split] += m.layoutsTried;
        redraws++;
      }
      seen.add(layoutKey(m.question));
      list.questions.push(m.question);
      list.answers.push(m.answer);
      list.lengths.push(m.length);
      list.walls.push(m.walls);
    }
    lists[split] = list;
  }
  return { lists, tried, redraws };
}

/** Materialises one split: reference arrays, with the 8 dihedral transforms when `aug`. */
export function toReferenceArrays(list: MazeList, size: number, aug: boolean): ReferenceSetArrays {
  const cells = size * size;
  const variants = aug ? 8 : 1;
  const count = list.questions.length;
  const inputs = new Uint8Array(count * variants * cells);
  const labels = new Uint8Array(count * variants * cells);
  const puzzleIndices = new Int32Array(count * variants + 1);
  const groupIndices = new Int32Array(count + 1);
  let example = 0;
  for (let i = 0; i < count; i++) {
    for (let tid = 0; tid < variants; tid++) {
      inputs.set(dihedral(list.questions[i], size, tid), example * cells);
      labels.set(dihedral(list.answers[i], size, tid), example * cells);
      example++;
      puzzleIndices[example] = example; // one example per puzzle, as the reference
    }
    groupIndices[i + 1] = example;
  }
  return {
    inputs: { dtype: "u8", shape: [example, cells], data: inputs },
    labels: { dtype: "u8", shape: [example, cells], data: labels },
    puzzle_identifiers: new Int32Array(example),
    puzzle_indices: puzzleIndices,
    group_indices: groupIndices,
  };
}

/** `dataset.json` of a split, with the reference builder's values. */
export function mazeMetadata(size: number, groups: number): DatasetMetadata {
  return {
    pad_id: 0,
    ignore_label_id: 0,
    blank_identifier_id: 0,
    vocab_size: VOCAB_SIZE,
    seq_len: size * size,
    num_puzzle_identifiers: 1,
    total_groups: groups,
    mean_puzzle_examples: 1,
    sets: ["all"],
  };
}

/** SHA-256 of a file as `sha256:<hex>`. */
export async function fileDigest(path: string): Promise<string> {
  const bytes = await Deno.readFile(path);
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return "sha256:" + Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Files of a built folder that build.json lists, in a fixed order. */
export const DATA_FILES = ["train", "test"].flatMap((split) => [
  ...["inputs", "labels", "puzzle_identifiers", "puzzle_indices", "group_indices"].map((f) =>
    `${split}/all__${f}.npy`
  ),
  `${split}/dataset.json`,
]).concat(["identifiers.json"]);

/** What a maze build writes besides build.json (all `--force` may delete). */
export const MAZE_OUTPUT: BuildKind = {
  task: "maze",
  command: "deno task data maze",
  files: DATA_FILES,
};

/** Reads both CSV files; fails on bad rows unless `skipBad` (then they are dropped and counted). */
async function importSplits(
  opts: BuildOptions,
): Promise<{ lists: Record<SplitName, MazeList>; bad: Record<SplitName, number>; size: number }> {
  const dir = opts.fromCsv!;
  const lists = {} as Record<SplitName, MazeList>;
  const bad = { train: 0, test: 0 };
  const problems: string[] = [];
  let size: number | null = null;
  for (const split of ["train", "test"] as const) {
    const imp = await importCsvFile(dir, split, size);
    if (imp.questions.length) size = imp.size;
    bad[split] = imp.bad.length;
    problems.push(...formatBadRows(`${dir}/${split}.csv`, imp.bad));
    lists[split] = {
      questions: imp.questions,
      answers: imp.answers,
      lengths: imp.lengths,
      walls: imp.questions.map((q) => q.reduce((k, v) => k + (v === WALL ? 1 : 0), 0)),
    };
  }
  if (problems.length && !opts.skipBad) {
    // One line: the count, then the first rows by file and line number.
    const shown = problems.slice(0, 5).join("; ") + (problems.length > 5 ? "; ..." : "");
    throw new Error(`${bad.train + bad.test} bad rows (use --skip-bad to drop them): ${shown}`);
  }
  for (const line of problems) console.log(`skipped ${line}`);
  for (const split of ["train", "test"] as const) {
    if (lists[split].questions.length === 0) throw new Error(`${dir}/${split}.csv: no good rows`);
  }
  return { lists, bad, size: size! };
}

/** Runs a whole build and returns its summary (also written to `<out>/build.json`). */
export async function buildMaze(opts: BuildOptions): Promise<BuildSummary> {
  const t0 = performance.now();
  const plan = await checkOutputDir(opts.out, MAZE_OUTPUT, opts.force); // before any work
  for (const note of plan.notes) console.error(note);
  let lists: Record<SplitName, MazeList>;
  let size = opts.size;
  let tried: Record<SplitName, number> | null = null;
  let badRows: Record<SplitName, number> | null = null;
  let redraws = 0;
  if (opts.fromCsv) {
    const imp = await importSplits(opts);
    ({ lists, size } = imp);
    badRows = imp.bad;
  } else {
    ({ lists, tried, redraws } = await generateSplits(opts));
  }
  const genSeconds = (performance.now() - t0) / 1000;

  let summary: BuildSummary | undefined;
  await writeOutputDir(plan, async (tmp) => {
    const counts = {} as BuildSummary["counts"];
    for (const split of ["train", "test"] as const) {
      const arrays = toReferenceArrays(lists[split], size, split === "train" && opts.aug);
      const groups = lists[split].questions.length;
      await writeReferenceSplit(tmp, split, mazeMetadata(size, groups), { all: arrays });
      counts[split] = { mazes: groups, examples: arrays.inputs.shape[0] };
    }
    await writeIdentifiers(tmp, ["<blank>"]);
    const files: Record<string, string> = {};
    for (const f of DATA_FILES) files[f] = await fileDigest(`${tmp}/${f}`);
    const generated = !opts.fromCsv;
    summary = {
      task: "maze",
      format: 1,
      source: generated ? "generated" : "csv",
      args: {
        seed: generated ? opts.seed : null,
        train: counts.train.mazes,
        test: counts.test.mazes,
        size,
        minPath: generated ? opts.minPath : null,
        aug: opts.aug,
        wallRange: generated ? defaultWallRange(size) : null,
        fromCsv: opts.fromCsv ?? null,
      },
      labelRule: generated ? LABEL_RULE : "as given in the CSV answers",
      counts,
      pathLength: { train: summarize(lists.train.lengths), test: summarize(lists.test.lengths) },
      walls: { train: summarize(lists.train.walls), test: summarize(lists.test.walls) },
      shortestPaths: {
        train: shortestPathCounts(lists.train, size),
        test: shortestPathCounts(lists.test, size),
      },
      layoutsTried: tried,
      redraws,
      badRows,
      files,
    };
    await writeJsonAtomic(`${tmp}/build.json`, summary);
  });
  if (!opts.quiet) printSummary(plan.out, summary!, genSeconds, (performance.now() - t0) / 1000);
  return summary!;
}

function printSummary(out: string, s: BuildSummary, genSeconds: number, total: number): void {
  const mazes = s.counts.train.mazes + s.counts.test.mazes;
  console.log(`wrote ${out} (${s.source}, ${s.args.size}x${s.args.size})`);
  for (const split of ["train", "test"] as const) {
    const c = s.counts[split];
    console.log(`  ${split}: ${c.mazes} mazes, ${c.examples} examples`);
  }
  if (s.layoutsTried) {
    const layouts = s.layoutsTried.train + s.layoutsTried.test;
    console.log(
      `  layouts drawn: ${layouts} (${((100 * mazes) / layouts).toFixed(2)}% had a path longer ` +
        `than ${s.args.minPath}), redraws for uniqueness: ${s.redraws}`,
    );
    console.log(
      `  generation: ${genSeconds.toFixed(1)} s, ${(mazes / genSeconds).toFixed(1)} mazes/s`,
    );
  }
  for (const split of ["train", "test"] as const) {
    const w = s.walls[split];
    const cells = s.args.size * s.args.size;
    const pct = (x: number) => `${((100 * x) / cells).toFixed(1)}%`;
    console.log(
      `  walls, ${split}: min ${w.min} (${pct(w.min)}) median ${w.median} (${pct(w.median)}) ` +
        `max ${w.max} (${pct(w.max)})`,
    );
    const p = s.shortestPaths[split];
    console.log(
      `  shortest paths per maze, ${split}: unique in ${p.unique}/${s.counts[split].mazes}, ` +
        `min ${p.min}, median ${p.median}, max ${p.max.toExponential(2)}`,
    );
  }
  for (const split of ["train", "test"] as const) {
    for (const line of formatSummary(`  path length (moves), ${split}`, s.pathLength[split])) {
      console.log(line);
    }
  }
  console.log(`  total: ${total.toFixed(1)} s`);
}
