/**
 * Augmentation plans per task, drawn exactly as the reference builder does:
 * up to 5N trials, each a dihedral id (`randint(0, 8)`) and a permutation of
 * colours 1..9 (black fixed); a trial is kept when the augmented task (the
 * multiset of all its (input, output) pairs, demonstrations and tests
 * together) differs from the original and every kept one. The reference
 * compares SHA-256 digests; we compare a 64-bit hash and confirm every hash
 * match cell by cell, so the keep/reject decisions are exact.
 * @module
 */
import { type Grid, gridsEqual, IDENTITY_MAP, transformGrid } from "./encode.ts";
import type { NumpyLegacyRandom } from "./mt19937.ts";
import type { Pair } from "./source.ts";

/** One augmentation: dihedral id and colour map (new colour of colour i is `map[i]`). */
export interface Augmentation {
  d: number;
  map: Uint8Array;
}

/** Reference: `ARCAugmentRetriesFactor`. */
export const RETRIES_FACTOR = 5;

/** The identifier of a task + augmentation: `<stem>` or `<stem>_t<d>_<m0..m9>`. */
export function augmentName(stem: string, aug: Augmentation): string {
  if (aug.d === 0 && aug.map.every((v, i) => v === i)) return stem;
  return `${stem}_t${aug.d}_${aug.map.join("")}`;
}

/** Parses an identifier back into stem and augmentation (identity when it has no suffix). */
export function parseAugmentName(name: string): { stem: string; aug: Augmentation } {
  const m = /^(.*)_t([0-7])_(\d{10})$/.exec(name);
  if (!m) return { stem: name, aug: { d: 0, map: IDENTITY_MAP } };
  const map = Uint8Array.from(m[3], (ch) => Number(ch));
  const sorted = [...map].sort();
  if (map[0] !== 0 || sorted.some((v, i) => v !== i)) {
    throw new Error(`identifier '${name}': colour map ${m[3]} is not a permutation fixing 0`);
  }
  return { stem: m[1], aug: { d: Number(m[2]), map } };
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Two 32-bit hashes of a grid's shape and mapped cells. */
function hashGrid(g: Grid, map: Uint8Array, out: Uint32Array, at: number): void {
  let a = 0x811c9dc5 ^ (g.rows * 64 + g.cols), b = 0x9747b28c ^ (g.cols * 64 + g.rows);
  const cells = g.cells;
  for (let i = 0; i < cells.length; i++) {
    const v = map[cells[i]];
    a = Math.imul(a ^ v, 0x01000193);
    b = Math.imul(b ^ (v + 17), 0x5bd1e995);
    b ^= b >>> 15;
  }
  out[at] = fmix(a);
  out[at + 1] = fmix(b ^ 0x27d4eb2f);
}

/** Exact multiset equality of two lists of pairs. */
function samePairMultiset(a: Pair[], b: Pair[]): boolean {
  if (a.length !== b.length) return false;
  const used = new Uint8Array(b.length);
  outer: for (const p of a) {
    for (let k = 0; k < b.length; k++) {
      if (!used[k] && gridsEqual(p.input, b[k].input) && gridsEqual(p.output, b[k].output)) {
        used[k] = 1;
        continue outer;
      }
    }
    return false;
  }
  return true;
}

/**
 * Draws the augmentations of one task (all its pairs, in file order) from
 * `rng`, consuming exactly the draws the reference does. Returns the identity
 * first, then up to `numAug` distinct augmentations in the order found.
 */
export function planAugmentations(
  pairs: Pair[],
  numAug: number,
  rng: NumpyLegacyRandom,
): Augmentation[] {
  const augs: Augmentation[] = [{ d: 0, map: IDENTITY_MAP }];
  if (numAug <= 0) return augs;
  // The augmented task depends only on d and the map of the colours present:
  // a repeated (d, map restricted to those) is a duplicate without hashing.
  const present: number[] = [];
  for (let c = 1; c <= 9; c++) {
    if (pairs.some((p) => p.input.cells.includes(c) || p.output.cells.includes(c))) present.push(c);
  }
  const signature = (d: number, map: Uint8Array) => {
    let s = String(d);
    for (const c of present) s += map[c];
    return s;
  };
  const seenSignatures = new Set<string>([signature(0, IDENTITY_MAP)]);
  const byDihedral: Grid[][] = [];
  const transformed = (d: number): Grid[] => {
    if (!byDihedral[d]) {
      byDihedral[d] = pairs.flatMap((p) => [transformGrid(p.input, d), transformGrid(p.output, d)]);
    }
    return byDihedral[d];
  };
  const gridHashes = new Uint32Array(pairs.length * 4);
  const order = pairs.map((_, k) => k);
  const taskKey = (d: number, map: Uint8Array): number => {
    const grids = transformed(d);
    for (let k = 0; k < grids.length; k++) hashGrid(grids[k], map, gridHashes, 2 * k);
    const pa = (k: number) => fmix(gridHashes[4 * k] ^ Math.imul(gridHashes[4 * k + 2], 31));
    const pb = (k: number) => fmix(gridHashes[4 * k + 1] + Math.imul(gridHashes[4 * k + 3], 7));
    // Sort pairs by both lanes so that equal multisets give equal sequences.
    order.sort((x, y) => pa(x) - pa(y) || pb(x) - pb(y));
    let a = 0x3c6ef372, b = 0xa54ff53a;
    for (const k of order) {
      a = fmix(a ^ pa(k)) + 0x9e3779b9;
      b = fmix(b + pb(k)) ^ 0x7f4a7c15;
    }
    // 53 bits as a safe integer key.
    return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
  };
  const materialise = (aug: Augmentation): Pair[] =>
    pairs.map((p) => ({
      input: transformGrid(p.input, aug.d, aug.map),
      output: transformGrid(p.output, aug.d, aug.map),
    }));
  const byKey = new Map<number, number[]>([[taskKey(0, IDENTITY_MAP), [0]]]);
  const perm = new Uint8Array(9);
  for (let trial = 0; trial < RETRIES_FACTOR * numAug; trial++) {
    const d = rng.randint(0, 8);
    for (let i = 0; i < 9; i++) perm[i] = i + 1;
    rng.shuffle(perm);
    const map = new Uint8Array(10);
    map.set(perm, 1);
    const sig = signature(d, map);
    if (!seenSignatures.has(sig)) {
      seenSignatures.add(sig);
      const key = taskKey(d, map);
      const same = byKey.get(key);
      const aug = { d, map };
      let duplicate = false;
      if (same) {
        const mine = materialise(aug);
        duplicate = same.some((k) => samePairMultiset(mine, materialise(augs[k])));
      }
      if (!duplicate) {
        if (same) same.push(augs.length);
        else byKey.set(key, [augs.length]);
        augs.push(aug);
      }
    }
    if (augs.length >= numAug + 1) break;
  }
  return augs;
}
