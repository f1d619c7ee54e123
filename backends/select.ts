/**
 * Backend selection for TensorFlow.js under Deno.
 *
 * `auto` picks WebGPU when Deno finds a GPU adapter that is not a fallback
 * (software) adapter, else wasm. `cpu` is tfjs' pure-JS reference backend.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";
import { installFastWasmKernels, stockKernelsRequested } from "./wasm/kernels.ts";
import { installWebgpuGuard } from "./webgpu_guard.ts";
import { installWebgpuKernels, stockWebgpuKernelsRequested } from "./webgpu_kernels.ts";

export const BACKENDS = ["webgpu", "wasm", "cpu"] as const;
export type BackendName = typeof BACKENDS[number];
export type BackendChoice = BackendName | "auto";

/** What a run used, for logs and reports. */
export interface BackendInfo {
  backend: BackendName;
  /** GPU adapter description (WebGPU only). */
  adapter?: string;
  /** True when the WebGPU adapter is a software fallback (e.g. llvmpipe). */
  fallbackAdapter?: boolean;
}

interface AdapterSummary {
  description: string;
  isFallbackAdapter: boolean;
}

/** Asks Deno's WebGPU for an adapter; undefined when there is none. */
export async function probeAdapter(): Promise<AdapterSummary | undefined> {
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) return undefined;
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return undefined;
    const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    return {
      description: info.description || info.vendor || "unknown adapter",
      isFallbackAdapter: info.isFallbackAdapter ?? false,
    };
  } catch {
    return undefined;
  }
}

/** Resolves `auto` to a concrete backend without initialising it. */
export async function resolveBackend(choice: BackendChoice): Promise<BackendName> {
  if (choice !== "auto") return choice;
  const adapter = await probeAdapter();
  return adapter && !adapter.isFallbackAdapter ? "webgpu" : "wasm";
}

/** Parses a user-supplied backend name, with a one-line error listing the valid ones. */
export function parseBackend(value: string): BackendChoice {
  if (value === "auto" || (BACKENDS as readonly string[]).includes(value)) {
    return value as BackendChoice;
  }
  throw new Error(`unknown backend '${value}', expected one of: auto, ${BACKENDS.join(", ")}`);
}

/** Hooks run once after a backend is initialised (e.g. faster kernels). */
const setupHooks: ((backend: BackendName) => void)[] = [];

/** Registers a hook that runs after `useBackend` initialises a backend. */
export function onBackendReady(hook: (backend: BackendName) => void): void {
  setupHooks.push(hook);
}

// The stock wasm matmul is scalar for transposed or batched operands (see
// wasm/kernels.ts); use this project's GEMM unless HRM_WASM_STOCK_KERNELS=1.
onBackendReady((backend) => {
  if (backend === "wasm" && !stockKernelsRequested()) installFastWasmKernels();
});

// tfjs-webgpu's device errors are silent in Deno: fail loudly (webgpu_guard.ts).
onBackendReady((backend) => {
  if (backend === "webgpu") installWebgpuGuard();
});

// tfjs-webgpu's x·Wᵀ reads W with a stride; transpose weights first (webgpu_kernels.ts).
onBackendReady((backend) => {
  if (backend === "webgpu" && !stockWebgpuKernelsRequested()) installWebgpuKernels();
});

/** Initialises and activates a backend; returns what was used. */
export async function useBackend(choice: BackendChoice): Promise<BackendInfo> {
  const backend = await resolveBackend(choice);
  const ok = await tf.setBackend(backend);
  if (!ok) throw new Error(`backend '${backend}' failed to initialise`);
  await tf.ready();
  if (backend === "cpu") {
    // tfjs' cpu backend prints a banner recommending tfjs-node on first use
    // because Deno looks like Node to it; that advice does not apply here.
    (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
  }
  for (const hook of setupHooks) hook(backend);
  const info: BackendInfo = { backend };
  if (backend === "webgpu") {
    const adapter = await probeAdapter();
    info.adapter = adapter?.description;
    info.fallbackAdapter = adapter?.isFallbackAdapter;
  }
  return info;
}

/** One human-readable line naming the backend in use. */
export function describeBackend(info: BackendInfo): string {
  if (info.backend !== "webgpu") return `backend: ${info.backend}`;
  const kind = info.fallbackAdapter ? "software fallback adapter" : "hardware adapter";
  return `backend: webgpu (${info.adapter ?? "unknown adapter"}, ${kind})`;
}
