import assert from "node:assert/strict";
import {
  binomCdf,
  mcnemarExact,
  meanSd,
  newcombePaired,
  tCdf,
  tInterval,
  tQuantile,
  wilson,
} from "./stats.ts";

const close = (got: number, want: number, tol: number, what: string) =>
  assert.ok(Math.abs(got - want) <= tol, `${what}: got ${got}, want ${want} ± ${tol}`);

Deno.test("wilson: Newcombe (1998) Table I and standard table values", () => {
  // Newcombe, Statistics in Medicine 17:857-872 (1998), method 3 (score interval).
  const cases: [number, number, number, number][] = [
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
    [0, 10, 0, 0.2775],
    [5, 10, 0.2366, 0.7634],
  ];
  for (const [k, n, lo, hi] of cases) {
    const [l, h] = wilson(k, n);
    close(l, lo, 5e-5, `wilson ${k}/${n} low`);
    close(h, hi, 5e-5, `wilson ${k}/${n} high`);
  }
  assert.deepEqual(wilson(10, 10)[1], 1);
  assert.deepEqual(wilson(0, 0), [0, 1]);
  assert.throws(() => wilson(3, 2), /0 <= k <= n/);
});

Deno.test("exact binomial and McNemar: textbook values", () => {
  close(binomCdf(1, 8, 0.5), 9 / 256, 1e-15, "P(X<=1 | 8, 1/2)");
  close(binomCdf(3, 10, 0.3), 0.6496107184, 1e-9, "P(X<=3 | 10, 0.3)");
  // Fagerland, Lydersen & Laake (2013), BMC Med Res Methodol 13:91: AHR example, 1 vs 7
  // discordant pairs: exact conditional p = 0.070.
  close(mcnemarExact(1, 7), 0.0703125, 1e-12, "McNemar 1 vs 7");
  close(mcnemarExact(7, 1), 0.0703125, 1e-12, "symmetric");
  close(mcnemarExact(0, 5), 0.0625, 1e-12, "McNemar 0 vs 5");
  assert.equal(mcnemarExact(4, 4), 1);
  assert.equal(mcnemarExact(0, 0), 1);
  // Large n stays accurate: 40 vs 60 discordant, two-sided exact p = 0.05689.
  close(mcnemarExact(40, 60), 0.056887, 5e-6, "McNemar 40 vs 60");
});

Deno.test("t quantiles: standard table (two-sided 95%)", () => {
  const table: [number, number][] = [[1, 12.7062], [2, 4.3027], [5, 2.5706], [10, 2.2281], [
    30,
    2.0423,
  ]];
  for (const [df, q] of table) close(tQuantile(0.975, df), q, 5e-5, `t(0.975, ${df})`);
  close(tQuantile(0.95, 4), 2.1318, 5e-5, "t(0.95, 4)");
  close(tQuantile(0.025, 3), -3.1824, 5e-5, "lower tail");
  close(tCdf(0, 7), 0.5, 1e-12, "median");
});

Deno.test("mean, sd and the t interval over seeds", () => {
  const { mean, sd } = meanSd([0.1, 0.12, 0.08]);
  close(mean, 0.1, 1e-12, "mean");
  close(sd!, 0.02, 1e-12, "sd");
  const [lo, hi] = tInterval([0.1, 0.12, 0.08]);
  const half = 4.302652729911275 * 0.02 / Math.sqrt(3);
  close(lo, 0.1 - half, 1e-9, "low");
  close(hi, 0.1 + half, 1e-9, "high");
  assert.equal(meanSd([0.3]).sd, null);
  assert.throws(() => tInterval([1]), /at least 2/);
});

Deno.test("Newcombe's paired interval: contains the estimate, symmetric, bounded", () => {
  const t = { both: 30, aOnly: 12, bOnly: 3, neither: 55 };
  const [lo, hi] = newcombePaired(t);
  const d = (12 - 3) / 100;
  assert.ok(lo < d && d < hi && lo > 0, `[${lo}, ${hi}] around ${d}, above 0`);
  const [lo2, hi2] = newcombePaired({ both: 30, aOnly: 3, bOnly: 12, neither: 55 });
  close(lo2, -hi, 1e-12, "mirror low");
  close(hi2, -lo, 1e-12, "mirror high");
  const [l0, h0] = newcombePaired({ both: 0, aOnly: 0, bOnly: 0, neither: 10 });
  assert.ok(l0 < 0 && h0 > 0 && l0 >= -1 && h0 <= 1);
});
