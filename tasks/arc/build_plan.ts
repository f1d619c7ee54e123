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
import type { Progress } from "../../util/mod.ts";

/** A task in build order, with its folder and augmentations (identity first). */
export interface PlannedTask {
  task: ArcTask;
  unit: string;
  evaluation: boolean;
  /** Number of puzzles: the original plus its augmentations. */
  count: number;
  /** Dihedral id of each puzzle (packed: a million small objects would cost hundreds of MB). */
  dihedral: Uint8Array;
  /** Colour map of each puzzle, 10 entries each. */
  maps: Uint8Array;
}

/** Augmentation `k` of a planned task (0 is the identity). */
export function augOf(t: PlannedTask, k: number): Augmentation {
  return { d: t.dihedral[k], map: t.maps.subarray(10 * k, 10 * k + 10) };
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
      const augs = planAugmentations(allPairs(task), numAug, rng);
      const maps = new Uint8Array(10 * augs.length);
      augs.forEach((a, k) => maps.set(a.map, 10 * k));
      out.push({
        task,
        unit: unit.label,
        evaluation: unit.evaluation,
        count: augs.length,
        dihedral: Uint8Array.from(augs, (a) => a.d),
        maps,
      });
      progress.update(out.length);
    }
  }
  return out;
}

/** Puzzles of one split, in order: for each group, the base and the task's augmentations. */
interface SplitGroups {
  groups: { t: PlannedTask; base: number; pairs: Pair[] }[];
}

/**
 * Assembles both splits from the planned tasks and draws the translation
 * offsets of the train split (the test split's draws of the untranslated
 * example are skipped: nothing random follows them).
 */
export function assemble(tasks: PlannedTask[], rng: NumpyLegacyRandom): BuildPlan {
  const basePairs: Pair[][] = [];
  const splits: { train: SplitGroups; test: SplitGroups } = {
    train: { groups: [] },
    test: { groups: [] },
  };
  const add = (split: SplitGroups, t: PlannedTask, pairs: Pair[]) => {
    split.groups.push({ t, base: basePairs.length, pairs });
    basePairs.push(pairs);
  };
  for (const t of tasks) add(splits.train, t, t.evaluation ? t.task.train : allPairs(t.task));
  for (const t of tasks) if (t.evaluation) add(splits.test, t, t.task.test);
  // Identifiers in order of first appearance, train split first: the
  // reference's train split comes first whenever a training folder is read first.
  const identifiers = ["<blank>"];
  const idOf = new Map<string, number>();
  const ids = (split: SplitGroups) =>
    split.groups.flatMap(({ t }) => {
      const out: number[] = [];
      for (let k = 0; k < t.count; k++) {
        const name = augmentName(t.task.name, augOf(t, k));
        let id = idOf.get(name);
        if (id === undefined) {
          id = identifiers.length;
          identifiers.push(name);
          idOf.set(name, id);
        }
        out.push(id);
      }
      return out;
    });
  const trainIds = ids(splits.train), testIds = ids(splits.test);
  const train = finish(splits.train, trainIds, rng, true);
  const test = finish(splits.test, testIds, rng, false);
  return { tasks, identifiers, store: makeGridStore(basePairs), splits: { train, test } };
}

function finish(
  s: SplitGroups,
  ids: number[],
  rng: NumpyLegacyRandom,
  translate: boolean,
): CompactSetArrays {
  const nP = ids.length;
  const nE = s.groups.reduce((n, g) => n + g.t.count * g.pairs.length, 0);
  const a: CompactSetArrays = {
    puzzleIdentifiers: Int32Array.from(ids),
    puzzleIndices: new Int32Array(nP + 1),
    groupIndices: new Int32Array(s.groups.length + 1),
    puzzleBase: new Int32Array(nP),
    puzzleDihedral: new Uint8Array(nP),
    puzzleColourMap: new Uint8Array(10 * nP),
    examplePair: new Uint8Array(nE),
    exampleOffset: new Uint8Array(2 * nE),
  };
  let p = 0, e = 0;
  s.groups.forEach(({ t, base, pairs }, g) => {
    if (pairs.length > 256) throw new Error(`${t.task.file}: more than 256 pairs`);
    for (let k = 0; k < t.count; k++, p++) {
      a.puzzleBase[p] = base;
      a.puzzleDihedral[p] = t.dihedral[k];
      a.puzzleColourMap.set(t.maps.subarray(10 * k, 10 * k + 10), 10 * p);
      const swap = swapsAxes(t.dihedral[k]);
      const keep = translate ? rng.randint(0, pairs.length) : -1;
      for (let j = 0; j < pairs.length; j++, e++) {
        a.examplePair[e] = j;
        if (!translate || j === keep) continue;
        const { input: x, output: y } = pairs[j];
        const rows = swap ? Math.max(x.cols, y.cols) : Math.max(x.rows, y.rows);
        const cols = swap ? Math.max(x.rows, y.rows) : Math.max(x.cols, y.cols);
        a.exampleOffset[2 * e] = rng.randint(0, CANVAS - rows + 1);
        a.exampleOffset[2 * e + 1] = rng.randint(0, CANVAS - cols + 1);
      }
      a.puzzleIndices[p + 1] = e;
    }
    a.groupIndices[g + 1] = p;
  });
  return a;
}
