/**
 * Packs the prepared GPU check (dev/device_webgpu.sh) into `.device/`, an
 * ignored folder that the device tool carries to a lent GPU machine, where
 * nothing can be downloaded and node_modules does not travel:
 *
 *   .device/bench.js     cli/bench.ts bundled with its npm dependencies
 *   .device/deno.xz      this Deno binary, xz-compressed (~30 MB)
 *   .device/peer.json    the PyTorch peer's config of the configuration measured
 *   .device/gl/*.deb     Vulkan/EGL loaders from Debian (the GPU image has none)
 *
 *   deno run -A dev/pack_device.ts [--config sudoku-paper] [--no-gl]
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
/** The loader packages the device tool's README names for Vulkan and EGL. */
const GL_PACKAGES = ["libvulkan1", "libegl1", "libglvnd0", "libopengl0", "libgl1", "libglx0"];

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
export async function bundleBench(outFile: string): Promise<void> {
  await run(Deno.execPath(), [
    "bundle",
    "--quiet",
    "--platform",
    "deno",
    "--config",
    join(ROOT, "deno.json"),
    "-o",
    outFile,
    join(ROOT, "cli/bench.ts"),
  ]);
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
    .option("--no-gl", "do not download the Vulkan/EGL loader packages")
    .parse()
    .opts();
  const batch = Number(opts.batch);
  if (!Number.isInteger(batch) || batch < 1) {
    throw new Error(`--batch must be a positive integer, got '${opts.batch}'`);
  }
  const dir = join(ROOT, ".device");
  await Deno.mkdir(dir, { recursive: true });
  console.log("bundling cli/bench.ts");
  await bundleBench(join(dir, "bench.js"));
  await writeFileAtomic(join(dir, "peer.json"), peerConfig(opts.config, batch));
  await writeFileAtomic(join(dir, "run.env"), `CONFIG=${opts.config}\nBATCH=${batch}\n`);
  console.log(`compressing ${Deno.execPath()} (about a minute)`);
  await run("sh", ["-c", `xz -T0 -6 -c "${Deno.execPath()}" > "${join(dir, "deno.xz.tmp")}"`]);
  await Deno.rename(join(dir, "deno.xz.tmp"), join(dir, "deno.xz"));
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
    `device call: run(command: "bash dev/device_webgpu.sh", carry: [".device"], timeout_s: 540)`,
  );
}

if (import.meta.main) await runCli(main);
