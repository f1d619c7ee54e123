/**
 * `deno task bench`: training and evaluation speed of named configurations
 * on each available backend, side by side with a PyTorch peer when one is
 * installed. See docs/benchmarks.md.
 *
 *   deno task bench                       # every default config, report + table
 *   deno task bench --only sudoku-paper --batch 8 --backend wasm --json
 *   deno task bench --compare a.json b.json
 * @module
 */
import { Command, Option } from "@commander-js/extra-typings";
import { type BackendName, BACKENDS, probeAdapter } from "../backends/mod.ts";
import { resolveWorkers } from "../train/mod.ts";
import {
  ALL_CONFIGS,
  BENCH_CONFIGS,
  benchData,
  type BenchEntry,
  benchModel,
  type BenchReport,
  compareReports,
  DEFAULT_CONFIGS,
  entryFromRounds,
  findPeerPython,
  formatTable,
  gemmGflops,
  getBenchConfig,
  machineInfo,
  type ModelBenchResult,
  type PeerResult,
  readReport,
  runPeer,
  type SkippedEntry,
} from "../bench/mod.ts";
import { writeJsonAtomic } from "../io/mod.ts";
import { runCli } from "../util/mod.ts";

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`${name} must be a positive integer, got '${v}'`);
  }
  return n;
};

const program = new Command()
  .name("bench")
  .description("Training/evaluation speed of HRM configurations, with a PyTorch peer")
  .option(
    "--only <config>",
    `one configuration (${Object.keys(BENCH_CONFIGS).join(", ")}), or 'data' for the builders`,
  )
  .option("--batch <n>", "batch size (default: the configuration's)", positiveInt("--batch"))
  .addOption(new Option("--backend <name>", "backend for --only").choices(BACKENDS).default("wasm"))
  .option("--backends <list>", "backends of a full run (comma list; default: the available ones)")
  .option(
    "--configs <list>",
    `configurations of a full run, comma list or 'all' (${ALL_CONFIGS}); default: ${DEFAULT_CONFIGS}`,
  )
  .option(
    "--workers <n>",
    "the trainer's workers= (default: as the trainer: every core on wasm/cpu, up to the batch; 1 on webgpu)",
    positiveInt("--workers"),
  )
  .option(
    "--train-runs <n>",
    "timed training steps (default: per config)",
    positiveInt("--train-runs"),
  )
  .option(
    "--eval-runs <n>",
    "timed evaluation unrolls (default: per config)",
    positiveInt("--eval-runs"),
  )
  .option(
    "--rounds <n>",
    "alternate ours and the PyTorch peer this many times (default: 2 with a peer, else 1)",
    positiveInt("--rounds"),
  )
  .option("--no-peer", "do not run the PyTorch peer")
  .option("--no-data", "do not time the dataset builders")
  .option("--stock-kernels", "use tfjs' stock wasm kernels (HRM_WASM_STOCK_KERNELS=1)")
  .option("--json", "print one JSON line (with --only)")
  .option("--out-dir <dir>", "where a full run writes its reports", "reports/bench")
  .option("--compare <files...>", "print the ratios b/a of two report files");

type Opts = ReturnType<typeof program.opts>;

/** Progress on stderr, so that `--json` keeps stdout to one line. */
function logLine(line: string): void {
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

async function runOne(opts: Opts): Promise<BenchEntry> {
  const config = getBenchConfig(opts.only!);
  const backend = opts.backend as BackendName;
  if (opts.stockKernels) Deno.env.set("HRM_WASM_STOCK_KERNELS", "1");
  const batch = opts.batch ?? config.batch;
  // The trainer's own default (`workers=` unset): every core on wasm/cpu, 1 on webgpu.
  const workers = opts.workers ?? resolveWorkers(0, backend, batch);
  const loadavg = Deno.loadavg();
  const trainRuns = opts.trainRuns ?? config.trainRuns;
  const evalRuns = opts.evalRuns ?? config.evalRuns;
  logLine(`${config.name} on ${backend}, batch ${batch}, ${workers} worker(s)`);
  const python = opts.peer ? await findPeerPython() : undefined;
  const ours: ModelBenchResult[] = [];
  const peers: PeerResult[] = [];
  const calibration: number[] = [];
  let peerSkipped = opts.peer ? undefined : "--no-peer";
  if (opts.peer && !python) peerSkipped = "no Python with torch found (set HRM_PEER_PYTHON)";
  const rounds = opts.rounds ?? (python ? 2 : 1);
  // The machine's speed drifts (shared cores): each round times ours and then the
  // peer right after, so every round gives a ratio taken under the same conditions.
  for (let round = 1; round <= rounds; round++) {
    const gflops = gemmGflops();
    calibration.push(gflops);
    logLine(
      `  ${rounds > 1 ? `round ${round}/${rounds}: ` : ""}machine speed ${
        gflops.toFixed(1)
      } GFLOP/s (one core, wasm GEMM)`,
    );
    ours.push(
      await benchModel(config, {
        backend,
        batch,
        workers,
        trainRuns,
        evalRuns,
        log: (l) => logLine(`  ${l}`),
      }),
    );
    if (!python || peerSkipped) continue;
    logLine(`  PyTorch peer (${python})`);
    try {
      const peer = await runPeer(python, config, batch, { trainRuns, evalRuns });
      peers.push(peer);
      logLine(
        `  PyTorch: ${peer.train_examples_per_s.toFixed(3)} ex/s train, ` +
          `${peer.eval_puzzles_per_s.toFixed(3)} puzzles/s eval`,
      );
    } catch (e) {
      peerSkipped = (e as Error).message;
      peers.length = 0;
    }
  }
  const entry = entryFromRounds(ours, peers, loadavg);
  entry.calibration_gflops = calibration;
  if (peerSkipped) entry.peer_skipped = peerSkipped;
  return entry;
}

/** Backends a full run measures: wasm and cpu always, webgpu when an adapter exists. */
async function availableBackends(): Promise<{ name: BackendName; softGpu: boolean }[]> {
  const out: { name: BackendName; softGpu: boolean }[] = [{ name: "wasm", softGpu: false }];
  const adapter = await probeAdapter();
  if (adapter) out.push({ name: "webgpu", softGpu: adapter.isFallbackAdapter });
  out.push({ name: "cpu", softGpu: false });
  return out;
}

/** Runs one (config, backend) in a child process (clean peak RSS, one tfjs per run). */
async function runChild(config: string, backend: BackendName, opts: Opts): Promise<BenchEntry> {
  const args = ["run", "-A", new URL(import.meta.url).pathname, "--only", config];
  args.push("--backend", backend, "--json");
  if (opts.workers) args.push("--workers", String(opts.workers));
  if (opts.trainRuns) args.push("--train-runs", String(opts.trainRuns));
  if (opts.evalRuns) args.push("--eval-runs", String(opts.evalRuns));
  if (opts.rounds) args.push("--rounds", String(opts.rounds));
  if (!opts.peer) args.push("--no-peer");
  if (opts.stockKernels) args.push("--stock-kernels");
  const out = await new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "inherit" })
    .output();
  if (!out.success) {
    throw new Error(`failed (exit ${out.code}; its error is in the log above)`);
  }
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
}

async function runAll(opts: Opts): Promise<void> {
  const started = performance.now();
  const configs = opts.configs === "all"
    ? ALL_CONFIGS
    : opts.configs
    ? opts.configs.split(",").map((s) => s.trim())
    : DEFAULT_CONFIGS;
  configs.forEach(getBenchConfig);
  let backends = await availableBackends();
  if (opts.backends) {
    const wanted = opts.backends.split(",").map((s) => s.trim());
    for (const w of wanted) {
      if (!(BACKENDS as readonly string[]).includes(w)) throw new Error(`unknown backend '${w}'`);
    }
    backends = backends.filter((b) => wanted.includes(b.name));
  }
  const machine = machineInfo();
  const date = new Date().toISOString();
  // Data generation does not depend on the backend: timed once, stored in every report.
  const data = opts.data ? await benchData((l) => logLine(l)) : undefined;
  for (const b of backends) {
    const results: BenchEntry[] = [];
    const skipped: SkippedEntry[] = [];
    for (const name of configs) {
      const c = getBenchConfig(name);
      const reason = b.name === "cpu"
        ? c.skip?.cpu
        : b.name === "webgpu" && b.softGpu
        ? c.skip?.["webgpu-fallback"]
        : undefined;
      if (reason) {
        skipped.push({ config: name, backend: b.name, reason });
        logLine(`skip ${name} on ${b.name}: ${reason}`);
        continue;
      }
      try {
        results.push(await runChild(name, b.name, opts));
      } catch (e) {
        // One failing configuration must not lose the others' numbers.
        skipped.push({ config: name, backend: b.name, reason: (e as Error).message });
        logLine(`${name} on ${b.name}: ${(e as Error).message}`);
      }
    }
    const report: BenchReport = {
      kind: "hrm-bench",
      version: 1,
      date,
      backend: b.name,
      adapter: b.name === "webgpu" ? (await probeAdapter())?.description : undefined,
      machine,
      wall_s: (performance.now() - started) / 1000,
      results,
      skipped,
      data,
    };
    const path = `${opts.outDir}/${date.slice(0, 10)}-${b.name}.json`;
    await Deno.mkdir(opts.outDir, { recursive: true });
    await writeJsonAtomic(path, report);
    console.log(
      `\n${b.name} (${machine.cpu}, ${machine.cores} cores, load at start ${
        machine.loadavg.map((x) => x.toFixed(1)).join(" ")
      })`,
    );
    console.log(formatTable(results, skipped));
    for (const r of data?.rates ?? []) {
      console.log(
        `data ${r.task}: ${r.items_per_s.toFixed(2)} ${r.unit}/s (${r.items} in ${
          r.seconds.toFixed(1)
        } s)`,
      );
    }
    for (const s of data?.skipped ?? []) console.log(`data ${s.task}: skipped (${s.reason})`);
    console.log(`wrote ${path}`);
  }
  console.log(`bench: ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

async function main(): Promise<void> {
  program.parse();
  const opts = program.opts();
  if (opts.compare) {
    if (opts.compare.length !== 2) throw new Error("--compare needs exactly two report files");
    const [a, b] = await Promise.all(opts.compare.map(readReport));
    console.log(compareReports(a, b));
    return;
  }
  if (opts.only === "data") {
    const data = await benchData((l) => logLine(l));
    console.log(opts.json ? JSON.stringify(data) : JSON.stringify(data, null, 2));
    return;
  }
  if (opts.only) {
    const entry = await runOne(opts);
    if (opts.json) console.log(JSON.stringify(entry));
    else console.log(formatTable([entry]));
    return;
  }
  if (opts.json) throw new Error("--json needs --only");
  await runAll(opts);
}

if (import.meta.main) {
  // Workers and tfjs keep handles open; the work is done.
  await runCli(main, { exitOnSuccess: true });
}
