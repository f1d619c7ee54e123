/**
 * The compact on-disk form of an ARC build and the PuzzleSet that expands it.
 * Instead of 900-token arrays per example (about 7 GB for arc1 with 1000
 * augmentations) it stores the original grids once and, per puzzle, the base
 * task part, dihedral id and colour map, and per example the pair index and
 * translation offsets; `fill()` draws the 30x30 example when batching.
 *
 * Files (all little-endian safetensors):
 * - `arc_grids.safetensors`: `cells` U8 (all grids, row-major, concatenated),
 *   `grid_start` I32 [G+1], `grid_shape` U8 [G,2] (rows, cols),
 *   `base_pair_start` I32 [B+1], `pair_grids` I32 [pairs,2] (input, output grid).
 *   A base is one task's demonstrations or tests (as they go to one split).
 * - `<split>/all__compact.safetensors`: `puzzle_identifiers` I32 [P],
 *   `puzzle_indices` I32 [P+1], `group_indices` I32 [groups+1] (the reference's
 *   meaning), `puzzle_base` I32 [P], `puzzle_dihedral` U8 [P],
 *   `puzzle_colour_map` U8 [P,10], `example_pair` U8 [N], `example_offset` U8 [N,2]
 *   (row, column of the grid's top-left cell in the canvas).
 * @module
 */
import { type HostTensor, readSafetensors, writeSafetensors } from "../../io/mod.ts";
import {
  checkSplitTotals,
  type DatasetMetadata,
  type PuzzleSet,
  type PuzzleSplit,
  readMetadata,
  type SplitName,
  validateSet,
} from "../dataset.ts";
import {
  CANVAS,
  COLOR0,
  dihedralSource,
  EOS,
  type Grid,
  PAD,
  SEQ_LEN,
  swapsAxes,
  VOCAB,
} from "./encode.ts";

/** File names of the compact form. */
export const GRIDS_FILE = "arc_grids.safetensors";
export const COMPACT_SET_FILE = (set: string) => `${set}__compact.safetensors`;

/** The original grids, grouped into bases (a task's pairs going to one split). */
export interface GridStore {
  cells: Uint8Array;
  gridStart: Int32Array;
  gridShape: Uint8Array;
  basePairStart: Int32Array;
  pairGrids: Int32Array;
}

/** Per-puzzle and per-example records of one set. */
export interface CompactSetArrays {
  puzzleIdentifiers: Int32Array;
  puzzleIndices: Int32Array;
  groupIndices: Int32Array;
  puzzleBase: Int32Array;
  puzzleDihedral: Uint8Array;
  puzzleColourMap: Uint8Array;
  examplePair: Uint8Array;
  exampleOffset: Uint8Array;
}

const i32 = (data: Int32Array, shape = [data.length]): HostTensor => ({
  dtype: "i32",
  shape,
  data,
});
const u8 = (data: Uint8Array, shape = [data.length]): HostTensor => ({ dtype: "u8", shape, data });

/** Builds a grid store from bases given as lists of pairs. */
export function makeGridStore(bases: { input: Grid; output: Grid }[][]): GridStore {
  const grids: Grid[] = [];
  const basePairStart = new Int32Array(bases.length + 1);
  const pairGrids: number[] = [];
  bases.forEach((pairs, b) => {
    for (const p of pairs) {
      pairGrids.push(grids.length, grids.length + 1);
      grids.push(p.input, p.output);
    }
    basePairStart[b + 1] = basePairStart[b] + pairs.length;
  });
  const gridStart = new Int32Array(grids.length + 1);
  grids.forEach((g, k) => (gridStart[k + 1] = gridStart[k] + g.cells.length));
  const cells = new Uint8Array(gridStart[grids.length]);
  const gridShape = new Uint8Array(grids.length * 2);
  grids.forEach((g, k) => {
    cells.set(g.cells, gridStart[k]);
    gridShape[2 * k] = g.rows;
    gridShape[2 * k + 1] = g.cols;
  });
  return { cells, gridStart, gridShape, basePairStart, pairGrids: Int32Array.from(pairGrids) };
}

/** Writes `arc_grids.safetensors`. */
export function writeGridStore(dir: string, s: GridStore): Promise<void> {
  const nGrids = s.gridStart.length - 1;
  return writeSafetensors(`${dir}/${GRIDS_FILE}`, {
    cells: u8(s.cells),
    grid_start: i32(s.gridStart),
    grid_shape: u8(s.gridShape, [nGrids, 2]),
    base_pair_start: i32(s.basePairStart),
    pair_grids: i32(s.pairGrids, [s.pairGrids.length / 2, 2]),
  }, { format: "hrm-arc-grids", version: "1" });
}

/** Writes one set's compact records. */
export function writeCompactSet(path: string, a: CompactSetArrays): Promise<void> {
  const nP = a.puzzleIdentifiers.length, nE = a.examplePair.length;
  return writeSafetensors(path, {
    puzzle_identifiers: i32(a.puzzleIdentifiers),
    puzzle_indices: i32(a.puzzleIndices),
    group_indices: i32(a.groupIndices),
    puzzle_base: i32(a.puzzleBase),
    puzzle_dihedral: u8(a.puzzleDihedral),
    puzzle_colour_map: u8(a.puzzleColourMap, [nP, 10]),
    example_pair: u8(a.examplePair),
    example_offset: u8(a.exampleOffset, [nE, 2]),
  }, { format: "hrm-arc-compact-set", version: "1" });
}

function take(
  t: Map<string, HostTensor>,
  name: string,
  dtype: "i32" | "u8",
  where: string,
  shape?: (number | null)[],
) {
  const v = t.get(name);
  if (!v) throw new Error(`${where}: missing tensor '${name}'`);
  if (v.dtype !== dtype) {
    throw new Error(`${where}: tensor '${name}' is ${v.dtype}, expected ${dtype}`);
  }
  if (
    shape &&
    (v.shape.length !== shape.length || shape.some((d, k) => d !== null && d !== v.shape[k]))
  ) {
    throw new Error(
      `${where}: tensor '${name}' has shape [${v.shape}], expected [${shape.map((d) => d ?? "N")}]`,
    );
  }
  return v.data;
}

/** Reads and checks `arc_grids.safetensors`. */
export async function readGridStore(dir: string): Promise<GridStore> {
  const where = `${dir}/${GRIDS_FILE}`;
  const { tensors: t } = await readSafetensors(where);
  const s: GridStore = {
    cells: take(t, "cells", "u8", where) as Uint8Array,
    gridStart: take(t, "grid_start", "i32", where) as Int32Array,
    gridShape: take(t, "grid_shape", "u8", where, [null, 2]) as Uint8Array,
    basePairStart: take(t, "base_pair_start", "i32", where) as Int32Array,
    pairGrids: take(t, "pair_grids", "i32", where, [null, 2]) as Int32Array,
  };
  const nGrids = s.gridStart.length - 1;
  if (s.gridShape.length !== 2 * nGrids) {
    throw new Error(`${where}: grid_shape does not match grid_start`);
  }
  for (let k = 0; k < nGrids; k++) {
    const r = s.gridShape[2 * k], c = s.gridShape[2 * k + 1];
    if (
      r < 1 || c < 1 || r > CANVAS || c > CANVAS || s.gridStart[k + 1] - s.gridStart[k] !== r * c
    ) {
      throw new Error(`${where}: grid ${k} has shape ${r}x${c} inconsistent with grid_start`);
    }
  }
  if (s.gridStart[nGrids] !== s.cells.length) throw new Error(`${where}: cells length mismatch`);
  if (s.cells.some((v) => v > 9)) throw new Error(`${where}: a cell is outside colours 0-9`);
  if (s.pairGrids.some((g) => g < 0 || g >= nGrids)) {
    throw new Error(`${where}: pair_grids out of range`);
  }
  const nPairs = s.pairGrids.length / 2;
  if (s.basePairStart[0] !== 0 || s.basePairStart[s.basePairStart.length - 1] !== nPairs) {
    throw new Error(`${where}: base_pair_start must run from 0 to ${nPairs}`);
  }
  for (let b = 0; b + 1 < s.basePairStart.length; b++) {
    if (s.basePairStart[b + 1] < s.basePairStart[b]) {
      throw new Error(`${where}: base_pair_start decreases at base ${b}`);
    }
  }
  return s;
}

/** The grid with id `k` of a store (a view, no copy). */
export function storeGrid(s: GridStore, k: number): Grid {
  return {
    rows: s.gridShape[2 * k],
    cols: s.gridShape[2 * k + 1],
    cells: s.cells.subarray(s.gridStart[k], s.gridStart[k + 1]),
  };
}

/** Draws `map[grid]` under dihedral `d` at (padR, padC) into a 900-token canvas, allocation-free. */
function drawAugmented(
  g: Grid,
  d: number,
  map: Uint8Array,
  mapAt: number,
  padR: number,
  padC: number,
  out: Int32Array | Uint8Array,
  offset: number,
): void {
  const [rows, cols] = swapsAxes(d) ? [g.cols, g.rows] : [g.rows, g.cols];
  out.fill(PAD, offset, offset + SEQ_LEN);
  for (let i = 0; i < rows; i++) {
    const base = offset + (padR + i) * CANVAS + padC;
    for (let j = 0; j < cols; j++) {
      out[base + j] = map[mapAt + g.cells[dihedralSource(d, g.rows, g.cols, i, j)]] + COLOR0;
    }
  }
  const eosRow = padR + rows, eosCol = padC + cols;
  if (eosRow < CANVAS) {
    out.fill(EOS, offset + eosRow * CANVAS + padC, offset + eosRow * CANVAS + eosCol);
  }
  if (eosCol < CANVAS) {
    for (let i = padR; i < eosRow; i++) {
      out[offset + i * CANVAS + eosCol] = EOS;
    }
  }
}

/** A set of the compact form: examples produced on demand, identical to the materialised layout. */
export class CompactSet implements PuzzleSet {
  readonly puzzleIndices: Int32Array;
  readonly groupIndices: Int32Array;
  readonly puzzleIdentifiers: Int32Array;
  /** Puzzle of each example (precomputed so that fill is O(900)). */
  readonly examplePuzzle: Int32Array;

  constructor(readonly store: GridStore, readonly arrays: CompactSetArrays) {
    this.puzzleIndices = arrays.puzzleIndices;
    this.groupIndices = arrays.groupIndices;
    this.puzzleIdentifiers = arrays.puzzleIdentifiers;
    this.examplePuzzle = new Int32Array(arrays.examplePair.length);
    const pi = arrays.puzzleIndices;
    for (let p = 0; p + 1 < pi.length; p++) this.examplePuzzle.fill(p, pi[p], pi[p + 1]);
  }

  get numExamples(): number {
    return this.arrays.examplePair.length;
  }

  /** Grid ids (input, output) of example `i`. */
  exampleGrids(i: number): [number, number] {
    const a = this.arrays, p = this.examplePuzzle[i];
    const pair = this.store.basePairStart[a.puzzleBase[p]] + a.examplePair[i];
    return [this.store.pairGrids[2 * pair], this.store.pairGrids[2 * pair + 1]];
  }

  fill(i: number, inputs: Int32Array, labels: Int32Array, offset: number): void {
    this.fillAny(i, inputs, labels, offset);
  }

  /** {@link fill} into any integer array (the reference-layout writer uses bytes). */
  fillAny(
    i: number,
    inputs: Int32Array | Uint8Array,
    labels: Int32Array | Uint8Array,
    offset: number,
  ) {
    const a = this.arrays, p = this.examplePuzzle[i];
    const [gi, go] = this.exampleGrids(i);
    const d = a.puzzleDihedral[p];
    const r = a.exampleOffset[2 * i], c = a.exampleOffset[2 * i + 1];
    drawAugmented(storeGrid(this.store, gi), d, a.puzzleColourMap, 10 * p, r, c, inputs, offset);
    drawAugmented(storeGrid(this.store, go), d, a.puzzleColourMap, 10 * p, r, c, labels, offset);
  }
}

/** Reads one set of the compact form and checks it against the grid store. */
export async function readCompactSet(
  path: string,
  store: GridStore,
  meta: DatasetMetadata,
): Promise<CompactSet> {
  const { tensors: t } = await readSafetensors(path);
  const arrays: CompactSetArrays = {
    puzzleIdentifiers: take(t, "puzzle_identifiers", "i32", path) as Int32Array,
    puzzleIndices: take(t, "puzzle_indices", "i32", path) as Int32Array,
    groupIndices: take(t, "group_indices", "i32", path) as Int32Array,
    puzzleBase: take(t, "puzzle_base", "i32", path) as Int32Array,
    puzzleDihedral: take(t, "puzzle_dihedral", "u8", path) as Uint8Array,
    puzzleColourMap: take(t, "puzzle_colour_map", "u8", path, [null, 10]) as Uint8Array,
    examplePair: take(t, "example_pair", "u8", path) as Uint8Array,
    exampleOffset: take(t, "example_offset", "u8", path, [null, 2]) as Uint8Array,
  };
  const nP = arrays.puzzleIdentifiers.length, nE = arrays.examplePair.length;
  const nBases = store.basePairStart.length - 1;
  if (arrays.puzzleBase.length !== nP || arrays.puzzleDihedral.length !== nP) {
    throw new Error(`${path}: per-puzzle arrays differ in length`);
  }
  if (arrays.puzzleColourMap.length !== 10 * nP || arrays.exampleOffset.length !== 2 * nE) {
    throw new Error(`${path}: colour map or offset arrays have the wrong length`);
  }
  const set = new CompactSet(store, arrays);
  validateSet(set, meta, path);
  for (let p = 0; p < nP; p++) {
    const b = arrays.puzzleBase[p];
    if (b < 0 || b >= nBases) {
      throw new Error(`${path}: puzzle ${p} has base ${b} outside 0..${nBases - 1}`);
    }
    if (arrays.puzzleDihedral[p] > 7) throw new Error(`${path}: puzzle ${p} has dihedral id > 7`);
    const m = arrays.puzzleColourMap.subarray(10 * p, 10 * p + 10);
    if (m[0] !== 0 || [...m].sort().some((v, k) => v !== k)) {
      throw new Error(
        `${path}: puzzle ${p} colour map ${m.join("")} is not a permutation fixing 0`,
      );
    }
  }
  for (let i = 0; i < nE; i++) {
    const p = set.examplePuzzle[i], b = arrays.puzzleBase[p];
    if (arrays.examplePair[i] >= store.basePairStart[b + 1] - store.basePairStart[b]) {
      throw new Error(
        `${path}: example ${i} names pair ${arrays.examplePair[i]} its task does not have`,
      );
    }
    const [gi, go] = set.exampleGrids(i);
    const swap = swapsAxes(arrays.puzzleDihedral[p]);
    const rows = Math.max(
      store.gridShape[2 * gi + (swap ? 1 : 0)],
      store.gridShape[2 * go + (swap ? 1 : 0)],
    );
    const cols = Math.max(
      store.gridShape[2 * gi + (swap ? 0 : 1)],
      store.gridShape[2 * go + (swap ? 0 : 1)],
    );
    if (
      arrays.exampleOffset[2 * i] + rows > CANVAS || arrays.exampleOffset[2 * i + 1] + cols > CANVAS
    ) {
      throw new Error(`${path}: example ${i} is translated off the ${CANVAS}x${CANVAS} canvas`);
    }
  }
  return set;
}

/** True when `dir` holds an ARC compact build. */
export async function isCompactDir(dir: string): Promise<boolean> {
  try {
    return (await Deno.stat(`${dir}/${GRIDS_FILE}`)).isFile;
  } catch {
    return false;
  }
}

/** Opens one split of a compact build behind the common dataset interface. */
export async function openCompactSplit(dir: string, split: SplitName): Promise<PuzzleSplit> {
  const metadata = await readMetadata(dir, split);
  const where = `${dir}/${split}/dataset.json`;
  for (
    const [field, want] of [["seq_len", SEQ_LEN], ["vocab_size", VOCAB], ["pad_id", PAD]] as const
  ) {
    if (metadata[field] !== want) {
      throw new Error(
        `${where}: field '${field}' is ${metadata[field]}, expected ${want} (the ARC encoding)`,
      );
    }
  }
  const store = await readGridStore(dir);
  const sets = new Map<string, PuzzleSet>();
  for (const name of metadata.sets) {
    sets.set(
      name,
      await readCompactSet(`${dir}/${split}/${COMPACT_SET_FILE(name)}`, store, metadata),
    );
  }
  checkSplitTotals(metadata, sets, where);
  return { metadata, sets };
}
