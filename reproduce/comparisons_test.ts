import assert from "node:assert/strict";
import { compareSeeds, comparisonText, pairRows, pText, verdict } from "./comparisons.ts";

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
