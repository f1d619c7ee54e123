/**
 * Bench report files (`reports/bench/<date>-<backend>.json`), the printed
 * table, and `--compare` ratios.
 * @module
 */
import { issueLine, quotedField } from "../util/mod.ts";
import { z } from "zod";
import type { DataRate, DataSkip } from "./data_bench.ts";
import type { ModelBenchResult } from "./model_bench.ts";
import type { PeerResult } from "./peer.ts";
import { type MachineInfo, rates, summarize } from "./stats.ts";

/** One measured (config, backend) with its PyTorch peer and the ratios. */
export interface BenchEntry extends ModelBenchResult {
  /** Load averages just before this entry ran (other processes share the cores). */
  loadavg: number[];
  peer?: PeerResult;
  /** Why the peer is missing, when it is. */
  peer_skipped?: string;
  /** ours / PyTorch from the pooled runs of every round: >= 1 means at least as fast. */
  ratio_vs_torch?: Ratios;
  /** ours / PyTorch within each round (ours, then the peer, right after each other). */
  round_ratios?: Ratios[];
  /** The machine's speed at the start of each round: one core's wasm GEMM GFLOP/s (calibrate.ts). */
  calibration_gflops?: number[];
}

/** Speed ratios ours / PyTorch. */
export interface Ratios {
  train_examples: number;
  eval_puzzles: number;
}

/** A (config, backend) that was not run, and why. */
export interface SkippedEntry {
  config: string;
  backend: string;
  reason: string;
}

/** A whole report file. */
export interface BenchReport {
  kind: "hrm-bench";
  version: 1;
  date: string;
  backend: string;
  adapter?: string;
  machine: MachineInfo;
  wall_s: number;
  results: BenchEntry[];
  skipped: SkippedEntry[];
  /** Data-generation rates, when measured. */
  data?: { rates: DataRate[]; skipped: DataSkip[] };
}

function ratios(ours: ModelBenchResult, peer: PeerResult): Ratios {
  return {
    train_examples: ours.train_examples_per_s / peer.train_examples_per_s,
    eval_puzzles: ours.eval_puzzles_per_s / peer.eval_puzzles_per_s,
  };
}

/** Adds the ours/PyTorch ratios to an entry that has a peer. */
export function withRatios(e: BenchEntry): BenchEntry {
  if (!e.peer) return e;
  return { ...e, ratio_vs_torch: ratios(e, e.peer) };
}

/**
 * One result from several rounds of the same measurement: every timed run
 * pooled (medians, min and max over all of them), peaks the largest.
 */
export function poolRounds<T extends ModelBenchResult | PeerResult>(rounds: T[], batch: number): T {
  if (rounds.length === 0) throw new Error("poolRounds: no rounds");
  const first = rounds[0];
  const train = rounds.flatMap((r) => r.train_step_s.runs);
  const evals = rounds.flatMap((r) => r.eval_unroll_s.runs);
  const pooled = {
    ...first,
    train_step_s: summarize(train),
    eval_unroll_s: summarize(evals),
    train_examples_per_s: rates(train, batch).median,
    eval_puzzles_per_s: rates(evals, batch).median,
  };
  if ("train_steps_per_s" in pooled) {
    const ours = rounds as ModelBenchResult[];
    const heaps = ours.map((r) => r.wasm_heap_mb).filter((h) => h !== undefined);
    Object.assign(pooled, {
      train_steps_per_s: rates(train, 1).median,
      peak_rss_mb: Math.max(...ours.map((r) => r.peak_rss_mb)),
      tf_bytes_peak_mb: Math.max(...ours.map((r) => r.tf_bytes_peak_mb)),
      wasm_heap_mb: heaps.length ? Math.max(...heaps) : undefined,
    });
  }
  return pooled;
}

/** The entry of several (ours, peer) rounds: pooled results, pooled and per-round ratios. */
export function entryFromRounds(
  ours: ModelBenchResult[],
  peers: PeerResult[],
  loadavg: number[],
): BenchEntry {
  const batch = ours[0].batch;
  const entry: BenchEntry = { ...poolRounds(ours, batch), loadavg };
  if (peers.length === 0) return entry;
  entry.peer = poolRounds(peers, batch);
  const out = withRatios(entry);
  if (peers.length > 1) out.round_ratios = peers.map((p, i) => ratios(ours[i], p));
  return out;
}

const fmt = (x: number | undefined, digits = 2) =>
  x === undefined || !Number.isFinite(x)
    ? "-"
    : x >= 100
    ? x.toFixed(0)
    : x.toPrecision(digits + 1);

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ")).join("\n");
}

/** A pooled ratio followed by each round's, e.g. "1.21 (1.18, 1.25)". */
function withRounds(pooled: number | undefined, rounds: number[] | undefined): string {
  return fmt(pooled) + (rounds ? ` (${rounds.map((r) => fmt(r)).join(", ")})` : "");
}

/** The human-readable table of a set of entries. */
export function formatTable(entries: BenchEntry[], skipped: SkippedEntry[] = []): string {
  const rows = [[
    "config",
    "backend",
    "workers",
    "batch",
    "train ex/s [min-max]",
    "eval puz/s",
    "peak RSS MB",
    "torch ex/s",
    "torch puz/s",
    "x torch train",
    "x torch eval",
  ]];
  for (const e of entries) {
    const ex = e.train_step_s;
    rows.push([
      e.config,
      e.backend + (e.wasm_kernels === "stock" ? " (stock)" : ""),
      String(e.workers),
      String(e.batch),
      `${fmt(e.train_examples_per_s)} [${fmt(e.batch / ex.max)}-${fmt(e.batch / ex.min)}]`,
      fmt(e.eval_puzzles_per_s),
      fmt(e.peak_rss_mb, 3),
      fmt(e.peer?.train_examples_per_s),
      fmt(e.peer?.eval_puzzles_per_s),
      withRounds(e.ratio_vs_torch?.train_examples, e.round_ratios?.map((r) => r.train_examples)),
      withRounds(e.ratio_vs_torch?.eval_puzzles, e.round_ratios?.map((r) => r.eval_puzzles)),
    ]);
  }
  let out = table(rows);
  for (const s of skipped) out += `\nskipped ${s.config} on ${s.backend}: ${s.reason}`;
  return out;
}

const ReportSchema = z.object({
  kind: z.literal("hrm-bench"),
  results: z.array(
    z.object({
      config: z.string(),
      backend: z.string(),
      workers: z.number(),
      batch: z.number(),
      train_examples_per_s: z.number(),
      eval_puzzles_per_s: z.number(),
      peak_rss_mb: z.number(),
    }).passthrough(),
  ),
}).passthrough();

/** Reads a report file; one-line error naming the file when it is not one. */
export async function readReport(path: string): Promise<BenchReport> {
  let raw: unknown;
  try {
    raw = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw new Error(`${path}: cannot read a JSON bench report (${(e as Error).message})`);
  }
  const r = ReportSchema.safeParse(raw);
  if (!r.success) {
    throw new Error(`${path}: not a bench report: ${issueLine(r.error, { field: quotedField })}`);
  }
  return r.data as unknown as BenchReport;
}

/** Ratios b/a for every (config, backend, workers, batch) present in both reports. */
export function compareReports(a: BenchReport, b: BenchReport): string {
  const key = (e: BenchEntry) => `${e.config}|${e.backend}|${e.workers}|${e.batch}`;
  const before = new Map(a.results.map((e) => [key(e), e]));
  const rows = [[
    "config",
    "backend",
    "workers",
    "batch",
    "train ex/s a -> b",
    "x",
    "eval puz/s a -> b",
    "x",
    "peak RSS MB a -> b",
    "x",
  ]];
  for (const e of b.results) {
    const o = before.get(key(e));
    if (!o) continue;
    rows.push([
      e.config,
      e.backend,
      String(e.workers),
      String(e.batch),
      `${fmt(o.train_examples_per_s)} -> ${fmt(e.train_examples_per_s)}`,
      fmt(e.train_examples_per_s / o.train_examples_per_s),
      `${fmt(o.eval_puzzles_per_s)} -> ${fmt(e.eval_puzzles_per_s)}`,
      fmt(e.eval_puzzles_per_s / o.eval_puzzles_per_s),
      `${fmt(o.peak_rss_mb, 3)} -> ${fmt(e.peak_rss_mb, 3)}`,
      fmt(e.peak_rss_mb / o.peak_rss_mb),
    ]);
  }
  if (rows.length === 1) return "no (config, backend, workers, batch) in common";
  return `a: ${a.date} (load ${a.machine?.loadavg?.map((x) => x.toFixed(1)).join(" ")})\n` +
    `b: ${b.date} (load ${b.machine?.loadavg?.map((x) => x.toFixed(1)).join(" ")})\n` +
    table(rows);
}
