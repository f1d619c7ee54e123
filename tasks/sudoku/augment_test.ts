import assert from "node:assert/strict";
import { applyTransform, augmentationTransform, randomTransform } from "./augment.ts";
import { equivalent, symmetryKey } from "./canonical.ts";
import { agrees, formatGrid, isCompleteSolution, parseGrid } from "./grid.ts";
import { randomMinimal } from "./generate.ts";
import { Rng } from "../../util/rng.ts";
import { countSolutions } from "./solver.ts";

const PUZZLE = parseGrid(
  "8..........36......7..9.2...5...7.......457.....1...3...1....68..85...1..9....4..",
);
const SOLUTION = parseGrid(
  "812753649943682175675491283154237896369845721287169534521974368438526917796318452",
);

Deno.test("a shuffled puzzle's shuffled solution is its unique solution", () => {
  const rng = new Rng(1);
  for (let k = 0; k < 20; k++) {
    const t = randomTransform(rng);
    const p = applyTransform(t, PUZZLE), s = applyTransform(t, SOLUTION);
    assert.ok(isCompleteSolution(s));
    assert.ok(agrees(p, s));
    const found = countSolutions(p, 2);
    assert.equal(found.count, 1);
    assert.equal(formatGrid(found.solution!), formatGrid(s));
    assert.ok(equivalent(PUZZLE, p));
    assert.equal(symmetryKey(p), symmetryKey(PUZZLE));
  }
});

Deno.test("transforms keep blanks, permute digits, and transpose about half the time", () => {
  const rng = new Rng(2);
  let transposed = 0;
  for (let k = 0; k < 400; k++) {
    const t = randomTransform(rng);
    assert.equal(t.digits[0], 0);
    assert.deepEqual([...t.digits.slice(1)].sort(), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Output cell 0 reads row r, column c of the input: transposed when it came from
    // a cell whose row is a column index of the output's first row set.
    const rows = new Set(Array.from({ length: 9 }, (_, c) => Math.floor(t.cells[c] / 9)));
    if (rows.size === 9) transposed++; // first output row reads one input column
  }
  assert.ok(transposed > 150 && transposed < 250, `transposed ${transposed}/400`);
});

Deno.test("augmentation is a pure function of (seed, puzzle, k)", () => {
  const a = augmentationTransform(7, 3, 11), b = augmentationTransform(7, 3, 11);
  const c = augmentationTransform(7, 3, 12);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

Deno.test("different puzzles are not equivalent", () => {
  const a = randomMinimal(new Rng(10)).puzzle, b = randomMinimal(new Rng(11)).puzzle;
  assert.equal(equivalent(a, b), false);
  assert.equal(equivalent(a, a), true);
});
