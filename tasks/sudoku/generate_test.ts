import assert from "node:assert/strict";
import { agrees, formatGrid, isCompleteSolution } from "./grid.ts";
import {
  harvest,
  isMinimal,
  isUnique,
  MAX_EASY_BLANKS,
  mutate,
  randomEasy,
  randomMinimal,
} from "./generate.ts";
import { clueIsRedundant, rate } from "./rater.ts";
import { deriveSeed, Rng } from "../../util/rng.ts";
import { countSolutions } from "./solver.ts";

Deno.test("random minimal puzzles are unique, minimal, labelled with their solution", () => {
  for (let i = 0; i < 5; i++) {
    const g = randomMinimal(new Rng(deriveSeed(42, i)));
    assert.ok(isCompleteSolution(g.solution));
    assert.ok(agrees(g.puzzle, g.solution));
    const plain = countSolutions(g.puzzle, 2);
    assert.equal(plain.count, 1);
    assert.equal(formatGrid(plain.solution!), formatGrid(g.solution));
    assert.ok(isMinimal(g.puzzle));
    assert.equal(g.rating, rate(g.puzzle));
  }
});

Deno.test("easy puzzles have exactly the asked blanks and one solution, and are seeded", () => {
  for (const blanks of [1, 30, MAX_EASY_BLANKS]) {
    const g = randomEasy(new Rng(deriveSeed(7, blanks)), blanks);
    assert.equal(g.kind, "easy");
    assert.equal(g.puzzle.filter((v) => v === 0).length, blanks);
    assert.ok(isCompleteSolution(g.solution));
    assert.ok(agrees(g.puzzle, g.solution));
    assert.equal(countSolutions(g.puzzle, 2).count, 1);
    assert.equal(g.rating, rate(g.puzzle));
    const again = randomEasy(new Rng(deriveSeed(7, blanks)), blanks);
    assert.equal(formatGrid(again.puzzle), formatGrid(g.puzzle));
  }
  assert.throws(() => randomEasy(new Rng(1), MAX_EASY_BLANKS + 1), /blanks: expected an integer/);
  assert.throws(() => randomEasy(new Rng(1), 0), /blanks/);
});

Deno.test("generation is a function of the seed", () => {
  const a = randomMinimal(new Rng(deriveSeed(9, 1)));
  const b = randomMinimal(new Rng(deriveSeed(9, 1)));
  const c = randomMinimal(new Rng(deriveSeed(9, 2)));
  assert.equal(formatGrid(a.puzzle), formatGrid(b.puzzle));
  assert.notEqual(formatGrid(a.puzzle), formatGrid(c.puzzle));
});

Deno.test("clueIsRedundant agrees with a direct uniqueness check", () => {
  const g = randomMinimal(new Rng(deriveSeed(5, 5)));
  // A minimal puzzle plus 8 more givens: some clues redundant, some not.
  const p = g.puzzle.slice();
  const empty = [...p.keys()].filter((i) => p[i] === 0);
  for (const i of new Rng(3).shuffle(empty).slice(0, 8)) p[i] = g.solution[i];
  assert.ok(isUnique(p));
  for (let i = 0; i < 81; i++) {
    if (!p[i]) continue;
    const q = p.slice();
    q[i] = 0;
    assert.equal(clueIsRedundant(p, i), countSolutions(q, 2).count === 1, `cell ${i}`);
  }
});

Deno.test("a hill-climbing move keeps the puzzle unique and minimal", () => {
  const rng = new Rng(77);
  const g = randomMinimal(rng);
  const given = g.puzzle.findIndex((v) => v !== 0);
  const child = mutate(g.puzzle, given, g.solution, rng);
  assert.ok(isUnique(child));
  assert.ok(isMinimal(child));
  assert.ok(agrees(child, g.solution));
});

Deno.test("a small harvest returns distinct unique minimal puzzles, deterministically", () => {
  const o = { size: 4, count: 3, threshold: 1, maxIterations: 25 };
  const a = harvest(new Rng(123), o);
  const b = harvest(new Rng(123), o);
  assert.equal(a.length, 3);
  assert.deepEqual(a.map((x) => formatGrid(x.puzzle)), b.map((x) => formatGrid(x.puzzle)));
  for (const x of a) {
    assert.ok(isUnique(x.puzzle) && isMinimal(x.puzzle) && agrees(x.puzzle, x.solution));
    assert.equal(x.rating, rate(x.puzzle));
  }
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      let d = 0;
      for (let k = 0; k < 81; k++) if (a[i].puzzle[k] !== a[j].puzzle[k]) d++;
      assert.ok(d >= 4);
    }
  }
});
