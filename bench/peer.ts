/**
 * The PyTorch peer: runs bench/peer/hrm_torch.py (our own float32 PyTorch
 * HRM and Direct-pred baseline) or, for a TRM configuration,
 * bench/peer/trm_torch.py (our own float32 PyTorch TRM, EMA included) as a
 * subprocess on the same configuration, so that speed is compared side by
 * side in one run. Optional: skipped when no Python with torch is found.
 * @module
 */
import type { BenchConfig } from "./configs.ts";
import { rates, summarize, type Summary } from "./stats.ts";
import { BENCH_OPTIM } from "./model_bench.ts";

const HRM_SCRIPT = new URL("./peer/hrm_torch.py", import.meta.url).pathname;
const TRM_SCRIPT = new URL("./peer/trm_torch.py", import.meta.url).pathname;

/** The peer script of a configuration: the TRM peer for arch 'trm', else the HRM peer. */
export function peerScript(config: BenchConfig): string {
  return config.model.arch === "trm" ? TRM_SCRIPT : HRM_SCRIPT;
}

/** The peer's numbers for one configuration. */
export interface PeerResult {
  torch: string;
  threads: number;
  train_examples_per_s: number;
  train_step_s: Summary;
  eval_puzzles_per_s: number;
  eval_unroll_s: Summary;
}

async function hasTorch(python: string): Promise<boolean> {
  try {
    const out = await new Deno.Command(python, {
      args: ["-c", "import torch"],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

/**
 * A Python interpreter that imports torch: `HRM_PEER_PYTHON`, else Debian's
 * `/usr/bin/python3` (where `apt-get install python3-torch` puts it), else `python3`.
 */
export async function findPeerPython(): Promise<string | undefined> {
  const env = Deno.env.get("HRM_PEER_PYTHON");
  const candidates = env ? [env] : ["/usr/bin/python3", "python3"];
  for (const c of candidates) if (await hasTorch(c)) return c;
  return undefined;
}

/**
 * The peer's `--config` object: the bench optimizer (with the configuration's
 * own optimizer settings, e.g. TRM's EMA) and the model at `batch`.
 */
export function peerModelConfig(config: BenchConfig, batch: number): Record<string, unknown> {
  return { ...BENCH_OPTIM, ...config.optim, ...config.model, batch_size: batch };
}

/** Runs the peer; `threads` torch threads (default: all cores). */
export async function runPeer(
  python: string,
  config: BenchConfig,
  batch: number,
  opts: { trainRuns: number; evalRuns: number; threads?: number; timeoutS?: number },
): Promise<PeerResult> {
  const model = peerModelConfig(config, batch);
  const cmd = new Deno.Command(python, {
    args: [
      peerScript(config),
      "--bench",
      "--config",
      JSON.stringify(model),
      "--batch",
      String(batch),
      "--train-steps",
      String(opts.trainRuns),
      "--eval-runs",
      String(opts.evalRuns),
      "--threads",
      String(opts.threads ?? 0),
    ],
    stdout: "piped",
    stderr: "piped",
    // One BLAS pool: torch's own threads do the work.
    env: { OMP_NUM_THREADS: String(opts.threads || navigator.hardwareConcurrency) },
  });
  const child = cmd.spawn();
  const timer = opts.timeoutS
    ? setTimeout(() => child.kill("SIGKILL"), opts.timeoutS * 1000)
    : undefined;
  const out = await child.output();
  if (timer) clearTimeout(timer);
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-1)[0];
    throw new Error(`PyTorch peer failed (${out.code}): ${err || "killed (timeout?)"}`);
  }
  const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
  return {
    torch: r.torch,
    threads: r.threads,
    train_examples_per_s: rates(r.train_step_s, batch).median,
    train_step_s: summarize(r.train_step_s),
    eval_puzzles_per_s: rates(r.eval_unroll_s, batch).median,
    eval_unroll_s: summarize(r.eval_unroll_s),
  };
}
