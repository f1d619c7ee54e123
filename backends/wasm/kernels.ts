/**
 * Faster matmul (and slice) kernels for the tfjs wasm backend.
 *
 * The stock wasm `BatchMatMul` (tfjs-backend-wasm 4.22, `batch_mat_mul_impl.cc`)
 * sends a product to XNNPACK's fully-connected operator only when neither
 * operand is transposed and both have a batch size of 1. Every other case
 * (any `transposeA`/`transposeB`, any batch dimension) runs a blocked scalar
 * triple loop at 1-3 GFLOP/s; every matmul gradient uses a transposed operand.
 * Even its XNNPACK path reaches only ~35 GFLOP/s (plain SIMD128, no fused
 * multiply-add).
 *
 * The kernel registered here runs every float32 product through this
 * project's GEMM (backends/wasm/simd.ts, ~54 GFLOP/s on one core here):
 * - a transposed operand is read with swapped strides while it is packed, so
 *   no transpose is ever materialised;
 * - when `b` has no batch (a weight), `a`'s batch is folded into its rows and
 *   the product is one call; a transposed 2-D `b` (the model's `x W^T`) is
 *   packed once per weight value and reused by every product with it;
 * - otherwise it runs one product per output batch item, straight on the
 *   operands' and the output's memory (broadcast batch dimensions included,
 *   which also avoids the stock kernel's wrong results for some broadcasts).
 *
 * Results equal the stock kernel's up to float rounding (fused multiply-adds,
 * summed over k in order); `kernels_test.ts` checks this against the
 * stock kernel and the cpu backend.
 *
 * `Slice`, `SplitV`, `Unpack` and `Concat` are replaced too (see
 * slice.ts): the stock slices copy their whole input out of the wasm heap
 * for every slice, and the stock concatenation copies run by run from JavaScript.
 *
 * Install with {@link installFastWasmKernels} (backends/select.ts does this when
 * the wasm backend starts, unless `HRM_WASM_STOCK_KERNELS=1`), undo with
 * {@link restoreStockWasmKernels}.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { sliceKernels } from "./slice.ts";
import { type Operand, WasmGemm } from "./simd.ts";
import { heapOffset, type WasmBackend } from "./internals.ts";

/** The GEMM bound to each backend instance's heap. */
const gemms = new WeakMap<object, WasmGemm>();

function gemmFor(backend: WasmBackend): WasmGemm {
  let g = gemms.get(backend);
  if (!g) {
    g = new WasmGemm(backend.wasm);
    gemms.set(backend, g);
  }
  return g;
}

/**
 * Packed panels of 2-D right operands used transposed (the model's weights,
 * `x W^T`), by the source's dataId: one weight value is multiplied many times
 * (every cycle of a segment, the Q-target pass, every evaluation segment).
 * tfjs data is immutable per dataId (a variable assignment gets a new dataId),
 * so an entry stays valid while its source lives; entries whose source is gone
 * are freed on the next matmul.
 */
const packedCache = new Map<object, { backend: WasmBackend; ptr: number }>();

function sweepPackedCache(backend: WasmBackend): void {
  for (const [dataId, entry] of packedCache) {
    if (entry.backend !== backend || !backend.dataIdMap.has(dataId)) {
      if (entry.backend === backend) gemmFor(backend).free(entry.ptr);
      packedCache.delete(dataId);
    }
  }
}

/** Frees every cached packed weight. */
export function clearWasmKernelCaches(): void {
  for (const { backend, ptr } of packedCache.values()) gemmFor(backend).free(ptr);
  packedCache.clear();
}

/** How many packed weights are cached now (for tests). */
export function packedWeightCount(): number {
  return packedCache.size;
}

/** Where the fast matmul spends its time (ms), for profiling; see {@link wasmMatMulStats}. */
const stats = { calls: 0, foldedMs: 0, perItemMs: 0, items: 0, weightPacks: 0 };

/** A copy of the fast matmul's counters since the last reset. */
export function wasmMatMulStats(reset = false): typeof stats {
  const copy = { ...stats };
  if (reset) {
    Object.assign(stats, { calls: 0, foldedMs: 0, perItemMs: 0, items: 0, weightPacks: 0 });
  }
  return copy;
}

/** The stock matmul (for non-float32 inputs). */
let stockBatchMatMul: tf.KernelConfig | undefined;
let installed = false;

/** Flat index of the operand batch item that broadcasts to output batch item `i`. */
function broadcastIndex(i: number, outBatch: number[], operandBatch: number[]): number {
  const offset = outBatch.length - operandBatch.length;
  let index = 0;
  let rem = i;
  const coords = new Array<number>(outBatch.length);
  for (let d = outBatch.length - 1; d >= 0; d--) {
    coords[d] = rem % outBatch[d];
    rem = Math.floor(rem / outBatch[d]);
  }
  for (let d = 0; d < operandBatch.length; d++) {
    index = index * operandBatch[d] + (operandBatch[d] === 1 ? 0 : coords[d + offset]);
  }
  return index;
}

function fastBatchMatMul(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = args.backend as WasmBackend;
  const a = args.inputs.a as tf.TensorInfo;
  const b = args.inputs.b as tf.TensorInfo;
  const transposeA = Boolean(args.attrs?.transposeA);
  const transposeB = Boolean(args.attrs?.transposeB);
  if (a.dtype !== "float32" || b.dtype !== "float32") {
    return stockBatchMatMul!.kernelFunc(
      args as unknown as Parameters<tf.KernelFunc>[0],
    ) as tf.TensorInfo;
  }
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const kA = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kB = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (kA !== kB) {
    throw new Error(
      `Error in matMul: inner shapes (${kA}) and (${kB}) of Tensors with shapes ` +
        `${a.shape} and ${b.shape} and transposeA=${transposeA} and ` +
        `transposeB=${transposeB} must match.`,
    );
  }
  const k = kA;
  const batchShapeA = a.shape.slice(0, -2);
  const batchShapeB = b.shape.slice(0, -2);
  const outBatchShape = tf.broadcast_util.assertAndGetBroadcastShape(batchShapeA, batchShapeB);
  const batchA = tf.util.sizeFromShape(batchShapeA);
  const batchB = tf.util.sizeFromShape(batchShapeB);
  const outBatch = tf.util.sizeFromShape(outBatchShape);
  const out = backend.makeOutput([...outBatchShape, m, n], "float32");
  if (outBatch * m * n === 0) return out;
  const c = heapOffset(backend, out);
  if (k === 0) {
    // Fresh wasm memory is not zeroed; an empty sum is 0.
    backend.wasm.HEAPF32.fill(0, c / 4, c / 4 + outBatch * m * n);
    return out;
  }

  sweepPackedCache(backend);
  stats.calls++;
  const gemm = gemmFor(backend);
  const aPtr = heapOffset(backend, a);
  const bPtr = heapOffset(backend, b);
  // Strides (bytes) of A (m x k) and of B's transpose (n x k) within one batch item.
  const aOp = (ptr: number): Operand =>
    transposeA ? { ptr, rowStride: 4, kStride: 4 * m } : { ptr, rowStride: 4 * k, kStride: 4 };
  const bOp = (ptr: number): Operand =>
    transposeB ? { ptr, rowStride: 4 * k, kStride: 4 } : { ptr, rowStride: 4, kStride: 4 * n };
  const t0 = performance.now();
  let right: Operand | number = bOp(bPtr);
  if (transposeB && rb === 2) {
    let entry = packedCache.get(b.dataId);
    if (!entry) {
      entry = { backend, ptr: gemm.prepackB(right, k, n) };
      packedCache.set(b.dataId, entry);
      stats.weightPacks++;
    }
    right = entry.ptr;
  }
  if (batchB === 1 && batchA === outBatch && !transposeA) {
    // b is shared by every batch item and a's rows are contiguous: one product.
    gemm.matmul(aOp(aPtr), right, c, outBatch * m, n, k, 4 * n);
    stats.foldedMs += performance.now() - t0;
  } else {
    for (let i = 0; i < outBatch; i++) {
      const ai = batchA === 1 ? 0 : broadcastIndex(i, outBatchShape, batchShapeA);
      const bi = batchB === 1 ? 0 : broadcastIndex(i, outBatchShape, batchShapeB);
      const bItem = typeof right === "number" ? right : bOp(bPtr + bi * k * n * 4);
      gemm.matmul(aOp(aPtr + ai * m * k * 4), bItem, c + i * m * n * 4, m, n, k, 4 * n);
    }
    stats.items += outBatch;
    stats.perItemMs += performance.now() - t0;
  }
  return out;
}

/** The stock kernel configs, captured at install so they can be restored. */
const stockConfigs = new Map<string, tf.KernelConfig>();

function stockKernel(name: string): tf.KernelConfig {
  const k = stockConfigs.get(name) ?? tf.getKernel(name, "wasm");
  if (!k) throw new Error(`wasm ${name} kernel is not registered`);
  return k;
}

/**
 * Replaces the wasm `BatchMatMul` kernel with this project's GEMM and
 * `Slice`/`SplitV`/`Unpack`/`Concat` with in-heap copies (slice.ts). Safe to call
 * more than once, before or after the wasm backend is initialised.
 */
export function installFastWasmKernels(): void {
  if (installed) return;
  for (const name of ["BatchMatMul", "Slice", "SplitV", "Unpack", "Concat"]) {
    stockConfigs.set(name, stockKernel(name));
  }
  stockBatchMatMul = stockConfigs.get("BatchMatMul");
  const slices = sliceKernels({
    slice: stockKernel("Slice").kernelFunc,
    splitV: stockKernel("SplitV").kernelFunc,
    unpack: stockKernel("Unpack").kernelFunc,
    concat: stockKernel("Concat").kernelFunc,
  });
  const replacements: [string, tf.KernelFunc][] = [
    ["BatchMatMul", fastBatchMatMul as unknown as tf.KernelFunc],
    ["Slice", slices.slice],
    ["SplitV", slices.splitV],
    ["Unpack", slices.unpack],
    ["Concat", slices.concat],
  ];
  for (const [name, kernelFunc] of replacements) {
    const stock = stockKernel(name);
    tf.unregisterKernel(name, "wasm");
    // Keep the stock setup: a re-initialised backend still needs its bindings.
    tf.registerKernel({
      kernelName: name,
      backendName: "wasm",
      setupFunc: stock.setupFunc,
      kernelFunc,
    });
  }
  installed = true;
}

/** Puts the stock wasm kernels back (for comparisons and benchmarks). */
export function restoreStockWasmKernels(): void {
  if (!installed) return;
  clearWasmKernelCaches();
  for (const [name, config] of stockConfigs) {
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel(config);
  }
  installed = false;
}

/** True while the fast kernels are registered. */
export function fastWasmKernelsInstalled(): boolean {
  return installed;
}

/** True when the environment asks for the stock kernels (`HRM_WASM_STOCK_KERNELS=1`). */
export function stockKernelsRequested(): boolean {
  try {
    return Deno.env.get("HRM_WASM_STOCK_KERNELS") === "1";
  } catch {
    // No env permission: use the fast kernels.
    return false;
  }
}
