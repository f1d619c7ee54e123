/**
 * ARC task files: loading and validation, where the collections live under the
 * user's `--source` folders, and the presets that say which collections a
 * build uses. Layout as the public repositories: `ARC-AGI/data/{training,
 * evaluation}`, `ARC-AGI-2/data/{training,evaluation}`, `ConceptARC/corpus/<concept>/`.
 * @module
 */
import { CANVAS, type Grid } from "./encode.ts";
import { svgFileName } from "./render.ts";

/** An input/output pair of grids. */
export interface Pair {
  input: Grid;
  output: Grid;
}

/** One task file: demonstration (`train`) and test pairs, in the file's key order. */
export interface ArcTask {
  /** The file's stem (the reference's default name). */
  name: string;
  file: string;
  train: Pair[];
  test: Pair[];
  /** Order of the `train`/`test` keys in the file: the reference concatenates in this order. */
  keyOrder: ("train" | "test")[];
}

/** A problem with one task file, reported with the file name. */
export class TaskFileError extends Error {}

function gridFromJson(value: unknown, where: string): Grid {
  if (!Array.isArray(value) || value.length === 0) {
    throw new TaskFileError(`${where}: expected a non-empty list of rows`);
  }
  if (value.length > CANVAS) {
    throw new TaskFileError(`${where}: ${value.length} rows, at most ${CANVAS} allowed`);
  }
  const rows = value.length;
  const first = value[0];
  if (!Array.isArray(first) || first.length === 0) {
    throw new TaskFileError(`${where}: row 0 is not a non-empty list`);
  }
  const cols = first.length;
  if (cols > CANVAS) {
    throw new TaskFileError(`${where}: ${cols} columns, at most ${CANVAS} allowed`);
  }
  const cells = new Uint8Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = value[i];
    if (!Array.isArray(row)) throw new TaskFileError(`${where}: row ${i} is not a list`);
    if (row.length !== cols) {
      throw new TaskFileError(
        `${where}: not rectangular (row ${i} has ${row.length} cells, row 0 has ${cols})`,
      );
    }
    for (let j = 0; j < cols; j++) {
      const v = row[j];
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 9) {
        throw new TaskFileError(
          `${where}: cell [${i}][${j}] is ${JSON.stringify(v)}, expected an integer 0-9`,
        );
      }
      cells[i * cols + j] = v;
    }
  }
  return { rows, cols, cells };
}

function pairsFromJson(value: unknown, where: string): Pair[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new TaskFileError(`${where}: expected a non-empty list of examples`);
  }
  return value.map((ex, k) => {
    if (typeof ex !== "object" || ex === null || Array.isArray(ex)) {
      throw new TaskFileError(`${where}[${k}]: expected an object with input and output`);
    }
    const e = ex as Record<string, unknown>;
    if (!("input" in e)) throw new TaskFileError(`${where}[${k}]: missing 'input'`);
    if (!("output" in e)) throw new TaskFileError(`${where}[${k}]: missing 'output'`);
    return {
      input: gridFromJson(e.input, `${where}[${k}].input`),
      output: gridFromJson(e.output, `${where}[${k}].output`),
    };
  });
}

/** Parses one task file's text; throws {@link TaskFileError} naming the file and the problem. */
export function parseTask(text: string, file: string): ArcTask {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new TaskFileError(`${file}: not valid JSON`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new TaskFileError(`${file}: expected a JSON object with 'train' and 'test'`);
  }
  const obj = raw as Record<string, unknown>;
  for (const key of ["train", "test"]) {
    if (!(key in obj)) throw new TaskFileError(`${file}: missing '${key}'`);
  }
  const keyOrder = Object.keys(obj).filter((k) => k === "train" || k === "test") as (
    | "train"
    | "test"
  )[];
  const stem = file.replace(/^.*\//, "").replace(/\.json$/, "");
  return {
    name: stem,
    file,
    train: pairsFromJson(obj.train, `${file}: train`),
    test: pairsFromJson(obj.test, `${file}: test`),
    keyOrder,
  };
}

/** A folder of task files that the reference shuffles as one unit. */
export interface TaskUnit {
  /** e.g. `ARC-AGI/data/training`, `ConceptARC/corpus/Count`. */
  label: string;
  path: string;
  /** Evaluation folder: demonstrations go to train, test pairs to the test split. */
  evaluation: boolean;
}

/** A collection of a public repository: repository folder name and the path inside it. */
export interface Collection {
  repo: "ARC-AGI" | "ARC-AGI-2" | "ConceptARC";
  /** `data` (holding `training`, `evaluation`) or `corpus` (holding one folder per concept). */
  sub: "data" | "corpus";
}

/** Presets: which collections, in which order. */
export const PRESETS = {
  arc1: [{ repo: "ARC-AGI", sub: "data" }, { repo: "ConceptARC", sub: "corpus" }],
  arc2: [{ repo: "ARC-AGI-2", sub: "data" }],
} as const satisfies Record<string, readonly Collection[]>;
export type PresetName = keyof typeof PRESETS;

async function isDir(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

function normalisedBase(path: string): string {
  const base = path.replace(/\/+$/, "").replace(/^.*\//, "").toLowerCase();
  return base.replace(/-(main|master)$/, "");
}

/**
 * Finds `<repo>/<sub>` among the sources: a source is either a folder holding
 * checkouts (`SRC/ARC-AGI/data`) or a checkout itself (`SRC/data` where SRC is
 * named like the repository, optionally with `-main`/`-master`). Null when absent.
 */
export async function findCollection(
  sources: readonly string[],
  c: Collection,
): Promise<string | null> {
  for (const src of sources) {
    const nested = `${src.replace(/\/+$/, "")}/${c.repo}/${c.sub}`;
    if (await isDir(nested)) return nested;
    if (normalisedBase(src) === c.repo.toLowerCase() && await isDir(`${src}/${c.sub}`)) {
      return `${src.replace(/\/+$/, "")}/${c.sub}`;
    }
  }
  return null;
}

async function listDir(path: string, want: "dir" | "json"): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(path)) {
    if (want === "dir" ? e.isDirectory : e.isFile && e.name.endsWith(".json")) names.push(e.name);
  }
  // Code-point order: the reference lists with os.scandir/glob, whose order is the file system's.
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The shuffle units of one collection in our fixed order: for `data`,
 * `training` then `evaluation`; for `corpus`, the concept folders by name.
 */
export async function collectionUnits(root: string, c: Collection): Promise<TaskUnit[]> {
  const label = (d: string) => `${c.repo}/${c.sub}/${d}`;
  if (c.sub === "data") {
    const units: TaskUnit[] = [];
    for (const d of ["training", "evaluation"]) {
      if (!(await isDir(`${root}/${d}`))) throw new Error(`${root}/${d}: folder not found`);
      units.push({ label: label(d), path: `${root}/${d}`, evaluation: d === "evaluation" });
    }
    return units;
  }
  const dirs = await listDir(root, "dir");
  if (dirs.length === 0) throw new Error(`${root}: no concept folders found`);
  return dirs.map((d) => ({
    label: label(d),
    path: `${root}/${d}`,
    evaluation: d === "evaluation",
  }));
}

/** Resolves a preset's units from the sources; throws naming what is missing. */
export async function presetUnits(sources: readonly string[], preset: PresetName) {
  const units: TaskUnit[] = [];
  for (const c of PRESETS[preset]) {
    const root = await findCollection(sources, c);
    if (!root) {
      throw new Error(
        `preset ${preset} needs ${c.repo}/${c.sub}: not found under --source ${
          sources.join(", ")
        } (give the folder holding the ${c.repo} checkout, or the checkout itself)`,
      );
    }
    units.push(...await collectionUnits(root, c));
  }
  return units;
}

/** Result of loading one unit: valid tasks (sorted by file name) and the problems found. */
export interface LoadedUnit {
  unit: TaskUnit;
  tasks: ArcTask[];
  problems: string[];
}

/** Loads every `*.json` of a unit in file-name order; malformed files become problems. */
export async function loadUnit(unit: TaskUnit): Promise<LoadedUnit> {
  const tasks: ArcTask[] = [];
  const problems: string[] = [];
  for (const name of await listDir(unit.path, "json")) {
    const file = `${unit.path}/${name}`;
    try {
      tasks.push(parseTask(await Deno.readTextFile(file), file));
    } catch (err) {
      if (err instanceof TaskFileError) problems.push(err.message);
      else throw err;
    }
  }
  return { unit, tasks, problems };
}

/**
 * Refuses task names that would clash: the same name twice (the name is the
 * identifier), or two names that map to one file name of the reports
 * (`tasks/<name>.svg` after replacing characters other than letters, digits,
 * `_ . -`, compared ignoring case for case-insensitive file systems). Throws
 * one line naming both files.
 */
export function checkTaskNames(tasks: readonly ArcTask[]): void {
  const byName = new Map<string, ArcTask>();
  const byFile = new Map<string, ArcTask>();
  for (const t of tasks) {
    const prev = byName.get(t.name);
    if (prev) throw new Error(`task name '${t.name}' appears twice: ${prev.file} and ${t.file}`);
    byName.set(t.name, t);
    const file = svgFileName(t.name);
    const other = byFile.get(file.toLowerCase());
    if (other) {
      throw new Error(
        `task names '${other.name}' (${other.file}) and '${t.name}' (${t.file}) map to the same ` +
          `file name ${file}; rename one of the files`,
      );
    }
    byFile.set(file.toLowerCase(), t);
  }
}

/**
 * Checks loaded units before a build: the task names ({@link checkTaskNames}),
 * and that neither split would be empty: the test split holds the test pairs
 * of the evaluation units' tasks, the train split at least their
 * demonstrations. Throws one line.
 */
export function checkLoadedUnits(units: readonly LoadedUnit[]): void {
  const tasks = units.flatMap((u) => u.tasks);
  checkTaskNames(tasks);
  const skipped = (list: LoadedUnit[]) => {
    const n = list.reduce((k, u) => k + u.problems.length, 0);
    return n ? ` (${n} malformed task files skipped)` : "";
  };
  const evaluation = units.filter((u) => u.unit.evaluation);
  if (!evaluation.some((u) => u.tasks.length)) {
    const where = evaluation.map((u) => u.unit.path).join(", ") || "the sources";
    throw new Error(
      `no evaluation task in ${where}${skipped(evaluation)}: the test split would be empty`,
    );
  }
}

/**
 * The problems of loaded units as one line when they are fatal (no
 * `skipBad`): the first problem and how many files in all. Null when there are none.
 */
export function sourceProblemsLine(units: readonly LoadedUnit[]): string | null {
  const problems = units.flatMap((u) => u.problems);
  if (!problems.length) return null;
  const more = problems.length > 1 ? ` (${problems.length} malformed task files in all)` : "";
  return `${problems[0]}${more}; use --skip-bad to skip malformed task files`;
}
