import assert from "node:assert/strict";
import {
  decodeGrid,
  dihedral,
  DIHEDRAL_INVERSE,
  encodeGrid,
  gridFromLines,
  gridToLines,
  sideOf,
} from "./grid.ts";
import { Rng, seedWords } from "../../util/rng.ts";

Deno.test("grid: characters '# SGo' map to ids 1..5 and back", () => {
  assert.deepEqual(encodeGrid("# SGo"), Uint8Array.from([1, 2, 3, 4, 5]));
  assert.deepEqual(encodeGrid("#x"), { badAt: 1, char: "x" });
  assert.equal(decodeGrid([1, 2, 3, 4, 5, 0]), "# SGo?");
  assert.equal(sideOf(900), 30);
  assert.throws(() => sideOf(899, "question"), /question: 899 cells is not a square/);
});

Deno.test("dihedral transforms follow numpy rot90/fliplr/flipud/T", () => {
  // Cells 1..9 of a 3x3 grid; expected outputs written out from numpy's definitions.
  const a = Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const expected = [
    [1, 2, 3, 4, 5, 6, 7, 8, 9], // identity
    [3, 6, 9, 2, 5, 8, 1, 4, 7], // np.rot90(a, 1)
    [9, 8, 7, 6, 5, 4, 3, 2, 1], // np.rot90(a, 2)
    [7, 4, 1, 8, 5, 2, 9, 6, 3], // np.rot90(a, 3)
    [3, 2, 1, 6, 5, 4, 9, 8, 7], // np.fliplr(a)
    [7, 8, 9, 4, 5, 6, 1, 2, 3], // np.flipud(a)
    [1, 4, 7, 2, 5, 8, 3, 6, 9], // a.T
    [9, 6, 3, 8, 5, 2, 7, 4, 1], // np.fliplr(np.rot90(a, 1))
  ];
  for (let tid = 0; tid < 8; tid++) {
    assert.deepEqual([...dihedral(a, 3, tid)], expected[tid], `tid ${tid}`);
    assert.deepEqual(dihedral(dihedral(a, 3, tid), 3, DIHEDRAL_INVERSE[tid]), a, `inverse ${tid}`);
  }
  const m = gridFromLines(["S# ", "   ", " oG"]);
  assert.deepEqual(gridToLines(dihedral(m.ids, 3, 6), 3), ["S  ", "# o", "  G"]);
});

Deno.test("rng: deterministic per key, unbiased bounds", () => {
  const a = Rng.fromKey([1, 2, 3]);
  const b = Rng.fromKey([1, 2, 3]);
  const c = Rng.fromKey([1, 2, 4]);
  const xs = Array.from({ length: 8 }, () => a.nextU32());
  assert.deepEqual(xs, Array.from({ length: 8 }, () => b.nextU32()));
  assert.notDeepEqual(xs, Array.from({ length: 8 }, () => c.nextU32()));
  for (const x of xs) assert.ok(Number.isInteger(x) && x >= 0 && x < 2 ** 32);
  const counts = new Array(7).fill(0);
  const r = Rng.fromKey([9]);
  for (let i = 0; i < 7000; i++) counts[r.int(7)]++;
  for (const k of counts) assert.ok(k > 850 && k < 1150, `bucket count ${k}`);
  for (let i = 0; i < 100; i++) {
    const v = r.between(270, 450);
    assert.ok(v >= 270 && v <= 450);
  }
  assert.deepEqual(seedWords(2 ** 32 + 5), [5, 1]);
  assert.throws(() => seedWords(-1), /non-negative integer/);
});
