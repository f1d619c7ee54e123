/**
 * Faster matmul (and slice) kernels for the tfjs wasm backend.
 *
 * The stock wasm `BatchMatMul` (tfjs-backend-wasm 4.22, `batch_mat_mul_impl.cc`)
 * sends a product to XNNPACK's fully-connected operator only when neither
 * operand is transposed and both have a batch size of 1. Every other case
 * (any `transposeA`/`transposeB`, any batch dimension) runs a blocked scalar
 * triple loop at 1-3 GFLOP/s, against 25-35 GFLOP/s for the XNNPACK path. Every
 * matmul gradient uses a transposed operand, so training on wasm spends most
 * of its time in that loop.
 *
 * The kernel registered here reduces every case to XNNPACK calls:
 * - a transposed operand is transposed explicitly first (one memory pass,
 *   cheap next to the product);
 * - when `b` has no batch (a weight), `a`'s batch is folded into its rows and
 *   the product is one 2-D call;
 * - otherwise it runs one 2-D call per output batch item on zero-copy views
 *   into the operands and the output (broadcast batch dimensions included,
 *   which also avoids the stock kernel's wrong results for some broadcasts).
 *
 * Results equal the stock kernel's up to float rounding (XNNPACK and the
 * scalar loop sum in different orders); `wasm_kernels_test.ts` checks this
 * against the stock kernel and the cpu backend.
 *
 * `Slice`, `SplitV` and `Unpack` are replaced too (see wasm_slice.ts): the
 * stock ones copy their whole input out of the wasm heap for every slice.
 *
 * Install with {@link installFastWasmKernels} (model/backend.ts does this when
 * the wasm backend starts, unless `HRM_WASM_STOCK_KERNELS=1`), undo with
 * {@link restoreStockWasmKernels}.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { sliceKernels } from "./wasm_slice.ts";

// Minimal views of the wasm backend's internals (tfjs-backend-wasm 4.22).
interface WasmTensorData {
  id: number;
  memoryOffset: number;
  shape: number[];
  dtype: tf.DataType;
  refCount: number;
}
interface WasmModule {
  cwrap(name: string, ret: null, args: string[]): (...args: unknown[]) => void;
  HEAPF32: Float32Array;
  tfjs: {
    registerTensor(id: number, size: number, offset: number): void;
    disposeData(id: number): void;
  };
}
interface WasmBackend {
  wasm: WasmModule;
  dataIdMap: {
    get(dataId: object): WasmTensorData;
    set(dataId: object, data: WasmTensorData): void;
    delete(dataId: object): void;
    has(dataId: object): boolean;
  };
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}
type RawMatMul = (
  aId: number,
  aShape: Uint8Array,
  aRank: number,
  bId: number,
  bShape: Uint8Array,
  bRank: number,
  transposeA: number,
  transposeB: number,
  outId: number,
) => void;

/**
 * Transposed copies of 2-D right operands, by the source's dataId. The model
 * multiplies by weights stored [out, in] (`x W^T`), so the same weight is
 * transposed on every call; a cached copy also keeps XNNPACK's packed weights
 * (cached per tensor id in C++). tfjs data is immutable per dataId (a variable
 * assignment gets a new dataId), so an entry stays valid while its source lives;
 * entries whose source is gone are freed on the next matmul.
 */
const transposeCache = new Map<object, { backend: WasmBackend; t: tf.TensorInfo }>();

function sweepTransposeCache(backend: WasmBackend): void {
  for (const [dataId, entry] of transposeCache) {
    if (entry.backend !== backend || !backend.dataIdMap.has(dataId)) {
      if (entry.backend === backend) backend.disposeData(entry.t.dataId);
      transposeCache.delete(dataId);
    }
  }
}

/** Frees every cached transposed weight. */
export function clearWasmKernelCaches(): void {
  for (const { backend, t } of transposeCache.values()) {
    if (backend.dataIdMap.has(t.dataId)) backend.disposeData(t.dataId);
  }
  transposeCache.clear();
}

/** Where the fast matmul spends its time (ms), for profiling; see {@link wasmMatMulStats}. */
const stats = { calls: 0, transposeMs: 0, foldedMs: 0, perItemMs: 0, items: 0 };

/** A copy of the fast matmul's counters since the last reset. */
export function wasmMatMulStats(reset = false): typeof stats {
  const copy = { ...stats };
  if (reset) {
    Object.assign(stats, { calls: 0, transposeMs: 0, foldedMs: 0, perItemMs: 0, items: 0 });
  }
  return copy;
}

/** The stock matmul (for non-float32 inputs). */
let stockBatchMatMul: tf.KernelConfig | undefined;
let installed = false;
/** The raw `BatchMatMul` export of each backend instance's wasm module. */
const rawMatMuls = new WeakMap<object, RawMatMul>();

function rawMatMul(backend: WasmBackend): RawMatMul {
  let fn = rawMatMuls.get(backend);
  if (!fn) {
    fn = backend.wasm.cwrap(
      "BatchMatMul",
      null,
      ["number", "array", "number", "number", "array", "number", "number", "number", "number"],
    ) as unknown as RawMatMul;
    rawMatMuls.set(backend, fn);
  }
  return fn;
}

function shapeBytes(shape: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}

/**
 * Registers a tensor that aliases `count` floats of existing wasm memory.
 * Must be released with {@link releaseView}, never `disposeData` (which would
 * free memory that belongs to another tensor).
 */
function makeView(backend: WasmBackend, offsetBytes: number, shape: number[]): tf.TensorInfo {
  return backend.makeOutput(shape, "float32", offsetBytes);
}

function releaseView(backend: WasmBackend, view: tf.TensorInfo): void {
  const data = backend.dataIdMap.get(view.dataId);
  // Unregistering runs the C++ disposal callbacks, which delete any XNNPACK
  // operator cached for this id (its packed weights are per tensor id).
  backend.wasm.tfjs.disposeData(data.id);
  backend.dataIdMap.delete(view.dataId);
}

/**
 * Transposes the last two dimensions of `[batch, r, c]` float32 data into a
 * new `[batch, c, r]` tensor, in 32 x 32 blocks read and written straight on
 * the wasm heap: about twice as fast as the stock wasm Transpose kernel on the
 * model's weight shapes, and the step re-transposes every weight after each
 * update. Bit-exact (a copy).
 */
function transposeLast2(
  backend: WasmBackend,
  x: tf.TensorInfo,
  batch: number,
  r: number,
  c: number,
): tf.TensorInfo {
  const out = backend.makeOutput([batch, c, r], "float32");
  // Read the heap view after the allocation: growing the memory replaces it.
  const heap = backend.wasm.HEAPF32;
  const src = backend.dataIdMap.get(x.dataId).memoryOffset / 4;
  const dst = backend.dataIdMap.get(out.dataId).memoryOffset / 4;
  const B = 32;
  for (let t = 0; t < batch; t++) {
    const s0 = src + t * r * c, d0 = dst + t * r * c;
    for (let i0 = 0; i0 < r; i0 += B) {
      const i1 = Math.min(i0 + B, r);
      for (let j0 = 0; j0 < c; j0 += B) {
        const j1 = Math.min(j0 + B, c);
        for (let i = i0; i < i1; i++) {
          const row = s0 + i * c;
          for (let j = j0; j < j1; j++) heap[d0 + j * r + i] = heap[row + j];
        }
      }
    }
  }
  return out;
}

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

function product(xs: number[]): number {
  return xs.reduce((p, x) => p * x, 1);
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
  const batchA = product(batchShapeA);
  const batchB = product(batchShapeB);
  const outBatch = product(outBatchShape);
  const outShape = [...outBatchShape, m, n];
  const out = backend.makeOutput(outShape, "float32");
  if (outBatch * m * n === 0) return out;
  const outData = backend.dataIdMap.get(out.dataId);
  if (k === 0) {
    // Fresh wasm memory is not zeroed; an empty sum is 0.
    backend.wasm.HEAPF32.fill(
      0,
      outData.memoryOffset / 4,
      outData.memoryOffset / 4 + outBatch * m * n,
    );
    return out;
  }

  // Make both operands row-major [batch, m, k] and [batch, k, n].
  sweepTransposeCache(backend);
  stats.calls++;
  const t0 = performance.now();
  const aT = transposeA ? transposeLast2(backend, a, batchA, k, m) : undefined;
  let bT: tf.TensorInfo | undefined;
  let bCached = false;
  if (transposeB && b.shape.length === 2) {
    let entry = transposeCache.get(b.dataId);
    if (!entry) {
      entry = { backend, t: transposeLast2(backend, b, 1, n, k) };
      transposeCache.set(b.dataId, entry);
    }
    bT = entry.t;
    bCached = true;
  } else if (transposeB) {
    bT = transposeLast2(backend, b, batchB, n, k);
  }
  const aData = backend.dataIdMap.get((aT ?? a).dataId);
  const bData = backend.dataIdMap.get((bT ?? b).dataId);
  const matmul = rawMatMul(backend);
  const t1 = performance.now();
  stats.transposeMs += t1 - t0;
  try {
    if (batchB === 1 && batchA === outBatch) {
      // b is shared by every batch item: fold a's batch into its rows.
      const aShape = [1, batchA * m, k];
      const bShape = [1, k, n];
      matmul(aData.id, shapeBytes(aShape), 3, bData.id, shapeBytes(bShape), 3, 0, 0, outData.id);
      stats.foldedMs += performance.now() - t1;
    } else {
      const aShape = shapeBytes([1, m, k]);
      const bShape = shapeBytes([1, k, n]);
      for (let i = 0; i < outBatch; i++) {
        const ai = batchA === 1 ? 0 : broadcastIndex(i, outBatchShape, batchShapeA);
        const bi = batchB === 1 ? 0 : broadcastIndex(i, outBatchShape, batchShapeB);
        // Fresh views per item: XNNPACK caches packed weights per tensor id.
        const aView = batchA === 1 ? undefined : makeView(
          backend,
          aData.memoryOffset + ai * m * k * 4,
          [1, m, k],
        );
        const bView = makeView(backend, bData.memoryOffset + bi * k * n * 4, [1, k, n]);
        const outView = makeView(backend, outData.memoryOffset + i * m * n * 4, [1, m, n]);
        const aId = aView ? backend.dataIdMap.get(aView.dataId).id : aData.id;
        matmul(
          aId,
          aShape,
          3,
          backend.dataIdMap.get(bView.dataId).id,
          bShape,
          3,
          0,
          0,
          backend.dataIdMap.get(outView.dataId).id,
        );
        if (aView) releaseView(backend, aView);
        releaseView(backend, bView);
        releaseView(backend, outView);
      }
      stats.items += outBatch;
      stats.perItemMs += performance.now() - t1;
    }
  } finally {
    if (aT) backend.disposeData(aT.dataId);
    if (bT && !bCached) backend.disposeData(bT.dataId);
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
 * Replaces the wasm `BatchMatMul` kernel with the XNNPACK-only one and
 * `Slice`/`SplitV`/`Unpack` with in-heap copies (wasm_slice.ts). Safe to call
 * more than once, before or after the wasm backend is initialised.
 */
export function installFastWasmKernels(): void {
  if (installed) return;
  for (const name of ["BatchMatMul", "Slice", "SplitV", "Unpack"]) {
    stockConfigs.set(name, stockKernel(name));
  }
  stockBatchMatMul = stockConfigs.get("BatchMatMul");
  const slices = sliceKernels({
    slice: stockKernel("Slice").kernelFunc,
    splitV: stockKernel("SplitV").kernelFunc,
    unpack: stockKernel("Unpack").kernelFunc,
  });
  const replacements: [string, tf.KernelFunc][] = [
    ["BatchMatMul", fastBatchMatMul as unknown as tf.KernelFunc],
    ["Slice", slices.slice],
    ["SplitV", slices.splitV],
    ["Unpack", slices.unpack],
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
