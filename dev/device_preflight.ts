/**
 * The device check's adapter preflight (dev/device_webgpu.sh): asks Deno's
 * WebGPU for an adapter, with no npm dependency (it runs from the working tree
 * on the device machine, where node_modules does not travel), and prints one
 * JSON object: the adapter's vendor (4318 = 0x10de is NVIDIA), description,
 * `isFallbackAdapter`, the two buffer limits, and the Vulkan environment.
 * Exit 0 when an adapter was found, 3 when none.
 *
 *   deno run -A --no-config dev/device_preflight.ts
 * @module
 */

/** What the preflight prints. */
export interface Preflight {
  env: Record<string, string | null>;
  adapter: {
    vendor: string;
    description: string;
    isFallbackAdapter: boolean | null;
  } | null;
  limits?: { maxBufferSize: number; maxStorageBufferBindingSize: number };
  error?: string;
  ms: number;
}

/** Probes the adapter (high-performance preference). */
export async function preflight(): Promise<Preflight> {
  const t0 = performance.now();
  const env: Record<string, string | null> = {};
  for (const k of ["DENO_WEBGPU_BACKEND", "VK_DRIVER_FILES", "VK_LOADER_DEBUG"]) {
    env[k] = Deno.env.get(k) ?? null;
  }
  const out: Preflight = { env, adapter: null, ms: 0 };
  try {
    const gpu = (navigator as { gpu?: GPU }).gpu;
    const a = gpu ? await gpu.requestAdapter({ powerPreference: "high-performance" }) : null;
    if (a) {
      const info = a.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
      out.adapter = {
        vendor: info.vendor,
        description: info.description,
        isFallbackAdapter: info.isFallbackAdapter ?? null,
      };
      out.limits = {
        maxBufferSize: a.limits.maxBufferSize,
        maxStorageBufferBindingSize: a.limits.maxStorageBufferBindingSize,
      };
    }
  } catch (e) {
    out.error = String(e).split("\n")[0];
  }
  out.ms = Math.round(performance.now() - t0);
  return out;
}

if (import.meta.main) {
  const p = await preflight();
  console.log(JSON.stringify(p));
  Deno.exit(p.adapter ? 0 : 3);
}
