/**
 * This project's SIMD kernels (backends/wasm/simd_source.ts) bound to a tfjs wasm heap:
 * - {@link WasmGemm}: float32 matrix products; operands are packed into panels
 *   (which absorbs any transposition or stride) and multiplied by a 6 x 8
 *   fused multiply-add kernel. backends/wasm/kernels.ts routes every float32
 *   `BatchMatMul` here.
 * - the `adam` export: AdamATan2 on 4 floats at a time, driven by the
 *   data-parallel workers' shard optimizer (train/parallel/shard_adam.ts).
 * - {@link heapCopy}: strided families of byte runs (slices, concatenations).
 * @module
 */
import { SIMD_WASM_BASE64 } from "./simd_bytes.ts";
import type { WasmHeap } from "./internals.ts";

export type { WasmHeap };
import { MR, NR } from "./simd_source.ts";

/**
 * One operand in the heap: element (i, kk) of A, or (j, kk) of B's transpose,
 * at `ptr + i * rowStride + kk * kStride` (bytes). Any 2-D view of a
 * row-major tensor, transposed or not, has this form.
 */
export interface Operand {
  ptr: number;
  rowStride: number;
  kStride: number;
}

/** The module's functions (see backends/wasm/simd_source.ts for each one's contract). */
export interface SimdExports {
  gemm(
    apack: number,
    bpack: number,
    c: number,
    m: number,
    n: number,
    k: number,
    ldc: number,
    mcBlocks: number,
    scratch: number,
  ): void;
  pack(
    src: number,
    rs: number,
    cs: number,
    rows: number,
    k: number,
    dst: number,
    width: number,
  ): void;
  adam(
    p: number,
    m: number,
    v: number,
    g: number,
    n: number,
    c1: number,
    c2: number,
    bc2Sqrt: number,
    decay: number,
    stepSize: number,
  ): void;
  copy(src: number, dst: number, run: number, count: number, ss: number, ds: number): void;
}

/** A's rows are taken in chunks of about this many bytes of packed panels (stays in L2). */
const A_CHUNK_BYTES = 256 * 1024;

let compiled: WebAssembly.Module | undefined;

function compiledModule(): WebAssembly.Module {
  if (!compiled) {
    const bytes = Uint8Array.from(atob(SIMD_WASM_BASE64), (c) => c.charCodeAt(0));
    if (!WebAssembly.validate(bytes)) {
      throw new Error(
        "this runtime's WebAssembly lacks relaxed SIMD (needed by the wasm backend's matmul); " +
          "use Deno 2 or later, or another backend",
      );
    }
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

/** The kernels' instance on each heap (one per tfjs wasm backend). */
const instances = new WeakMap<WebAssembly.Memory, SimdExports>();

/** The kernels on `memory` (one instance per memory). */
export function simdKernels(memory: WebAssembly.Memory): SimdExports {
  let k = instances.get(memory);
  if (!k) {
    const instance = new WebAssembly.Instance(compiledModule(), { env: { mem: memory } });
    k = instance.exports as unknown as SimdExports;
    instances.set(memory, k);
  }
  return k;
}

/** The kernels on a tfjs wasm heap. */
export function kernelsFor(heap: WasmHeap): SimdExports {
  return simdKernels(heap.asm.memory);
}

/**
 * Copies `count` runs of `run` bytes on the heap, the i-th from
 * `src + i * srcStride` to `dst + i * dstStride`, in one call.
 */
export function heapCopy(
  heap: WasmHeap,
  src: number,
  dst: number,
  run: number,
  count: number,
  srcStride: number,
  dstStride: number,
): void {
  if (count > 0 && run > 0) kernelsFor(heap).copy(src, dst, run, count, srcStride, dstStride);
}

/** Bytes of the panels holding `rows` x `k` elements, `width` rows per panel. */
export function packedBytes(rows: number, k: number, width: number): number {
  return Math.ceil(rows / width) * width * k * 4;
}

/** `bytes` of the heap (`_malloc`), or a clear error when the heap is full. */
export function heapAlloc(heap: WasmHeap, bytes: number): number {
  const ptr = heap._malloc(bytes);
  if (!ptr) throw new Error(`wasm heap: cannot allocate ${bytes} bytes`);
  return ptr;
}

/** A heap buffer that grows on demand and is reused between calls. */
export class Scratch {
  ptr = 0;
  bytes = 0;
  constructor(private heap: WasmHeap) {}
  /** The buffer, at least `bytes` long (its old contents are not kept). */
  get(bytes: number): number {
    if (bytes > this.bytes) {
      const want = Math.max(bytes, Math.ceil(this.bytes * 1.5));
      this.free(); // empty, not stale, if the allocation below throws
      this.ptr = heapAlloc(this.heap, want);
      this.bytes = want;
    }
    return this.ptr;
  }
  free(): void {
    if (this.ptr) this.heap._free(this.ptr);
    this.ptr = this.bytes = 0;
  }
}

/** The GEMM module bound to one tfjs wasm heap. */
export class WasmGemm {
  private exports: SimdExports;
  private packA: Scratch;
  private packB: Scratch;
  private tile: Scratch;

  constructor(private heap: WasmHeap) {
    this.exports = kernelsFor(heap);
    this.packA = new Scratch(heap);
    this.packB = new Scratch(heap);
    this.tile = new Scratch(heap);
  }

  /**
   * Packs B (k x n; `b` gives B's transpose, n rows of k) into a new heap
   * buffer for repeated products; release it with {@link free}.
   */
  prepackB(b: Operand, k: number, n: number): number {
    const ptr = heapAlloc(this.heap, packedBytes(n, k, NR));
    this.exports.pack(b.ptr, b.rowStride, b.kStride, n, k, ptr, NR);
    return ptr;
  }

  /** Frees a buffer from {@link prepackB}. */
  free(ptr: number): void {
    this.heap._free(ptr);
  }

  /**
   * C (m x n, row stride `ldc` bytes, at `c`) = A (m x k) B (k x n), k >= 1.
   * `b` is B's transpose as an operand, or a pointer from {@link prepackB}.
   */
  matmul(a: Operand, b: Operand | number, c: number, m: number, n: number, k: number, ldc: number) {
    const apack = this.packA.get(packedBytes(m, k, MR));
    const bpack = typeof b === "number" ? b : this.packB.get(packedBytes(n, k, NR));
    const tile = this.tile.get(MR * NR * 4);
    this.exports.pack(a.ptr, a.rowStride, a.kStride, m, k, apack, MR);
    if (typeof b !== "number") this.exports.pack(b.ptr, b.rowStride, b.kStride, n, k, bpack, NR);
    const mcBlocks = Math.max(1, Math.floor(A_CHUNK_BYTES / (MR * k * 4)));
    this.exports.gemm(apack, bpack, c, m, n, k, ldc, mcBlocks, tile);
  }
}
