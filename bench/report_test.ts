import assert from "node:assert/strict";
import {
  type BenchEntry,
  type BenchReport,
  compareReports,
  entryFromRounds,
  formatTable,
  withRatios,
} from "./report.ts";
import { rates, summarize } from "./stats.ts";
import { ALL_CONFIGS, BENCH_CONFIGS, DEFAULT_CONFIGS, getBenchConfig } from "./configs.ts";

Deno.test("bench stats: median of odd and even samples, min, max, rates", () => {
  assert.deepEqual(summarize([3, 1, 2]), { median: 2, min: 1, max: 3, runs: [3, 1, 2] });
  assert.equal(summarize([4, 1, 3, 2]).median, 2.5);
  assert.deepEqual(rates([2, 4], 8).runs, [4, 2]);
  assert.throws(() => summarize([]), /no values/);
});

function entry(config: string, train: number, evalRate: number, torch?: number): BenchEntry {
  const s = { median: 1, min: 1, max: 1, runs: [1] };
  return withRatios({
    config,
    backend: "wasm",
    workers: 2,
    batch: 8,
    train_steps_per_s: train / 8,
    train_examples_per_s: train,
    train_step_s: s,
    eval_puzzles_per_s: evalRate,
    eval_unroll_s: s,
    eval_segments: 16,
    peak_rss_mb: 100,
    tf_bytes_peak_mb: 10,
    loadavg: [1, 1, 1],
    peer: torch === undefined ? undefined : {
      torch: "x",
      threads: 2,
      train_examples_per_s: torch,
      train_step_s: s,
      eval_puzzles_per_s: torch,
      eval_unroll_s: s,
    },
  });
}

Deno.test("bench report: ratios against the peer, table and comparison", () => {
  const e = entry("sudoku-paper", 2, 1, 1);
  assert.deepEqual(e.ratio_vs_torch, { train_examples: 2, eval_puzzles: 1 });
  assert.equal(entry("cpu-maze", 1, 1).ratio_vs_torch, undefined);
  assert.match(formatTable([e], [{ config: "x", backend: "cpu", reason: "slow" }]), /skipped x/);
  const report = (results: BenchEntry[]): BenchReport => ({
    kind: "hrm-bench",
    version: 1,
    date: "d",
    backend: "wasm",
    machine: {
      cpu: "c",
      cores: 2,
      memory_gb: 1,
      os: "o",
      loadavg: [1, 2, 3],
      deno: "",
      v8: "",
      tfjs: "",
    },
    wall_s: 1,
    results,
    skipped: [],
  });
  const out = compareReports(report([e]), report([entry("sudoku-paper", 3, 2)]));
  assert.match(out, /sudoku-paper .* 2\.00 -> 3\.00 +1\.50 +1\.00 -> 2\.00 +2\.00/);
  assert.match(compareReports(report([e]), report([])), /no \(config/);
});

Deno.test("bench rounds: runs pool across rounds; each round keeps its own ratio", () => {
  // Round 1 on a slow machine (both sides slow), round 2 on a fast one.
  const ours = (steps: number[], evals: number[]) => {
    const e = entry("sudoku-paper", 0, 0);
    return {
      ...e,
      train_step_s: summarize(steps),
      eval_unroll_s: summarize(evals),
      train_examples_per_s: rates(steps, 8).median,
      eval_puzzles_per_s: rates(evals, 8).median,
      peak_rss_mb: steps[0] * 100,
      wasm_heap_mb: steps[0] * 10,
    };
  };
  const peer = (steps: number[], evals: number[]) => ({
    torch: "x",
    threads: 2,
    train_step_s: summarize(steps),
    train_examples_per_s: rates(steps, 8).median,
    eval_unroll_s: summarize(evals),
    eval_puzzles_per_s: rates(evals, 8).median,
  });
  const e = entryFromRounds(
    [ours([4, 4, 4], [20]), ours([2, 2, 2], [10])],
    [peer([8, 8, 8], [20]), peer([4, 4, 4], [20])],
    [0, 0, 0],
  );
  assert.deepEqual(e.train_step_s.runs, [4, 4, 4, 2, 2, 2]);
  assert.equal(e.train_examples_per_s, 3); // median of rates 2,2,2,4,4,4
  assert.ok(Math.abs(e.eval_puzzles_per_s - 0.6) < 1e-12); // median of 0.4 and 0.8
  assert.equal(e.peak_rss_mb, 400);
  assert.equal(e.wasm_heap_mb, 40);
  assert.deepEqual(e.round_ratios, [
    { train_examples: 2, eval_puzzles: 1 },
    { train_examples: 2, eval_puzzles: 2 },
  ]);
  assert.equal(e.ratio_vs_torch?.train_examples, 2);
  assert.ok(Math.abs(e.ratio_vs_torch!.eval_puzzles - 1.5) < 1e-12);
  assert.match(formatTable([e]), /2\.00 \(2\.00, 2\.00\) +1\.50 \(1\.00, 2\.00\)/);
  // Without a peer: pooled results, no ratios.
  const alone = entryFromRounds([ours([4], [20]), ours([2], [10])], [], [0, 0, 0]);
  assert.equal(alone.ratio_vs_torch, undefined);
  assert.equal(alone.round_ratios, undefined);
});

Deno.test("bench configs: defaults exist; the paper Sudoku model is the paper's", () => {
  for (const name of DEFAULT_CONFIGS) assert.equal(getBenchConfig(name).name, name);
  assert.deepEqual(ALL_CONFIGS, [
    "sudoku-paper",
    "maze-paper",
    "sudoku-trm-mlp",
    "sudoku-trm-att",
    "cpu-sudoku",
    "cpu-maze",
  ]);
  // TRM at the TRM README's Sudoku size, with its EMA.
  const mlp = BENCH_CONFIGS["sudoku-trm-mlp"];
  assert.equal(mlp.model.arch, "trm");
  assert.equal(mlp.model.mlp_t, true);
  assert.equal(mlp.model.pos_encodings, "none");
  assert.deepEqual([mlp.model.H_cycles, mlp.model.L_cycles, mlp.model.L_layers], [3, 6, 2]);
  assert.equal(mlp.optim?.ema, true);
  assert.equal(BENCH_CONFIGS["sudoku-trm-att"].model.pos_encodings, "rope");
  assert.ok(DEFAULT_CONFIGS.includes("sudoku-trm-mlp"));
  const s = BENCH_CONFIGS["sudoku-paper"];
  assert.equal(s.batch, 8);
  assert.equal(s.model.hidden_size, 512);
  assert.equal(BENCH_CONFIGS["maze-paper"].model.seq_len, 900);
  assert.throws(() => getBenchConfig("nope"), /unknown bench config 'nope'/);
});
