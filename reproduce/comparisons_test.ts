import assert from "node:assert/strict";
import {
  compareSeeds,
  comparisonText,
  pairRows,
  pText,
  resultCorrectness,
  verdict,
} from "./comparisons.ts";
import { notRunResult } from "./report/build.ts";

const rows = (bits: string) => ({
  correct: Uint8Array.from(bits, (c) => Number(c)),
  keys: Array.from(bits, (_, i) => `k${i}`),
});

Deno.test("pairRows: the 2x2 table of the same rows; different rows are refused", () => {
  assert.deepEqual(pairRows(rows("1100"), rows("1010")), {
    both: 1,
    aOnly: 1,
    bOnly: 1,
    neither: 1,
  });
  assert.throws(() => pairRows(rows("11"), rows("110")), /different test rows: 2 vs 3/);
  const other = { ...rows("11"), keys: ["k0", "x"] };
  assert.throws(() => pairRows(rows("11"), other), /different test rows at row 1/);
});

Deno.test("verdicts: ahead, behind, not distinguishable at 95%", () => {
  assert.equal(verdict(0.1, 0.01), "ahead");
  assert.equal(verdict(-0.1, 0.049), "behind");
  assert.equal(verdict(0.3, 0.05), "not distinguishable at 95%");
  // Fagerland et al. (2013): 1 vs 7 discordant pairs, exact p 0.070: not distinguishable.
  const one = compareSeeds("hrm", "base", [{
    seed: 0,
    t: { both: 50, aOnly: 1, bOnly: 7, neither: 42 },
  }]);
  assert.equal(one.verdict, "not distinguishable at 95%");
  assert.ok(Math.abs(one.p_value - 0.0703125) < 1e-12);
  assert.equal(one.seed_ci95, null);
  assert.match(comparisonText(one), /not distinguishable at 95%: difference -6\.0 points/);
  // Two seeds of 1 vs 7 pool to 2 vs 14: p = 2 P(X <= 2 | 16) = 2 * 137 / 65536.
  const two = compareSeeds("hrm", "base", [
    { seed: 0, t: { both: 50, aOnly: 1, bOnly: 7, neither: 42 } },
    { seed: 1, t: { both: 50, aOnly: 1, bOnly: 7, neither: 42 } },
  ]);
  assert.ok(Math.abs(two.p_value - 2 * 137 / 65536) < 1e-12);
  assert.equal(two.verdict, "behind");
  assert.match(comparisonText(two), /hrm is behind base/);
  assert.equal(two.seed_ci95, null, "equal per-seed differences: no spread");
  assert.equal(pText(0), "< 1e-300");
});

Deno.test("resultCorrectness: a task's headline units are paired by name; no outputs and no units refused", async () => {
  const r = {
    ...notRunResult("hrm", "", "pass@2_all_tests"),
    status: "done" as const,
    headlineUnits: { unit: "tasks", names: ["a", "b", "c"], solved: [1, 0, 1] },
  };
  const u = await resultCorrectness(r, "/nowhere");
  assert.deepEqual([u.unit, u.metric, u.keys, [...u.correct]], [
    "tasks",
    "pass@2_all_tests",
    ["a", "b", "c"],
    [1, 0, 1],
  ]);
  const b = await resultCorrectness({
    ...r,
    headlineUnits: { ...r.headlineUnits, solved: [0, 1, 1] },
  }, "/x");
  assert.deepEqual(pairRows(u, b), { both: 1, aOnly: 1, bOnly: 1, neither: 0 });
  const c = compareSeeds("hrm", "base", [{ seed: 0, t: pairRows(u, b) }], {
    metric: u.metric,
    unit: "tasks",
  });
  assert.equal(c.metric, "pass@2_all_tests");
  assert.match(c.method, /1 vs 1 discordant tasks/);
  await assert.rejects(
    resultCorrectness({ ...r, headlineUnits: undefined }, "/m"),
    /\/m: no saved outputs to pair rows on/,
  );
});
