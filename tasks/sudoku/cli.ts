/**
 * Command lines of the Sudoku task: `build` (generate or import), `rate`
 * (calibration CSV) and `verify`, parsed with commander.
 * @module
 */
import { Command, InvalidArgumentError } from "@commander-js/extra-typings";
import { buildGenerated, checkSudokuOut, DEFAULT_HARD_SETTINGS } from "./build.ts";
import { MAX_EASY_BLANKS } from "./generate.ts";
import { importCsv } from "./import_csv.ts";
import { formatRateLine, rateCsvText } from "./rate_csv.ts";
import { verifySudoku } from "./verify.ts";
import { readOfficialCsv } from "./csv.ts";
import { renderHtml } from "./render.ts";
import { writeFileAtomic } from "../../io/mod.ts";
import { type ParsableCommand, parseCli } from "../../util/mod.ts";

function int(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer in ${min}..${max}, got '${value}'`);
    }
    return n;
  };
}

function share(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) {
    throw new InvalidArgumentError(`expected a number in 0..1, got '${value}'`);
  }
  return n;
}

/** Thrown after `--help` was printed: the command has nothing more to do. */
class HelpShown extends Error {}

/** Parses `args` via parseCli; a shown `--help` becomes HelpShown (caught by `run`). */
function parse(cmd: ParsableCommand, args: string[]): void {
  if (!parseCli(cmd, args)) throw new HelpShown();
}

/** Runs a command body, treating a shown `--help` as success. */
async function run(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    if (!(err instanceof HelpShown)) throw err;
  }
}

/** `deno task data sudoku ...` */
export function buildCommand(args: string[]): Promise<void> {
  return run(() => build(args));
}

async function build(args: string[]): Promise<void> {
  const cores = Math.max(1, navigator.hardwareConcurrency ?? 1);
  const cmd = new Command("sudoku")
    .description("Generate (or import) a Sudoku-Extreme-like dataset in the reference layout")
    .requiredOption("--out <dir>", "output folder")
    .option("--seed <n>", "master seed", int(0, 0xffffffff), 0)
    .option("--train <n>", "training puzzles", int(0), 1000)
    .option("--test <n>", "test puzzles", int(0), 1000)
    .option("--aug <k>", "shuffles per training puzzle", int(0), 1000)
    .option("--min-rating <r>", "drop generated puzzles rated below r", int(0), 0)
    .option("--hard-share <f>", "share of hill-climbed puzzles", share, 0.73)
    .option(
      "--blanks <n>",
      `easy puzzles: exactly n blanks (1-${MAX_EASY_BLANKS}) instead of minimal puzzles`,
      int(1, MAX_EASY_BLANKS),
    )
    .option("--workers <n>", "worker threads (0 = inline)", int(0, 256), cores)
    .option(
      "--hard-threshold <r>",
      "fitness a hard puzzle needs",
      int(0),
      DEFAULT_HARD_SETTINGS.threshold,
    )
    .option(
      "--pool-size <n>",
      "pool size of the hard search",
      int(2),
      DEFAULT_HARD_SETTINGS.poolSize,
    )
    .option("--per-job <n>", "hard puzzles per search job", int(1), DEFAULT_HARD_SETTINGS.perJob)
    .option(
      "--max-iterations <n>",
      "breeding budget per hard job",
      int(1),
      DEFAULT_HARD_SETTINGS.maxIterations,
    )
    .option("--write-reference-layout", "also materialise the augmented training .npy files", false)
    .option(
      "--force",
      "replace --out if it holds a (finished or unfinished) Sudoku build and nothing else",
      false,
    )
    .option("--from-csv <dir>", "import official train.csv/test.csv instead of generating")
    .option("--subsample <n>", "with --from-csv: keep n random training puzzles", int(1))
    .option("--min-difficulty <r>", "with --from-csv: keep puzzles rated >= r", int(0))
    .option(
      "--skip-bad",
      "with --from-csv: drop malformed or not uniquely solvable rows (reported) instead of failing",
      false,
    )
    .option("--strict", "with --from-csv: bad rows are fatal (the default)", false);
  parse(cmd, args);
  const o = cmd.opts();
  checkSudokuSize(o.fromCsv ? o.subsample : o.train, o.aug, o.writeReferenceLayout);
  if (o.fromCsv) {
    await checkSudokuOut(o.out, o.force); // refuse a bad --out before reading the CSVs
    await importCsv({
      dir: o.fromCsv,
      out: o.out,
      seed: o.seed,
      aug: o.aug,
      subsample: o.subsample,
      minDifficulty: o.minDifficulty,
      skipBad: o.skipBad,
      force: o.force,
      writeReferenceLayout: o.writeReferenceLayout,
    });
    return;
  }
  await buildGenerated({
    seed: o.seed,
    train: o.train,
    test: o.test,
    out: o.out,
    aug: o.aug,
    minRating: o.minRating,
    hardShare: o.hardShare,
    blanks: o.blanks ?? 0,
    workers: o.workers,
    writeReferenceLayout: o.writeReferenceLayout,
    force: o.force,
    hard: {
      poolSize: o.poolSize,
      perJob: o.perJob,
      threshold: o.hardThreshold,
      maxIterations: o.maxIterations,
    },
  });
}

/**
 * Refuses, before any work, `train` puzzles with `aug` shuffles each whose training examples
 * overflow int32 indices or, materialised with --write-reference-layout (81 input and 81 label
 * bytes plus 8 bytes of indices per example, built in memory), exceed this machine's memory.
 * `train` undefined (a CSV without --subsample) is checked as the CSV is read.
 */
export function checkSudokuSize(
  train: number | undefined,
  aug: number,
  referenceLayout: boolean,
  memory = systemMemory(),
): void {
  if (train === undefined) return;
  const examples = train * (aug + 1);
  const what = `${train} training puzzles x (--aug ${aug} + 1)`;
  if (examples > 2 ** 31 - 1) {
    throw new Error(
      `${what} make ${examples} examples; int32 indices allow ${2 ** 31 - 1}: lower --aug`,
    );
  }
  const bytes = examples * (2 * 81 + 8);
  if (referenceLayout && bytes > memory) {
    const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
    throw new Error(
      `${what} need about ${gib(bytes)} for --write-reference-layout; this machine has ` +
        `${gib(memory)}: lower --aug or drop --write-reference-layout`,
    );
  }
}

function systemMemory(): number {
  try {
    return Deno.systemMemoryInfo().total;
  } catch {
    return Infinity;
  }
}

/** `deno task data sudoku-rate <csv> [--rows]` */
export function rateCommand(args: string[]): Promise<void> {
  return run(() => rateCsv(args));
}

async function rateCsv(args: string[]): Promise<void> {
  const cmd = new Command("sudoku-rate")
    .description("Rate every puzzle of a CSV (header puzzle,tdoku_guesses) on the tdoku scale")
    .argument("<csv>", "calibration CSV")
    .option("--rows", "print puzzle,tdoku_guesses,ours for every row", false);
  parse(cmd, args);
  const [path] = cmd.args;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    throw new Error(`${path}: cannot read file`);
  }
  const report = rateCsvText(text, path);
  if (cmd.opts().rows) {
    const rows = text.trim().split(/\r?\n/).slice(1);
    rows.forEach((r, i) => console.log(`${r},${report.ours[i]}`));
  }
  console.log(`sudoku-rate exact=${report.exact}/${report.n}`);
  console.log(formatRateLine(report));
}

/** `render DIR [--split S] [--n N] --out FILE.html`: the first puzzles of a split as HTML. */
export function renderCommand(args: string[]): Promise<void> {
  return run(async () => {
    const cmd = new Command("render")
      .description(
        "Render the first puzzles of a built folder's split as an HTML page of SVG grids",
      )
      .argument("<dir>", "built folder")
      .requiredOption("--out <file>", "HTML file to write")
      .option("--split <name>", "train or test", "test")
      .option("--n <n>", "puzzles to draw", int(1, 1000), 12);
    parse(cmd, args);
    const [dir] = cmd.args;
    const o = cmd.opts();
    if (o.split !== "train" && o.split !== "test") {
      throw new Error(`--split: expected train or test`);
    }
    const rows: { puzzle: Uint8Array; solution: Uint8Array; title: string }[] = [];
    await readOfficialCsv(`${dir}/${o.split}.csv`, (row) => {
      if (rows.length < o.n) {
        rows.push({
          puzzle: row.question,
          solution: row.answer,
          title: `${row.source}, rating ${row.rating}`,
        });
      }
    }, true);
    const html = renderHtml(
      rows.map((r) => ({
        puzzle: r.puzzle,
        answer: r.solution,
        solution: r.solution,
        title: r.title,
      })),
      `${dir} (${o.split})`,
    );
    await writeFileAtomic(o.out, html);
    console.log(`sudoku: wrote ${rows.length} grids to ${o.out}`);
  });
}

/** `verify DIR [--all]` for the standalone entry. */
export async function verifyCommand(args: string[]): Promise<boolean> {
  const dir = args.find((a) => !a.startsWith("--"));
  if (!dir) throw new Error("verify needs a dataset folder: verify DIR [--all]");
  const report = await verifySudoku(dir, { all: args.includes("--all") });
  for (const line of report.lines) console.log(line);
  console.log(`verify ${dir}: task=sudoku ${report.ok ? "OK" : "FAILED"}`);
  return report.ok;
}
