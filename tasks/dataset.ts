/**
 * Puzzle datasets in the reference layout (`<dir>/{train,test}/dataset.json`,
 * `<set>__{inputs,labels,puzzle_identifiers,puzzle_indices,group_indices}.npy`,
 * `<dir>/identifiers.json`), and the one interface through which the trainer
 * reads them, whether materialised as `.npy` or stored compactly by a task
 * (augmentations produced on the fly when batching).
 * @module
 */
import { issueLine, quotedField } from "../util/mod.ts";
import { z } from "zod";
import { type HostTensor, readInputText, readNpy, writeJsonAtomic, writeNpy } from "../io/mod.ts";

/** `dataset.json` as the reference's `PuzzleDatasetMetadata` defines it. */
export const DatasetMetadataSchema: z.ZodType<DatasetMetadata> = z.object({
  pad_id: z.number().int(),
  ignore_label_id: z.number().int().nullable(),
  blank_identifier_id: z.number().int(),
  vocab_size: z.number().int().positive(),
  seq_len: z.number().int().positive(),
  num_puzzle_identifiers: z.number().int().positive(),
  total_groups: z.number().int().nonnegative(),
  mean_puzzle_examples: z.number().nonnegative(),
  sets: z.array(z.string().min(1)).min(1),
}).superRefine((m, ctx) => {
  const outside = (field: string, value: number, max: number, of: string) =>
    ctx.addIssue({
      code: "custom",
      path: [field],
      message: `${value} is outside 0..${max} (${of})`,
    });
  if (m.pad_id < 0 || m.pad_id >= m.vocab_size) {
    outside("pad_id", m.pad_id, m.vocab_size - 1, "vocab_size");
  }
  const ignore = m.ignore_label_id;
  if (ignore !== null && (ignore < 0 || ignore >= m.vocab_size)) {
    outside("ignore_label_id", ignore, m.vocab_size - 1, "vocab_size");
  }
  if (m.blank_identifier_id < 0 || m.blank_identifier_id >= m.num_puzzle_identifiers) {
    outside(
      "blank_identifier_id",
      m.blank_identifier_id,
      m.num_puzzle_identifiers - 1,
      "num_puzzle_identifiers",
    );
  }
  m.sets.forEach((name, k) => {
    const why = setNameProblem(name);
    if (why) ctx.addIssue({ code: "custom", path: ["sets", k], message: why });
    else if (m.sets.indexOf(name) !== k) {
      ctx.addIssue({ code: "custom", path: ["sets", k], message: `set '${name}' is listed twice` });
    }
  });
});

/**
 * Why `name` cannot be a set name (set names become file names
 * `<split>/<name>__*.npy`, so they must stay inside the split folder), or
 * null when it can: letters, digits, `_`, `.` and `-`, not starting with `.`
 * or `-`, no `..`.
 */
export function setNameProblem(name: string): string | null {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name) || name.includes("..")) {
    return `set name ${
      JSON.stringify(name)
    } is not a plain file name (letters, digits, _ . -; no '/', no '..', not starting with '.' or '-')`;
  }
  return null;
}
/** The fields of `dataset.json` (the reference's names). */
export interface DatasetMetadata {
  /** Token id of padding. */
  pad_id: number;
  /** Label id the loss ignores in the files (null: none). */
  ignore_label_id: number | null;
  /** Puzzle identifier of padding rows. */
  blank_identifier_id: number;
  /** Tokens in the vocabulary. */
  vocab_size: number;
  /** Tokens per example. */
  seq_len: number;
  /** Rows of the puzzle embedding (identifiers 0..n-1). */
  num_puzzle_identifiers: number;
  /** Groups (an original puzzle and its augmentations) in the split. */
  total_groups: number;
  /** Mean examples per puzzle. */
  mean_puzzle_examples: number;
  /** Names of the split's sets (e.g. `all`). */
  sets: string[];
}

/** The splits of a dataset folder. */
export const SPLITS: readonly ["train", "test"] = ["train", "test"] as const;
/** A split name. */
export type SplitName = typeof SPLITS[number];

/**
 * One set of a split (the reference names them, e.g. `all`): examples grouped
 * into puzzles (one identifier each), puzzles grouped into groups (an original
 * puzzle and its augmentations).
 */
export interface PuzzleSet {
  /** Examples in the set. */
  readonly numExamples: number;
  /** Start example of each puzzle, plus the end: length numPuzzles + 1. */
  readonly puzzleIndices: Int32Array;
  /** Start puzzle of each group, plus the end: length numGroups + 1. */
  readonly groupIndices: Int32Array;
  /** Embedding row of each puzzle: length numPuzzles. */
  readonly puzzleIdentifiers: Int32Array;
  /** Writes example `i`'s token ids into `inputs`/`labels` starting at `offset` (seq_len each). */
  fill(i: number, inputs: Int32Array, labels: Int32Array, offset: number): void;
}

/** One split of a dataset folder. */
export interface PuzzleSplit {
  /** The split's `dataset.json`. */
  readonly metadata: DatasetMetadata;
  /** Its sets by name, in `metadata.sets` order. */
  readonly sets: ReadonlyMap<string, PuzzleSet>;
}

const SET_FIELDS = [
  "inputs",
  "labels",
  "puzzle_identifiers",
  "puzzle_indices",
  "group_indices",
] as const;

function asInt32(t: HostTensor, where: string): Int32Array {
  if (t.data instanceof Int32Array) return t.data;
  if (t.dtype === "f32" || t.dtype === "f64" || t.dtype === "bf16" || t.dtype === "f16") {
    throw new Error(`${where}: expected an integer array, got dtype ${t.dtype}`);
  }
  const out = new Int32Array(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]);
  return out;
}

/** A set held in memory as flat token arrays (the materialised reference layout). */
export class DenseSet implements PuzzleSet {
  /** A set over flat arrays: tokens [examples * seqLen] and the reference's index arrays. */
  constructor(
    readonly seqLen: number,
    readonly inputs: Int32Array,
    readonly labels: Int32Array,
    readonly puzzleIdentifiers: Int32Array,
    readonly puzzleIndices: Int32Array,
    readonly groupIndices: Int32Array,
  ) {}
  /** Examples in the set. */
  get numExamples(): number {
    return this.inputs.length / this.seqLen;
  }
  /** Writes example `i`'s tokens into `inputs`/`labels` at `offset`. */
  fill(i: number, inputs: Int32Array, labels: Int32Array, offset: number): void {
    const s = this.seqLen;
    inputs.set(this.inputs.subarray(i * s, (i + 1) * s), offset);
    labels.set(this.labels.subarray(i * s, (i + 1) * s), offset);
  }
}

/** Checks the index arrays of a set against each other and the metadata; throws naming `where`. */
export function validateSet(set: PuzzleSet, meta: DatasetMetadata, where: string): void {
  const { puzzleIndices: pi, groupIndices: gi, puzzleIdentifiers: ids } = set;
  const nPuzzles = pi.length - 1;
  if (pi.length < 1 || pi[0] !== 0 || pi[nPuzzles] !== set.numExamples) {
    throw new Error(
      `${where}: puzzle_indices must start at 0 and end at the example count ${set.numExamples}`,
    );
  }
  for (let i = 0; i < nPuzzles; i++) {
    if (pi[i + 1] < pi[i]) {
      throw new Error(`${where}: puzzle_indices is not non-decreasing at ${i}`);
    }
  }
  if (gi.length < 1 || gi[0] !== 0 || gi[gi.length - 1] !== nPuzzles) {
    throw new Error(
      `${where}: group_indices must start at 0 and end at the puzzle count ${nPuzzles}`,
    );
  }
  for (let i = 0; i + 1 < gi.length; i++) {
    if (gi[i + 1] <= gi[i]) throw new Error(`${where}: group_indices has an empty group at ${i}`);
  }
  if (ids.length !== nPuzzles) {
    throw new Error(`${where}: puzzle_identifiers has ${ids.length} entries, expected ${nPuzzles}`);
  }
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] < 0 || ids[i] >= meta.num_puzzle_identifiers) {
      throw new Error(
        `${where}: puzzle identifier ${ids[i]} at ${i} is outside 0..${
          meta.num_puzzle_identifiers - 1
        }`,
      );
    }
  }
}

/**
 * Checks the totals of `dataset.json` against a split's sets: every set has
 * examples (an empty split is an error), `total_groups` is the sum of the
 * sets' groups and `mean_puzzle_examples` their examples per puzzle. Throws a
 * one-line error naming `where` (the split's `dataset.json`) and the field.
 */
export function checkSplitTotals(
  meta: DatasetMetadata,
  sets: ReadonlyMap<string, PuzzleSet>,
  where: string,
): void {
  let groups = 0, puzzles = 0, examples = 0;
  for (const [name, set] of sets) {
    if (set.numExamples === 0) {
      throw new Error(`${where}: set '${name}' has no examples (an empty split is an error)`);
    }
    groups += set.groupIndices.length - 1;
    puzzles += set.puzzleIndices.length - 1;
    examples += set.numExamples;
  }
  if (meta.total_groups !== groups) {
    throw new Error(
      `${where}: field 'total_groups' is ${meta.total_groups}, but the arrays hold ${groups} groups`,
    );
  }
  const mean = examples / puzzles;
  if (Math.abs(meta.mean_puzzle_examples - mean) > 1e-6 * Math.max(1, mean)) {
    throw new Error(
      `${where}: field 'mean_puzzle_examples' is ${meta.mean_puzzle_examples}, but the arrays ` +
        `hold ${examples} examples in ${puzzles} puzzles (${mean})`,
    );
  }
}

/** Reads and validates `<dir>/<split>/dataset.json`. */
export async function readMetadata(dir: string, split: SplitName): Promise<DatasetMetadata> {
  const path = `${dir}/${split}/dataset.json`;
  const text = await readInputText(path);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${path}: not valid JSON`);
  }
  const parsed = DatasetMetadataSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(issueLine(parsed.error, { where: path, field: quotedField }));
  }
  return parsed.data;
}

/** Loads one split in the reference `.npy` layout, validating dtypes, shapes and token ranges. */
export async function readReferenceSplit(dir: string, split: SplitName): Promise<PuzzleSplit> {
  const metadata = await readMetadata(dir, split);
  const sets = new Map<string, PuzzleSet>();
  for (const name of metadata.sets) {
    const arrays: Partial<Record<typeof SET_FIELDS[number], Int32Array>> = {};
    const shapes: Partial<Record<typeof SET_FIELDS[number], number[]>> = {};
    for (const field of SET_FIELDS) {
      const path = `${dir}/${split}/${name}__${field}.npy`;
      const t = await readNpy(path);
      arrays[field] = asInt32(t, path);
      shapes[field] = t.shape;
    }
    for (const field of ["puzzle_identifiers", "puzzle_indices", "group_indices"] as const) {
      if (shapes[field]!.length !== 1) {
        throw new Error(
          `${dir}/${split}/${name}__${field}.npy: expected a 1-D array, got shape [${
            shapes[field]
          }]`,
        );
      }
    }
    for (const field of ["inputs", "labels"] as const) {
      const shape = shapes[field]!;
      const path = `${dir}/${split}/${name}__${field}.npy`;
      if (shape.length !== 2 || shape[1] !== metadata.seq_len) {
        throw new Error(
          `${path}: expected shape [N, ${metadata.seq_len}] (seq_len from dataset.json), got [${shape}]`,
        );
      }
      const data = arrays[field]!;
      for (let i = 0; i < data.length; i++) {
        if (data[i] < 0 || data[i] >= metadata.vocab_size) {
          throw new Error(
            `${path}: token ${data[i]} at flat index ${i} is outside 0..${
              metadata.vocab_size - 1
            } (vocab_size)`,
          );
        }
      }
    }
    if (shapes.inputs![0] !== shapes.labels![0]) {
      throw new Error(`${dir}/${split}/${name}: inputs and labels have different example counts`);
    }
    const set = new DenseSet(
      metadata.seq_len,
      arrays.inputs!,
      arrays.labels!,
      arrays.puzzle_identifiers!,
      arrays.puzzle_indices!,
      arrays.group_indices!,
    );
    validateSet(set, metadata, `${dir}/${split}/${name}`);
    sets.set(name, set);
  }
  checkSplitTotals(metadata, sets, `${dir}/${split}/dataset.json`);
  return { metadata, sets };
}

/** Materialised arrays of one set, as the reference writes them. */
export interface ReferenceSetArrays {
  /** Input tokens [examples, seq_len]. */
  inputs: HostTensor;
  /** Target tokens [examples, seq_len]. */
  labels: HostTensor;
  /** Identifier of each puzzle. */
  puzzle_identifiers: Int32Array;
  /** Start example of each puzzle, plus the end. */
  puzzle_indices: Int32Array;
  /** Start puzzle of each group, plus the end. */
  group_indices: Int32Array;
}

/** Writes one split in the reference layout (each file atomically). */
export async function writeReferenceSplit(
  dir: string,
  split: SplitName,
  metadata: DatasetMetadata,
  sets: Record<string, ReferenceSetArrays>,
): Promise<void> {
  await Deno.mkdir(`${dir}/${split}`, { recursive: true });
  for (const [name, arrays] of Object.entries(sets)) {
    const base = `${dir}/${split}/${name}__`;
    await writeNpy(`${base}inputs.npy`, arrays.inputs);
    await writeNpy(`${base}labels.npy`, arrays.labels);
    for (const field of ["puzzle_identifiers", "puzzle_indices", "group_indices"] as const) {
      const data = arrays[field];
      await writeNpy(`${base}${field}.npy`, { dtype: "i32", shape: [data.length], data });
    }
  }
  // Python's json.dump of the pydantic model: same key order as the schema.
  await writeJsonAtomic(`${dir}/${split}/dataset.json`, DatasetMetadataSchema.parse(metadata));
}

/** Writes `<dir>/identifiers.json` (identifier id -> name; id 0 is `<blank>`). */
export function writeIdentifiers(dir: string, names: string[]): Promise<void> {
  return writeJsonAtomic(`${dir}/identifiers.json`, names);
}
