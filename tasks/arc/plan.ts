/**
 * The build plan: which tasks, in which order, with which augmentations and
 * translation offsets, drawn from NumPy's legacy stream in the reference's
 * order. The reference (`dataset/build_arc_dataset.py`) seeds once, then per
 * folder shuffles the task files and augments each task; afterwards, per
 * split, per puzzle, it draws the one example left untranslated and the
 * offsets of the others. We list folders and files in a fixed order (the
 * reference uses the file system's), so our output equals the reference's
 * for that order, byte for byte.
 * @module
 */
import { type Augmentation, augmentName, planAugmentations } from "./augment.ts";
import { CANVAS, swapsAxes } from "./encode.ts";
import { type CompactSetArrays, type GridStore, makeGridStore } from "./compact.ts";
import { NumpyLegacyRandom } from "./mt19937.ts";
import type { ArcTask, LoadedUnit, Pair } from "./source.ts";
import type { Progress } from "./progress.ts";

/** A task in build order, with its folder and augmentations (identity first). */
export interface PlannedTask {
  task: ArcTask;
  unit: string;
  evaluation: boolean;
  augs: Augmentation[];
}

/** Everything a build writes, before writing. */
export interface BuildPlan {
  tasks: PlannedTask[];
  /** Identifier names; index 0 is `<blank>`. */
  identifiers: string[];
  store: GridStore;
  splits: { train: CompactSetArrays; test: CompactSetArrays };
}

/** All pairs of a task in the file's key order (what a non-evaluation task puts in train). */
export function allPairs(task: ArcTask): Pair[] {
  return task.keyOrder.flatMap((k) => task[k]);
}

/**
 * Runs the reference's random choices: per unit a shuffle of its tasks, then
 * the augmentations of each task in shuffled order. `units` hold tasks sorted
 * by file name.
 */
export function planTasks(
  units: LoadedUnit[],
  numAug: number,
  rng: NumpyLegacyRandom,
  progress: Progress,
): PlannedTask[] {
  const out: PlannedTask[] = [];
  for (const { unit, tasks } of units) {
    const shuffled = [...tasks];
    rng.shuffle(shuffled);
    for (const task of shuffled) {
      // The reference hashes every pair of the task, demonstrations and tests together.
      out.push({
        task,
        unit: unit.label,
        evaluation: unit.evaluation,
        augs: planAugmentations(allPairs(task), numAug, rng),
      });
      progress.update(out.length);
    }
  }
  return out;
}

interface SplitBuilder {
  identifiers: number[];
  puzzleIndices: number[];
  groupIndices: number[];
  bases: number[];
  dihedral: number[];
  maps: Uint8Array[];
  pairs: Pair[][];
}

function emptySplit(): SplitBuilder {
  return {
    identifiers: [],
    puzzleIndices: [0],
    groupIndices: [0],
    bases: [],
    dihedral: [],
    maps: [],
    pairs: [],
  };
}

/**
 * Assembles both splits from the planned tasks and draws the translation
 * offsets of the train split (then the test split's unused draws are skipped:
 * nothing random follows them).
 */
export function assemble(tasks: PlannedTask[], rng: NumpyLegacyRandom): BuildPlan {
  const basePairs: Pair[][] = [];
  const identifiers = ["<blank>"];
  const idOf = new Map<string, number>();
  const splits = { train: emptySplit(), test: emptySplit() };
  const addGroup = (split: SplitBuilder, t: PlannedTask, pairs: Pair[]) => {
    const base = basePairs.length;
    basePairs.push(pairs);
    for (const aug of t.augs) {
      const name = augmentName(t.task.name, aug);
      let id = idOf.get(name);
      if (id === undefined) {
        id = identifiers.length;
        identifiers.push(name);
        idOf.set(name, id);
      }
      split.identifiers.push(id);
      split.bases.push(base);
      split.dihedral.push(aug.d);
      split.maps.push(aug.map);
      split.pairs.push(pairs);
      split.puzzleIndices.push(split.puzzleIndices[split.puzzleIndices.length - 1] + pairs.length);
    }
    split.groupIndices.push(split.identifiers.length);
  };
  // Train first: the reference numbers identifiers in split order, and its
  // train split comes first whenever a training folder is read first.
  for (const t of tasks) addGroup(splits.train, t, t.evaluation ? t.task.train : allPairs(t.task));
  for (const t of tasks) if (t.evaluation) addGroup(splits.test, t, t.task.test);
  const train = finish(splits.train, rng, true);
  const test = finish(splits.test, rng, false);
  return { tasks, identifiers, store: makeGridStore(basePairs), splits: { train, test } };
}

function finish(s: SplitBuilder, rng: NumpyLegacyRandom, translate: boolean): CompactSetArrays {
  const nP = s.identifiers.length;
  const nE = s.puzzleIndices[nP];
  const examplePair = new Uint8Array(nE);
  const exampleOffset = new Uint8Array(2 * nE);
  const puzzleColourMap = new Uint8Array(10 * nP);
  for (let p = 0; p < nP; p++) {
    puzzleColourMap.set(s.maps[p], 10 * p);
    const pairs = s.pairs[p], start = s.puzzleIndices[p];
    const swap = swapsAxes(s.dihedral[p]);
    const keep = translate ? rng.randint(0, pairs.length) : -1;
    for (let j = 0; j < pairs.length; j++) {
      if (j > 255) throw new Error("a task has more than 256 pairs");
      examplePair[start + j] = j;
      if (!translate || j === keep) continue;
      const { input: a, output: b } = pairs[j];
      const rows = swap ? Math.max(a.cols, b.cols) : Math.max(a.rows, b.rows);
      const cols = swap ? Math.max(a.rows, b.rows) : Math.max(a.cols, b.cols);
      exampleOffset[2 * (start + j)] = rng.randint(0, CANVAS - rows + 1);
      exampleOffset[2 * (start + j) + 1] = rng.randint(0, CANVAS - cols + 1);
    }
  }
  return {
    puzzleIdentifiers: Int32Array.from(s.identifiers),
    puzzleIndices: Int32Array.from(s.puzzleIndices),
    groupIndices: Int32Array.from(s.groupIndices),
    puzzleBase: Int32Array.from(s.bases),
    puzzleDihedral: Uint8Array.from(s.dihedral),
    puzzleColourMap,
    examplePair,
    exampleOffset,
  };
}
