import assert from "node:assert/strict";
import {
  CANVAS,
  cropCanvas,
  DIHEDRAL_INVERSE,
  drawCanvas,
  type Grid,
  gridFromRows,
  gridToRows,
  inverseTransformGrid,
  invertMap,
  SEQ_LEN,
  transformGrid,
} from "./encode.ts";
import { augmentName, parseAugmentName } from "./augment.ts";
import { NumpyLegacyRandom } from "./mt19937.ts";

const G = gridFromRows([[1, 2, 3], [4, 5, 6]]);
// dataset/common.py dihedral_transform(np.array([[1,2,3],[4,5,6]]), d), as NumPy printed.
const NUMPY_DIHEDRAL = [
  [[1, 2, 3], [4, 5, 6]],
  [[3, 6], [2, 5], [1, 4]],
  [[6, 5, 4], [3, 2, 1]],
  [[4, 1], [5, 2], [6, 3]],
  [[3, 2, 1], [6, 5, 4]],
  [[4, 5, 6], [1, 2, 3]],
  [[1, 4], [2, 5], [3, 6]],
  [[6, 3], [5, 2], [4, 1]],
];

function randomGrid(rng: NumpyLegacyRandom, rows: number, cols: number): Grid {
  return {
    rows,
    cols,
    cells: Uint8Array.from({ length: rows * cols }, () => rng.randint(0, 10)),
  };
}

function randomMap(rng: NumpyLegacyRandom): Uint8Array {
  const perm = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  rng.shuffle(perm);
  return Uint8Array.from([0, ...perm]);
}

Deno.test("encode: the 8 dihedral transforms match the reference's numbering", () => {
  for (let d = 0; d < 8; d++) assert.deepEqual(gridToRows(transformGrid(G, d)), NUMPY_DIHEDRAL[d]);
  assert.throws(() => transformGrid(G, 8), /dihedral id/);
});

Deno.test("encode: every transform and colour permutation is undone by its inverse", () => {
  const rng = new NumpyLegacyRandom(1);
  for (let trial = 0; trial < 40; trial++) {
    const g = randomGrid(rng, rng.randint(1, 31), rng.randint(1, 31));
    const map = randomMap(rng);
    for (let d = 0; d < 8; d++) {
      const aug = transformGrid(g, d, map);
      assert.deepEqual(inverseTransformGrid(aug, d, map), g);
      // DIHEDRAL_INVERSE composes to the identity.
      assert.deepEqual(transformGrid(transformGrid(g, d), DIHEDRAL_INVERSE[d]), g);
    }
  }
});

Deno.test("encode: colour map applies before the transform; new colour of i is map[i]", () => {
  const map = Uint8Array.from([0, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  assert.deepEqual(gridToRows(transformGrid(G, 1, map)), [[7, 4], [8, 5], [9, 6]]);
  assert.deepEqual([...invertMap(Uint8Array.from([0, 3, 1, 2, 4, 5, 6, 7, 8, 9]))], [
    0,
    2,
    3,
    1,
    4,
    5,
    6,
    7,
    8,
    9,
  ]);
  assert.throws(() => invertMap(Uint8Array.from([0, 1, 1, 3, 4, 5, 6, 7, 8, 9])), /permutation/);
});

Deno.test("encode: canvas layout (colours + 2, end markers below and right, corner 0)", () => {
  const out = new Uint8Array(SEQ_LEN + 5);
  drawCanvas(gridFromRows([[0, 9], [3, 4]]), 1, 2, out, 5);
  const at = (r: number, c: number) => out[5 + r * CANVAS + c];
  assert.deepEqual([at(1, 2), at(1, 3), at(2, 2), at(2, 3)], [2, 11, 5, 6]);
  assert.deepEqual([at(3, 2), at(3, 3), at(1, 4), at(2, 4)], [1, 1, 1, 1]);
  assert.equal(at(3, 4), 0);
  assert.equal(out.slice(5).reduce((n, v) => n + (v ? 1 : 0), 0), 8);
});

Deno.test("encode: crop reads back grids at every edge case", () => {
  const rng = new NumpyLegacyRandom(2);
  const shapes = [[1, 1], [30, 30], [30, 1], [1, 30], [29, 30], [30, 29], [7, 12], [29, 29]];
  for (const [r, c] of shapes) {
    const g = randomGrid(rng, r, c);
    const canvas = new Int32Array(SEQ_LEN);
    drawCanvas(g, 0, 0, canvas, 0);
    assert.deepEqual(cropCanvas(canvas), g, `${r}x${c}`);
  }
  // A prediction with no colour in the corner crops to an empty grid.
  assert.deepEqual(cropCanvas(new Int32Array(SEQ_LEN)), {
    rows: 0,
    cols: 0,
    cells: new Uint8Array(0),
  });
  // A ragged prediction: the largest top-left rectangle of colour tokens wins (the notebook's rule).
  const ragged = new Int32Array(SEQ_LEN);
  for (let c = 0; c < 5; c++) ragged[c] = 2;
  for (let c = 0; c < 3; c++) ragged[CANVAS + c] = 3;
  for (let c = 0; c < 3; c++) ragged[2 * CANVAS + c] = 4;
  ragged[3 * CANVAS] = 1;
  assert.deepEqual(gridToRows(cropCanvas(ragged)), [[0, 0, 0], [1, 1, 1], [2, 2, 2]]);
  // Tokens above 11 end a row too.
  const high = new Int32Array(SEQ_LEN);
  high[0] = 2;
  high[1] = 12;
  assert.deepEqual(gridToRows(cropCanvas(high)), [[0]]);
});

Deno.test("encode: identifiers name the augmentation and parse back", () => {
  const map = Uint8Array.from([0, 3, 1, 2, 4, 5, 6, 7, 8, 9]);
  assert.equal(augmentName("abc", { d: 5, map }), "abc_t5_0312456789");
  assert.equal(
    augmentName("abc", { d: 0, map: invertMap(invertMap(map)).map((_, i) => i) }),
    "abc",
  );
  const parsed = parseAugmentName("some_name_t7_0312456789");
  assert.equal(parsed.stem, "some_name");
  assert.equal(parsed.aug.d, 7);
  assert.deepEqual([...parsed.aug.map], [...map]);
  assert.equal(parseAugmentName("plain").stem, "plain");
  assert.throws(() => parseAugmentName("x_t1_1023456789"), /permutation/);
});
