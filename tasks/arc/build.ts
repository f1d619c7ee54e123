/**
 * `deno task data arc --source DIR [...] --preset arc1|arc2 --aug N --seed S --out DIR`:
 * loads and validates the task files, plans augmentations and offsets exactly
 * as the reference, writes the compact form (and, with
 * `--write-reference-layout`, the reference's `.npy` layout too) into a
 * temporary folder renamed to `--out` at the end (io's output-folder rules:
 * `--out` is checked before any work, `--force` replaces only an ARC build),
 * and prints a summary.
 * @module
 */
import { Command, Option } from "@commander-js/extra-typings";
import { type BuildKind, checkOutputDir, writeJsonAtomic, writeOutputDir } from "../../io/mod.ts";
import { type DatasetMetadata, type SplitName, writeIdentifiers } from "../dataset.ts";
import {
  COMPACT_SET_FILE,
  CompactSet,
  type CompactSetArrays,
  GRIDS_FILE,
  writeCompactSet,
  writeGridStore,
} from "./compact.ts";
import { gridKey, SEQ_LEN, VOCAB } from "./encode.ts";
import { NumpyLegacyRandom } from "./mt19937.ts";
import { allPairs, assemble, type BuildPlan, planTasks } from "./build_plan.ts";
import { parseCli, Progress } from "../../util/mod.ts";
import { writeReferenceLayout } from "./reference_layout.ts";
import {
  type ArcTask,
  checkLoadedUnits,
  collectionUnits,
  findCollection,
  type LoadedUnit,
  loadUnit,
  type PresetName,
  PRESETS,
  presetUnits,
  sourceProblemsLine,
} from "./source.ts";

/** Options of one build. */
export interface BuildOptions {
  sources: string[];
  preset: PresetName;
  aug: number;
  seed: number;
  out: string;
  /** Skip malformed task files (reported and listed in build.json) instead of failing. */
  skipBad?: boolean;
  writeReferenceLayout?: boolean;
  force?: boolean;
  /** Progress lines and bars (default on). */
  progress?: boolean;
  /** Where summary lines go (default console.log). */
  log?: (line: string) => void;
  /** Where warnings go, without the `warning: ` prefix (default: stderr with it). */
  warn?: (line: string) => void;
}

/** What a build did (also written to `build.json`). */
export interface BuildSummary {
  tasks: number;
  skipped: string[];
  identifiers: number;
  trainPairs: number;
  testPairs: number;
  testTasks: number;
  trainExamples: number;
  testExamples: number;
  /** Tasks that got fewer than `aug` augmentations, with how many they got. */
  shortAugmentation: Record<string, number>;
  leakWarnings: string[];
}

/** Metadata of a split as the reference writes it. */
export function splitMetadata(a: CompactSetArrays, numIdentifiers: number): DatasetMetadata {
  const nP = a.puzzleIdentifiers.length;
  return {
    pad_id: 0,
    ignore_label_id: 0,
    blank_identifier_id: 0,
    vocab_size: VOCAB,
    seq_len: SEQ_LEN,
    num_puzzle_identifiers: numIdentifiers,
    total_groups: a.groupIndices.length - 1,
    mean_puzzle_examples: nP ? a.puzzleIndices[nP] / nP : 0,
    sets: ["all"],
  };
}

/** The collection whose evaluation set must not appear in this preset's training data. */
const RIVAL: Record<PresetName, { repo: "ARC-AGI" | "ARC-AGI-2"; sub: "data" }> = {
  arc1: { repo: "ARC-AGI-2", sub: "data" },
  arc2: { repo: "ARC-AGI", sub: "data" },
};

/**
 * Evaluation tasks of the other ARC version whose test inputs appear among
 * the inputs of this build's training pairs (a leak if a model trained here
 * is scored there). Null when that collection is not among the sources.
 */
export async function findLeaks(
  sources: string[],
  preset: PresetName,
  trainTasks: { task: ArcTask; evaluation: boolean }[],
): Promise<{ label: string; leaked: string[]; total: number } | null> {
  const root = await findCollection(sources, RIVAL[preset]);
  if (!root) return null;
  const evalUnit = (await collectionUnits(root, RIVAL[preset])).find((u) => u.evaluation)!;
  const other = await loadUnit(evalUnit);
  const seen = new Set<string>();
  for (const t of trainTasks) {
    for (const p of t.evaluation ? t.task.train : allPairs(t.task)) seen.add(gridKey(p.input));
  }
  const leaked = other.tasks.filter((t) => t.test.some((p) => seen.has(gridKey(p.input))));
  return { label: evalUnit.label, leaked: leaked.map((t) => t.name), total: other.tasks.length };
}

/** What an ARC build writes besides build.json (all `--force` may delete). */
export const ARC_OUTPUT: BuildKind = {
  task: "arc",
  command: "deno task data arc",
  files: [
    GRIDS_FILE,
    "identifiers.json",
    ...["train", "test"].flatMap((split) => [
      `${split}/${COMPACT_SET_FILE("all")}`,
      `${split}/dataset.json`,
      ...["inputs", "labels", "puzzle_identifiers", "puzzle_indices", "group_indices"].map((f) =>
        `${split}/all__${f}.npy`
      ),
    ]),
  ],
};

function phase(label: string, total: number, on: boolean): Progress {
  // On stderr, so stdout keeps the build summary.
  return new Progress({ label, total, stderr: true, quiet: !on });
}

/** Writes a planned build into `dir` (compact form, metadata, identifiers, optional .npy). */
async function writePlan(dir: string, plan: BuildPlan, opts: BuildOptions): Promise<void> {
  await writeGridStore(dir, plan.store);
  await writeIdentifiers(dir, plan.identifiers);
  for (const split of ["train", "test"] as SplitName[]) {
    const arrays = plan.splits[split];
    const meta = splitMetadata(arrays, plan.identifiers.length);
    await Deno.mkdir(`${dir}/${split}`, { recursive: true });
    await writeCompactSet(`${dir}/${split}/${COMPACT_SET_FILE("all")}`, arrays);
    if (opts.writeReferenceLayout) {
      const set = new CompactSet(plan.store, arrays);
      const bar = phase(`writing ${split} .npy`, set.numExamples, opts.progress !== false);
      await writeReferenceLayout(dir, split, meta, new Map([["all", set]]), bar);
      bar.stop();
    } else {
      await writeJsonAtomic(`${dir}/${split}/dataset.json`, meta);
    }
  }
}

/** Runs a build; returns its summary. Errors are user-facing one-liners. */
export async function buildArc(opts: BuildOptions): Promise<BuildSummary> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const warn = opts.warn ?? ((l: string) => console.error(`warning: ${l}`));
  const showProgress = opts.progress !== false;
  if (!Number.isInteger(opts.aug) || opts.aug < 0) throw new Error(`--aug must be an integer >= 0`);
  const out = await checkOutputDir(opts.out, ARC_OUTPUT, opts.force ?? false); // before any work
  for (const note of out.notes) log(note);
  const started = Date.now();
  const units: LoadedUnit[] = [];
  for (const unit of await presetUnits(opts.sources, opts.preset)) units.push(await loadUnit(unit));
  const skipped = units.flatMap((u) => u.problems);
  const fatal = sourceProblemsLine(units);
  if (fatal && !opts.skipBad) throw new Error(fatal);
  for (const p of skipped) warn(`skipping ${p}`);
  checkLoadedUnits(units);
  const total = units.reduce((n, u) => n + u.tasks.length, 0);
  checkArcSize(units, opts.aug, opts.writeReferenceLayout ?? false);
  const rng = new NumpyLegacyRandom(opts.seed);
  const bar = phase("augmenting tasks", total, showProgress);
  const tasks = planTasks(units, opts.aug, rng, bar);
  bar.stop();
  const plan = assemble(tasks, rng);
  const leaks = await findLeaks(opts.sources, opts.preset, tasks);
  const leakWarnings: string[] = [];
  if (leaks && leaks.leaked.length) {
    leakWarnings.push(
      `${leaks.leaked.length} of the ${leaks.total} tasks of ${leaks.label} have a test input in ` +
        `this ${opts.preset} build's training data: do not score a model trained on it there`,
    );
  }
  for (const w of leakWarnings) warn(w);
  if (!leaks) {
    log(`leak check skipped: ${RIVAL[opts.preset].repo}/data not found under --source`);
  } else if (!leaks.leaked.length) {
    log(`leak check: no test input of ${leaks.label} appears in the training data`);
  }
  const shortAugmentation: Record<string, number> = {};
  for (const t of tasks) {
    if (t.count < opts.aug + 1) shortAugmentation[t.task.name] = t.count - 1;
  }
  const { train, test } = plan.splits;
  const summary: BuildSummary = {
    tasks: tasks.length,
    skipped,
    identifiers: plan.identifiers.length,
    trainPairs: plan.store.basePairStart[train.groupIndices.length - 1],
    testPairs: plan.store.pairGrids.length / 2 -
      plan.store.basePairStart[train.groupIndices.length - 1],
    testTasks: test.groupIndices.length - 1,
    trainExamples: train.examplePair.length,
    testExamples: test.examplePair.length,
    shortAugmentation,
    leakWarnings,
  };
  await writeOutputDir(out, async (tmp) => {
    await writePlan(tmp, plan, opts);
    await writeJsonAtomic(`${tmp}/build.json`, {
      task: "arc",
      format: "hrm-arc-compact",
      version: 1,
      preset: opts.preset,
      collections: PRESETS[opts.preset].map((c) => `${c.repo}/${c.sub}`),
      seed: opts.seed,
      aug: opts.aug,
      reference_layout: opts.writeReferenceLayout ?? false,
      summary,
      tasks: tasks.map((t) => ({
        name: t.task.name,
        file: `${t.unit}/${t.task.file.replace(/^.*\//, "")}`,
        evaluation: t.evaluation,
        augmentations: t.count - 1,
      })),
    });
  });
  const short = Object.keys(shortAugmentation).length;
  log(
    `arc ${opts.preset}: ${summary.tasks} tasks (${skipped.length} skipped as malformed), ` +
      `${summary.identifiers} puzzle identifiers including <blank>`,
  );
  log(
    `train: ${summary.trainPairs} pairs -> ${summary.trainExamples} examples in ` +
      `${train.puzzleIdentifiers.length} puzzles, ${train.groupIndices.length - 1} groups`,
  );
  log(
    `test: ${summary.testPairs} pairs from ${summary.testTasks} tasks -> ` +
      `${summary.testExamples} examples in ${test.puzzleIdentifiers.length} puzzles`,
  );
  if (short) log(`${short} tasks got fewer than ${opts.aug} augmentations (see build.json)`);
  log(`written to ${opts.out} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return summary;
}

/** Parses `deno task data arc ...` arguments and runs the build. */
export async function runBuildCli(args: string[]): Promise<void> {
  const cmd = new Command("data arc")
    .description("Build the ARC dataset (reference encoding, compact storage)")
    .requiredOption(
      "--source <dir>",
      "folder holding ARC-AGI / ARC-AGI-2 / ConceptARC checkouts (repeatable)",
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .addOption(
      new Option("--preset <name>", "which tasks").choices(["arc1", "arc2"] as const)
        .makeOptionMandatory(),
    )
    .option("--aug <n>", "augmentations per task", (v) => parseIntArg("--aug", v), 1000)
    .option("--seed <s>", "random seed (NumPy legacy stream)", (v) => parseIntArg("--seed", v), 42)
    .requiredOption("--out <dir>", "output folder")
    .option("--skip-bad", "skip malformed task files (reported, listed in build.json)")
    .option("--strict", "a malformed task file is fatal (the default)")
    .option("--write-reference-layout", "also write the reference's .npy layout (large)")
    .option("--force", "replace --out if it holds an ARC build and nothing else")
    .option("--no-progress", "no progress output");
  if (!parseCli(cmd, args)) return; // --help
  const o = cmd.opts();
  await buildArc({
    sources: o.source,
    preset: o.preset,
    aug: o.aug,
    seed: o.seed,
    out: o.out,
    skipBad: o.skipBad ?? false,
    writeReferenceLayout: o.writeReferenceLayout ?? false,
    force: o.force ?? false,
    progress: o.progress,
  });
}

/**
 * Refuses, before augmenting, a build whose examples (each task's pairs x (aug + 1), an upper
 * bound) overflow int32 indices or, with --write-reference-layout (900 input and 900 label
 * bytes plus 8 bytes of indices per example), exceed `limit` bytes (the machine's memory
 * unless given: far beyond it, the disk is rarely larger). One line with the estimate.
 */
export function checkArcSize(
  units: { tasks: { train: unknown[]; test: unknown[] }[] }[],
  aug: number,
  referenceLayout: boolean,
  limit = systemMemory(),
): void {
  const pairs = units.reduce(
    (n, u) => n + u.tasks.reduce((m, t) => m + t.train.length + t.test.length, 0),
    0,
  );
  const examples = pairs * (aug + 1);
  const what = `${pairs} example pairs x (--aug ${aug} + 1)`;
  if (examples > 2 ** 31 - 1) {
    throw new Error(
      `${what} make ${examples} examples; int32 indices allow ${2 ** 31 - 1}: lower --aug`,
    );
  }
  const bytes = examples * (2 * 900 + 8);
  if (referenceLayout && bytes > 8 * limit) {
    const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
    throw new Error(
      `${what} make about ${gib(bytes)} of --write-reference-layout files, far beyond this ` +
        `machine's ${gib(limit)} of memory: lower --aug or drop --write-reference-layout`,
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

function parseIntArg(name: string, v: string): number {
  if (!/^\d+$/.test(v)) throw new Error(`${name} must be a non-negative integer, got '${v}'`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n > 0xffffffff) throw new Error(`${name} is too large: ${v}`);
  return n;
}
