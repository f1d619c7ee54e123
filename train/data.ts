/**
 * Opens a dataset folder for the trainer: the reference's `.npy` layout
 * (`train/`, `test/`, `dataset.json`, `<set>__*.npy`, `identifiers.json`) or a
 * task's compact form (augmentations produced on the fly), both behind the one
 * `PuzzleSplit` interface of tasks/dataset.ts. Also checks that a model config
 * fits the data. Every failure is one line naming the folder or file.
 * @module
 */
import {
  type DatasetMetadata,
  listTasks,
  type PuzzleSplit,
  readMetadata,
  readReferenceSplit,
  type SplitName,
} from "../tasks/mod.ts";
import { assertFinishedBuild, pathExists } from "../io/mod.ts";

/** How a folder stores its data: the reference layout, or a task's compact form. */
export type DatasetFormat = { kind: "reference" } | { kind: "compact"; task: string };

/** Works out which form `dir` holds; throws a one-line error when it is neither. */
export async function detectFormat(dir: string): Promise<DatasetFormat> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Error(`${dir}: dataset folder not found`);
    }
    throw err;
  }
  if (!info.isDirectory) throw new Error(`${dir}: not a folder (expected a dataset folder)`);
  // A build killed midway (or still running) is never read as a dataset.
  await assertFinishedBuild(dir);
  // Compact forms first: a task may keep dataset.json files beside its compact store.
  const tasks = listTasks().filter((t) => t.isCompact && t.openCompact);
  for (const task of tasks) {
    if (await task.isCompact!(dir)) return { kind: "compact", task: task.name };
  }
  if (
    await pathExists(`${dir}/train/dataset.json`) || await pathExists(`${dir}/test/dataset.json`)
  ) {
    return { kind: "reference" };
  }
  const compact = tasks.length ? `, or the compact form of: ${tasks.map((t) => t.name)}` : "";
  throw new Error(
    `${dir}: not a dataset folder (expected train/dataset.json and test/dataset.json in the ` +
      `reference layout${compact})`,
  );
}

/** Opens one split of a dataset folder, whichever form it is stored in. */
export async function openSplit(dir: string, split: SplitName): Promise<PuzzleSplit> {
  const format = await detectFormat(dir);
  if (format.kind === "reference") {
    if (!await pathExists(`${dir}/${split}`)) {
      throw new Error(`${dir}/${split}: split folder not found (expected ${split}/dataset.json)`);
    }
    return await readReferenceSplit(dir, split);
  }
  const task = listTasks().find((t) => t.name === format.task)!;
  return await task.openCompact!(dir, split);
}

/** The metadata of one split without loading its arrays (reference layout) . */
export async function openSplitMetadata(dir: string, split: SplitName): Promise<DatasetMetadata> {
  const format = await detectFormat(dir);
  if (format.kind === "reference") return await readMetadata(dir, split);
  return (await openSplit(dir, split)).metadata;
}

/** `identifiers.json` (id -> name), or undefined when the folder has none. */
export async function readIdentifiers(dir: string): Promise<string[] | undefined> {
  const path = `${dir}/identifiers.json`;
  if (!await pathExists(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(await Deno.readTextFile(path));
  } catch {
    throw new Error(`${path}: not valid JSON`);
  }
  if (!Array.isArray(raw) || raw.some((x) => typeof x !== "string")) {
    throw new Error(`${path}: expected a JSON array of identifier names`);
  }
  return raw as string[];
}

/** What the model is built from: the train split's shape of the data. */
export interface DataShape {
  seq_len: number;
  vocab_size: number;
  num_puzzle_identifiers: number;
}

/**
 * Checks that the test split fits the model built from the train split (same
 * seq_len, tokens and identifiers within the train vocabulary and table).
 */
export function checkSplitsAgree(
  dir: string,
  train: DatasetMetadata,
  test: DatasetMetadata,
): void {
  const where = `${dir}/test/dataset.json`;
  if (test.seq_len !== train.seq_len) {
    throw new Error(
      `${where}: seq_len ${test.seq_len} differs from the train split's ${train.seq_len}`,
    );
  }
  if (test.vocab_size > train.vocab_size) {
    throw new Error(
      `${where}: vocab_size ${test.vocab_size} exceeds the train split's ${train.vocab_size}`,
    );
  }
  if (test.num_puzzle_identifiers > train.num_puzzle_identifiers) {
    throw new Error(
      `${where}: num_puzzle_identifiers ${test.num_puzzle_identifiers} exceeds the train ` +
        `split's ${train.num_puzzle_identifiers}`,
    );
  }
}

/** Checks a model's data shape (e.g. from a checkpoint) against a dataset's. */
export function checkModelFitsData(model: DataShape, data: DataShape, where: string): void {
  for (const key of ["seq_len", "vocab_size", "num_puzzle_identifiers"] as const) {
    if (model[key] !== data[key]) {
      throw new Error(
        `${where}: the model has ${key} ${model[key]} but the dataset has ${data[key]} ` +
          `(the checkpoint was trained on other data)`,
      );
    }
  }
}
