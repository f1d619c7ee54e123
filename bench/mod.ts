/**
 * # `deno task bench`: speed and memory
 *
 * Benchmark configurations, the timed trainer path (`benchModel`, through the
 * trainer's own `trainModelFor`), the dataset builders' timings, the PyTorch
 * peer (bench/peer/), the machine calibration and the report files.
 * @module
 */
export { ALL_CONFIGS, BENCH_CONFIGS, DEFAULT_CONFIGS, getBenchConfig } from "./configs.ts";
export { benchData } from "./data_bench.ts";
export { gemmGflops } from "./calibrate.ts";
export { benchModel, type ModelBenchResult } from "./model_bench.ts";
export { findPeerPython, peerModelConfig, type PeerResult, runPeer } from "./peer.ts";
export {
  type BenchEntry,
  type BenchReport,
  compareReports,
  entryFromRounds,
  formatTable,
  readReport,
  type SkippedEntry,
} from "./report.ts";
export { machineInfo } from "./stats.ts";
