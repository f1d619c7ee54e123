/**
 * # Backends: where the model's tensors run
 *
 * Backend selection (`useBackend("auto" | "webgpu" | "wasm" | "cpu")`: WebGPU on a
 * hardware adapter, else wasm, else plain JavaScript) and this project's wasm
 * kernels (our relaxed-SIMD GEMM for every float32 matmul, in-heap slices and
 * concatenations), installed into tfjs' kernel registry when the wasm backend
 * starts. The model math (model/) never names a backend.
 *
 * ```ts
 * import { describeBackend, useBackend } from "./mod.ts";
 * const info = await useBackend("cpu");
 * if (!describeBackend(info).includes("cpu")) throw new Error(describeBackend(info));
 * ```
 * @module
 */
export { heapAlloc, kernelsFor, Scratch, type SimdExports, simdKernels } from "./wasm/simd.ts";
export {
  activeWasmBackend,
  heapOffset,
  readFloatsInto,
  type WasmBackend,
  type WasmHeap,
  wasmHeapBytes,
} from "./wasm/internals.ts";
export {
  type BackendChoice,
  type BackendInfo,
  type BackendName,
  BACKENDS,
  describeBackend,
  parseBackend,
  probeAdapter,
  useBackend,
} from "./select.ts";
export {
  type FaultHandler,
  faultLine,
  installWebgpuGuard,
  recentDispatches,
  setFaultHandler,
  type WebgpuFault,
} from "./webgpu_guard.ts";
export { fastWasmKernelsInstalled, wasmMatMulStats } from "./wasm/kernels.ts";
