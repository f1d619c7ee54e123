/**
 * Packs the prepared GPU check (dev/device_webgpu.sh) into `.device/`, an
 * ignored folder that the device tool carries to a lent GPU machine, where
 * nothing can be downloaded and node_modules does not travel:
 *
 *   .device/bench.js     cli/bench.ts bundled with its npm dependencies
 *   .device/conform.js   cli/conform.ts, the same (the golden cases travel in fixtures/)
 *   .device/report.js    dev/device_report.ts, the same (assembles the one JSON)
 *   .device/probe.js     ../shared/tools/gpu/webgpu_probe.ts, the same (when it is there)
 *   .device/deno.xz      this Deno binary, xz-compressed (~30 MB)
 *   .device/peer.json    the PyTorch peer's config of the configuration measured
 *   .device/run.env      the configuration, batch and stage sizes the script reads
 *   .device/gl/*.deb     the Vulkan loader, vulkaninfo and the X/EGL client libraries the
 *                        NVIDIA driver's Vulkan ICD links against (the GPU image has none)
 *
 *   deno run -A dev/pack_device.ts [--config sudoku-paper] [--batch 768] [--tiny] [--no-gl]
 *
 * `--tiny` packs a dry run for a software adapter (the tiny configuration at
 * batch 4, a small probe, one training step), to test the whole call here.
 *
 * then prints the device call. docs/benchmarks.md ("WebGPU on a lent GPU")
 * says what it measures.
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { join } from "node:path";
import { getBenchConfig, peerModelConfig } from "../bench/mod.ts";
import { writeFileAtomic } from "../io/mod.ts";
import { runCli } from "../util/mod.ts";

const ROOT = new URL("..", import.meta.url).pathname;
/**
 * Debian packages the GPU image lacks: the Vulkan loader and `vulkaninfo`, the GL/EGL loaders, and
 * the X client libraries `libGLX_nvidia` links against (the GPU notes' list; no X server needed).
 */
export const GL_PACKAGES = [
  "libvulkan1",
  "vulkan-tools",
  "libegl1",
  "libglvnd0",
  "libopengl0",
  "libgl1",
  "libglx0",
  "libgles2",
  "libx11-6",
  "libx11-data",
  "libxext6",
  "libxcb1",
  "libxau6",
  "libxdmcp6",
  "libbsd0",
  "libmd0",
];

/** The WebGPU probe of the shared research tools (bundled when present). */
const PROBE = join(ROOT, "../shared/tools/gpu/webgpu_probe.ts");

async function run(cmd: string, args: string[], cwd?: string): Promise<void> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  } catch (e) {
    throw new Error(`cannot run '${cmd}': ${(e as Error).message}`);
  }
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" | ");
    throw new Error(`'${cmd} ${args.join(" ")}' failed (exit ${out.code}): ${err}`);
  }
}

/** Bundles cli/bench.ts and its npm dependencies into one file (`deno bundle`). */
export function bundleBench(outFile: string): Promise<void> {
  return bundle(join(ROOT, "cli/bench.ts"), outFile);
}

/** Bundles `entry` (a path) and its npm dependencies into one file that runs with `--no-config`. */
export async function bundle(entry: string, outFile: string): Promise<void> {
  await run(Deno.execPath(), [
    "bundle",
    "--quiet",
    "--platform",
    "deno",
    "--config",
    join(ROOT, "deno.json"),
    "-o",
    outFile,
    entry,
  ]);
}

/** The sizes of one device check: the real one, or a dry run on a software adapter. */
export function runEnv(o: { config: string; batch: number; tiny: boolean }): string {
  const v = o.tiny
    ? {
      PROBE_ROWS: 82,
      PROBE_SQUARE: 0,
      PROBE_LIMIT: 120,
      TRAIN_RUNS: 1,
      EVAL_RUNS: 1,
      TORCH_STEPS: 1,
    }
    : {
      PROBE_ROWS: 62976,
      PROBE_SQUARE: 4096,
      PROBE_LIMIT: 90,
      TRAIN_RUNS: 3,
      EVAL_RUNS: 1,
      TORCH_STEPS: 3,
    };
  const lines = [`CONFIG=${o.config}`, `BATCH=${o.batch}`, `TINY=${o.tiny ? 1 : 0}`];
  for (const [k, x] of Object.entries(v)) lines.push(`${k}=${x}`);
  return lines.join("\n") + "\n";
}

/** The peer's `--config` JSON for a bench configuration at `batch` (as `runPeer` builds it). */
export function peerConfig(name: string, batch: number): string {
  return JSON.stringify(peerModelConfig(getBenchConfig(name), batch));
}

async function main(): Promise<void> {
  const opts = new Command()
    .name("pack_device")
    .description("Pack .device/ for the prepared GPU check (dev/device_webgpu.sh)")
    .option("--config <name>", "bench configuration", "sudoku-paper")
    .option("--batch <n>", "batch size", "768")
    .option("--tiny", "a dry run for a software adapter: tiny config, batch 4, small probe")
    .option("--no-gl", "do not download the Vulkan/EGL loader packages")
    .option("--no-deno", "do not pack this Deno binary (a dry run here sets DENO= instead)")
    .parse()
    .opts();
  if (opts.tiny) {
    opts.config = "tiny";
    opts.batch = "4";
  }
  const batch = Number(opts.batch);
  if (!Number.isInteger(batch) || batch < 1) {
    throw new Error(`--batch must be a positive integer, got '${opts.batch}'`);
  }
  const dir = join(ROOT, ".device");
  await Deno.mkdir(dir, { recursive: true });
  console.log("bundling cli/bench.ts, cli/conform.ts, dev/device_report.ts");
  await bundleBench(join(dir, "bench.js"));
  await bundle(join(ROOT, "cli/conform.ts"), join(dir, "conform.js"));
  await bundle(join(ROOT, "dev/device_report.ts"), join(dir, "report.js"));
  try {
    await Deno.stat(PROBE);
    await bundle(PROBE, join(dir, "probe.js"));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    console.log(`no ${PROBE}: the check runs without the probe`);
  }
  await writeFileAtomic(join(dir, "peer.json"), peerConfig(opts.config, batch));
  await writeFileAtomic(
    join(dir, "run.env"),
    runEnv({ config: opts.config, batch, tiny: opts.tiny === true }),
  );
  if (opts.deno) {
    console.log(`compressing ${Deno.execPath()} (about a minute)`);
    await run("sh", ["-c", `xz -T0 -6 -c "${Deno.execPath()}" > "${join(dir, "deno.xz.tmp")}"`]);
    await Deno.rename(join(dir, "deno.xz.tmp"), join(dir, "deno.xz"));
  }
  if (opts.gl) {
    console.log("downloading the Vulkan/EGL loaders (Debian, amd64)");
    const gl = join(dir, "gl");
    await Deno.mkdir(gl, { recursive: true });
    const lists = await Deno.makeTempDir({ prefix: "hrm-apt-" });
    const apt = ["-oAPT::Architecture=amd64", "-oAPT::Architectures=amd64"];
    apt.push(`-oDir::State::Lists=${lists}`);
    await Deno.mkdir(join(lists, "partial"), { recursive: true });
    await run("apt-get", [...apt, "update"]);
    await run("apt-get", [...apt, "download", ...GL_PACKAGES], gl);
  }
  let bytes = 0;
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile) bytes += (await Deno.stat(join(dir, e.name))).size;
  }
  console.log(`.device/: ${(bytes / 2 ** 20).toFixed(1)} MiB (the device tool carries 64 MiB)`);
  console.log(
    `device call: run(command: "bash dev/device_webgpu.sh", carry: [".device"], timeout_s: 570)`,
  );
}

if (import.meta.main) await runCli(main);
