/**
 * Assembles the device check's one JSON (dev/device_webgpu.sh, last step):
 * reads what the stages left in the output folder and writes
 * `<date>-webgpu-<gpu>.json` there (the lead copies it to docs/bench/):
 *
 *   preflight.json      dev/device_preflight.ts (adapter, limits, environment)
 *   probe.json          the WebGPU microbenchmark (GFLOP/s of the model's products)
 *   conform-<case>.log  `deno task conform <case> --backend webgpu` (last line: max_err, PASS/FAIL)
 *   webgpu.json         `deno task bench --only <config> --batch <B> --backend webgpu --json`
 *   torch_fp32.json     the PyTorch peer on CUDA, float32, TF32 off
 *   torch_bf16.json     the same under bfloat16 autocast
 *   stages.tsv          <stage> <exit code> <seconds>, one line per stage
 *   nvidia-smi.txt      the driver's view (first GPU line)
 *
 * A missing or unreadable file is recorded as such, never invented. Ratios
 * are throughputs, ours / PyTorch's (1 = as fast; the goal is
 * training at 0.3x PyTorch float32 or better).
 *
 *   deno run -A dev/device_report.ts <out-dir> [--date YYYY-MM-DD]
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic } from "../io/mod.ts";

/** A median of seconds lists, or null. */
function median(xs: unknown): number | null {
  if (!Array.isArray(xs) || xs.length === 0) return null;
  const s = xs.map(Number).filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The raw files of one device check, as read (undefined: missing; string: unparsable text). */
export interface DeviceFiles {
  preflight?: unknown;
  probe?: unknown;
  /** case name -> the conform log's text. */
  conform: Record<string, string>;
  webgpu?: unknown;
  torchFp32?: unknown;
  torchBf16?: unknown;
  stages?: string;
  nvidiaSmi?: string;
}

/** One conformance case's outcome, from the log's last `conform <case>: max_err=...` line. */
export interface ConformOutcome {
  case: string;
  max_err: number | null;
  pass: boolean;
  line: string | null;
}

/** Parses `conform <case>: max_err=<x> PASS|FAIL` (the last such line of a log). */
export function parseConform(name: string, log: string): ConformOutcome {
  const lines = log.split("\n").filter((l) => /^conform .*: max_err=/.test(l));
  const line = lines.at(-1) ?? null;
  const m = line ? /max_err=([0-9.eE+-]+|NaN|Infinity)\s+(PASS|FAIL)/.exec(line) : null;
  return {
    case: name,
    max_err: m ? Number(m[1]) : null,
    pass: m?.[2] === "PASS",
    line: line ?? (log.trim().split("\n").at(-1) || null),
  };
}

/** A file-name-safe GPU name: `nvidia-h100-80gb-hbm3`, or `software` for a fallback adapter. */
export function gpuSlug(description: string | undefined, fallback: boolean): string {
  if (fallback || !description) return fallback ? "software" : "unknown";
  return description.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "")
    .slice(0, 40);
}

type Obj = Record<string, unknown>;
const obj = (x: unknown): Obj | undefined =>
  x && typeof x === "object" && !Array.isArray(x) ? x as Obj : undefined;

/** Step and unroll seconds of one side (ours from the bench JSON, PyTorch from the peer's). */
function times(x: unknown, ours: boolean): Obj | null {
  const o = obj(x);
  if (!o) return null;
  const step = ours ? obj(o.train_step_s)?.median ?? null : median(o.train_step_s);
  const unroll = ours ? obj(o.eval_unroll_s)?.median ?? null : median(o.eval_unroll_s);
  return {
    train_step_s: step,
    eval_unroll_s: unroll,
    batch: o.batch ?? null,
    ...(ours
      ? { config: o.config ?? null, backend: o.backend ?? null, eval_segments: o.eval_segments }
      : { dtype: o.dtype ?? "float32", torch: o.torch ?? null, device_name: o.device_name }),
  };
}

const ratio = (theirs: unknown, ours: unknown) =>
  typeof theirs === "number" && typeof ours === "number" && ours > 0 ? theirs / ours : null;

/** The one JSON of a device check. */
export function assembleDeviceReport(f: DeviceFiles, date: string): Obj {
  const pre = obj(f.preflight);
  const probe = obj(f.probe);
  const adapter = obj(probe?.adapter) ?? obj(pre?.adapter) ?? null;
  const fallback = adapter?.isFallbackAdapter === true;
  const gpu = gpuSlug(adapter?.description as string | undefined, fallback);
  const conformance = Object.entries(f.conform).sort().map(([k, v]) => parseConform(k, v));
  const ours = times(f.webgpu, true);
  const fp32 = times(f.torchFp32, false);
  const bf16 = times(f.torchBf16, false);
  const matmul = Array.isArray(probe?.matmul) ? probe.matmul as Obj[] : [];
  const stages = (f.stages ?? "").trim().split("\n").filter(Boolean).map((l) => {
    const [stage, exit, seconds] = l.split("\t");
    return { stage, exit: Number(exit), seconds: Number(seconds) };
  });
  const trainRatio = ratio(fp32?.train_step_s, ours?.train_step_s);
  return {
    date,
    gpu,
    what: "the prepared WebGPU device check (dev/device_webgpu.sh)" +
      (fallback ? ": a dry run on a software adapter, not a GPU measurement" : ""),
    driver: f.nvidiaSmi?.split("\n").find((l) => /Driver Version/.test(l))?.trim() ?? null,
    adapter,
    limits: obj(probe?.limits) ?? obj(pre?.limits) ?? null,
    preflight: pre ?? (f.preflight === undefined ? null : { unparsable: String(f.preflight) }),
    probe: probe
      ? {
        rows: probe.rows ?? null,
        tf_init_ms: probe.tfInitMs ?? null,
        gflops: Object.fromEntries(
          matmul.map((m) => [String(m.case), m.gflops ?? `error: ${m.error}`]),
        ),
        add_bandwidth_gbs: probe.addBandwidthGBs ?? null,
        per_kernel_us: probe.perKernelUs ?? null,
        uncaptured_errors: probe.uncapturedErrors ?? [],
      }
      : null,
    conformance,
    conformance_pass: conformance.length > 0 && conformance.every((c) => c.pass),
    ours,
    torch_fp32: fp32,
    torch_bf16: bf16,
    ratios: {
      train_vs_torch_fp32: trainRatio,
      unroll_vs_torch_fp32: ratio(fp32?.eval_unroll_s, ours?.eval_unroll_s),
      train_vs_torch_bf16: ratio(bf16?.train_step_s, ours?.train_step_s),
      unroll_vs_torch_bf16: ratio(bf16?.eval_unroll_s, ours?.eval_unroll_s),
      note: "throughput ours / PyTorch's on the same device (time theirs / ours); goal: " +
        "train_vs_torch_fp32 >= 0.3",
    },
    meets_goal: trainRatio === null ? null : trainRatio >= 0.3,
    stages,
  };
}

async function readMaybe(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return undefined;
  }
}

function parseMaybe(text: string | undefined): unknown {
  if (text === undefined || !text.trim()) return undefined;
  const last = text.trim().split("\n").at(-1)!;
  try {
    return JSON.parse(last);
  } catch {
    return text.slice(0, 500);
  }
}

/** Reads an output folder's files (see the module header). */
export async function readDeviceFiles(dir: string): Promise<DeviceFiles> {
  const conform: Record<string, string> = {};
  for await (const e of Deno.readDir(dir)) {
    const m = /^conform-(.+)\.log$/.exec(e.name);
    if (m && e.isFile) conform[m[1]] = await Deno.readTextFile(join(dir, e.name));
  }
  return {
    preflight: parseMaybe(await readMaybe(join(dir, "preflight.json"))),
    probe: parseMaybe(await readMaybe(join(dir, "probe.json"))),
    conform,
    webgpu: parseMaybe(await readMaybe(join(dir, "webgpu.json"))),
    torchFp32: parseMaybe(await readMaybe(join(dir, "torch_fp32.json"))),
    torchBf16: parseMaybe(await readMaybe(join(dir, "torch_bf16.json"))),
    stages: await readMaybe(join(dir, "stages.tsv")),
    nvidiaSmi: await readMaybe(join(dir, "nvidia-smi.txt")),
  };
}

if (import.meta.main) {
  const [dir, ...rest] = Deno.args;
  if (!dir) throw new Error("usage: device_report.ts <out-dir> [--date YYYY-MM-DD]");
  const i = rest.indexOf("--date");
  const date = i >= 0 ? rest[i + 1] : new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    throw new Error(`--date: expected YYYY-MM-DD, got '${date}'`);
  }
  const report = assembleDeviceReport(await readDeviceFiles(dir), date);
  const file = join(dir, `${date}-webgpu-${report.gpu}.json`);
  await writeFileAtomic(file, JSON.stringify(report, null, 2) + "\n");
  console.log(file);
}
