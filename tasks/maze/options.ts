/**
 * Command-line options of `deno task data maze ...` (commander, validated
 * with zod), shared by the Task's `build(args)` and `cli/data_maze.ts`.
 * @module
 */
import { issueLine, parseCli } from "../../util/mod.ts";
import { Command, InvalidArgumentError } from "@commander-js/extra-typings";
import { z } from "zod";

/** Validated build options. */
export const BuildOptionsSchema = z.object({
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  train: z.number().int().min(1),
  test: z.number().int().min(1),
  out: z.string().min(1),
  size: z.number().int().min(3).max(64),
  minPath: z.number().int().min(0),
  aug: z.boolean(),
  workers: z.number().int().min(1).max(64),
  fromCsv: z.string().min(1).optional(),
  skipBad: z.boolean(),
  force: z.boolean(),
  quiet: z.boolean(),
});
export type BuildOptions = z.infer<typeof BuildOptionsSchema>;

function intArg(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim())) {
      throw new InvalidArgumentError(`${name} must be a non-negative integer, got '${value}'`);
    }
    return Number(value);
  };
}

/** The commander program for a build (exported for `--help` text). */
export function buildCommand(name = "data maze") {
  return new Command()
    .name(name)
    .description(
      "Build the Maze-Hard dataset: random-wall 30x30 mazes whose shortest S-G path is longer " +
        "than --min-path moves (or import the official CSV files with --from-csv).",
    )
    .requiredOption("--out <dir>", "output folder (reference layout)")
    .option("--seed <n>", "master seed", intArg("--seed"), 0)
    .option("--train <n>", "number of training mazes", intArg("--train"), 1000)
    .option("--test <n>", "number of test mazes", intArg("--test"), 1000)
    .option("--size <n>", "grid side", intArg("--size"), 30)
    .option(
      "--min-path <n>",
      "keep mazes whose shortest path is longer than this",
      intArg("--min-path"),
      110,
    )
    .option("--aug", "add the 8 dihedral transforms of each training maze", false)
    .option(
      "--workers <n>",
      "generation workers (results do not depend on it)",
      intArg("--workers"),
      2,
    )
    .option("--from-csv <dir>", "import <dir>/train.csv and <dir>/test.csv instead of generating")
    .option("--skip-bad", "with --from-csv: drop bad rows (reported) instead of failing", false)
    .option("--force", "replace --out if it holds a maze build and nothing else", false)
    .option("--quiet", "no progress output", false);
}

/**
 * Parses build arguments. Returns null when help was printed; throws an Error
 * with a one-line message for bad arguments.
 */
export function parseBuildArgs(args: string[], name?: string): BuildOptions | null {
  const cmd = buildCommand(name);
  if (!parseCli(cmd, args)) return null; // --help
  const o = cmd.opts();
  const parsed = BuildOptionsSchema.safeParse({
    seed: o.seed,
    train: o.train,
    test: o.test,
    out: o.out,
    size: o.size,
    minPath: o.minPath,
    aug: o.aug,
    workers: o.workers,
    fromCsv: o.fromCsv,
    skipBad: o.skipBad,
    force: o.force,
    quiet: o.quiet,
  });
  if (!parsed.success) {
    // The option as typed: camelCase field -> --kebab-case flag.
    const flag = (p: string) =>
      "--" + p.split(".")[0].replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
    throw new Error(issueLine(parsed.error, { field: flag }));
  }
  checkBuildSize(parsed.data);
  return parsed.data;
}

/**
 * Refuses, before any work, a build whose arrays (held in memory while building: inputs and
 * labels of size*size bytes per example, plus 12 bytes of indices) are beyond this machine's
 * memory or int32 example indices. One line with the estimate and the limit.
 */
export function checkBuildSize(o: BuildOptions, memory = systemMemory()): void {
  if (o.fromCsv) return; // the CSV's size decides, checked as it is read
  const examples = o.train * (o.aug ? 8 : 1) + o.test;
  const bytes = examples * (2 * o.size * o.size + 12);
  const what = `--train ${o.train}${o.aug ? " (x8 with --aug)" : ""} + --test ${o.test} mazes ` +
    `of ${o.size}x${o.size}`;
  if (examples > 2 ** 31 - 1) {
    throw new Error(
      `${what} make ${examples} examples; int32 indices allow ${2 ** 31 - 1}: ` +
        `lower --train or --test`,
    );
  }
  if (bytes > memory) {
    const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
    throw new Error(
      `${what} need about ${gib(bytes)} of arrays in memory; this machine has ` +
        `${gib(memory)}: lower --train, --test or --size`,
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
