/**
 * Float32 matrix products on the tfjs wasm heap with this project's GEMM
 * module (model/gemm_wat.ts): operands are packed into panels (which absorbs
 * any transposition or stride) and multiplied by a 6 x 8 fused multiply-add
 * kernel. model/wasm_kernels.ts routes every float32 `BatchMatMul` here.
 * @module
 */
import { GEMM_WASM_BASE64 } from "./gemm_wasm.ts";
import { MR, NR } from "./gemm_wat.ts";

/** The parts of the tfjs wasm module used here (tfjs-backend-wasm 4.22, emscripten). */
export interface WasmHeap {
  asm: { memory: WebAssembly.Memory };
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

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

interface GemmExports {
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
}

/** A's rows are taken in chunks of about this many bytes of packed panels (stays in L2). */
const A_CHUNK_BYTES = 256 * 1024;

let compiled: WebAssembly.Module | undefined;

function compiledModule(): WebAssembly.Module {
  if (!compiled) {
    const bytes = Uint8Array.from(atob(GEMM_WASM_BASE64), (c) => c.charCodeAt(0));
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

/** Bytes of the panels holding `rows` x `k` elements, `width` rows per panel. */
export function packedBytes(rows: number, k: number, width: number): number {
  return Math.ceil(rows / width) * width * k * 4;
}

/** A heap buffer that grows on demand and is reused between calls. */
class Scratch {
  ptr = 0;
  bytes = 0;
  constructor(private heap: WasmHeap) {}
  /** The buffer, at least `bytes` long (its old contents are not kept). */
  get(bytes: number): number {
    if (bytes > this.bytes) {
      if (this.ptr) this.heap._free(this.ptr);
      this.bytes = Math.max(bytes, Math.ceil(this.bytes * 1.5));
      this.ptr = this.heap._malloc(this.bytes);
      if (!this.ptr) throw new Error(`wasm heap: cannot allocate ${this.bytes} bytes`);
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
  private exports: GemmExports;
  private packA: Scratch;
  private packB: Scratch;
  private tile: Scratch;

  constructor(private heap: WasmHeap) {
    const instance = new WebAssembly.Instance(compiledModule(), {
      env: { mem: heap.asm.memory },
    });
    this.exports = instance.exports as unknown as GemmExports;
    this.packA = new Scratch(heap);
    this.packB = new Scratch(heap);
    this.tile = new Scratch(heap);
  }

  /**
   * Packs B (k x n; `b` gives B's transpose, n rows of k) into a new heap
   * buffer for repeated products; release it with {@link free}.
   */
  prepackB(b: Operand, k: number, n: number): number {
    const ptr = this.heap._malloc(packedBytes(n, k, NR));
    if (!ptr) throw new Error(`wasm heap: cannot allocate ${packedBytes(n, k, NR)} bytes`);
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

  /** Frees the scratch buffers. */
  dispose(): void {
    this.packA.free();
    this.packB.free();
    this.tile.free();
  }
}
