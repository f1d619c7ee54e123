/**
 * The data-parallel workers' AdamATan2 over their parameter shard: each
 * worker updates only the parameters it owns, its moments covering just
 * those. {@link HeapAdamATan2} keeps the moments on the tfjs wasm heap and
 * runs the SIMD module's `adam` kernel; {@link HostAdamATan2} keeps them in
 * host arrays (off wasm). Both give the bits of `adamATan2Host`
 * (model/optim.ts).
 * @module
 */
import { adamATan2Constants, adamATan2Host, type AdamATan2Options } from "../../model/mod.ts";
import {
  heapAlloc,
  kernelsFor,
  Scratch,
  type SimdExports,
  type WasmHeap,
} from "../../backends/mod.ts";

/** Throws unless floats [offset, offset + n) lie inside a shard of `size` floats. */
export function checkShardRange(offset: number, n: number, size: number): void {
  if (offset < 0 || offset + n > size) {
    throw new Error(`AdamATan2 shard: [${offset}, ${offset + n}) outside the shard of ${size}`);
  }
}

/**
 * AdamATan2 over one data-parallel worker's parameter shard, moments in host
 * arrays ({@link adamATan2Host}); the same interface as the wasm heap's
 * {@link HeapAdamATan2}, which gives the same bits faster.
 */
export class HostAdamATan2 {
  private m: Float32Array;
  private v: Float32Array;

  constructor(readonly size: number) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }

  /** Updates `p` (the parameter whose moments start at `offset` floats into the shard) in place. */
  update(
    offset: number,
    p: Float32Array,
    g: Float32Array,
    step: number,
    lr: number,
    o: AdamATan2Options,
  ): void {
    const n = p.length;
    checkShardRange(offset, n, this.size);
    const at = (x: Float32Array) => x.subarray(offset, offset + n);
    adamATan2Host(p, at(this.m), at(this.v), g, step, lr, o);
  }

  /** The moments of the shard (copies). */
  moments(): { m: Float32Array; v: Float32Array } {
    return { m: this.m.slice(), v: this.v.slice() };
  }

  /** Replaces the moments of the shard (resume). */
  setMoments(m: Float32Array, v: Float32Array): void {
    checkShardRange(0, m.length, this.size);
    this.m.set(m);
    this.v.set(v);
  }

  dispose(): void {}
}

/**
 * AdamATan2 over one worker's parameter shard, bit for bit `adamATan2Host`
 * (model/optim.ts), 4 floats per iteration in wasm SIMD. The moments of the
 * whole shard live on the heap (zeroed at start); each update copies the
 * parameter's values and gradient in and the new values out.
 */
export class HeapAdamATan2 {
  private kernels: SimdExports;
  /** Byte offsets of the shard's first moment, second moment, and a [p | g] scratch. */
  private m: number;
  private v: number;
  private scratch: Scratch;

  constructor(private heap: WasmHeap, readonly size: number) {
    this.kernels = kernelsFor(heap);
    this.m = heapAlloc(heap, Math.max(4, size * 4));
    this.v = heapAlloc(heap, Math.max(4, size * 4));
    this.scratch = new Scratch(heap);
    this.heap.HEAPF32.fill(0, this.m / 4, this.m / 4 + size);
    this.heap.HEAPF32.fill(0, this.v / 4, this.v / 4 + size);
  }

  /**
   * Updates `p` (host values of the parameter whose moments start at `offset`
   * floats into the shard) in place from gradient `g`; the arithmetic of
   * `adamATan2Host(p, m, v, g, step, lr, o)`.
   */
  update(
    offset: number,
    p: Float32Array,
    g: Float32Array,
    step: number,
    lr: number,
    o: AdamATan2Options,
  ) {
    const n = p.length;
    checkShardRange(offset, n, this.size);
    const buf = this.scratch.get(n * 8);
    // Views after the allocation (a growing heap replaces HEAPF32).
    const heap = this.heap.HEAPF32;
    const ps = buf / 4, gs = ps + n, ms = this.m / 4 + offset, vs = this.v / 4 + offset;
    heap.set(p, ps);
    heap.set(g, gs);
    const c = adamATan2Constants(step, lr, o);
    const n4 = n - (n % 4);
    this.kernels.adam(buf, ms * 4, vs * 4, gs * 4, n4, c.c1, c.c2, c.bc2Sqrt, c.decay, c.stepSize);
    if (n4 < n) {
      // The last 1-3 floats: the host loop, same arithmetic.
      const tail = (start: number) => heap.subarray(start + n4, start + n);
      adamATan2Host(tail(ps), tail(ms), tail(vs), tail(gs), step, lr, o);
    }
    p.set(heap.subarray(ps, ps + n));
  }

  /** The moments of the shard (copies). */
  moments(): { m: Float32Array; v: Float32Array } {
    const heap = this.heap.HEAPF32;
    return {
      m: heap.slice(this.m / 4, this.m / 4 + this.size),
      v: heap.slice(this.v / 4, this.v / 4 + this.size),
    };
  }

  /** Replaces the moments of the shard (resume). */
  setMoments(m: Float32Array, v: Float32Array): void {
    checkShardRange(0, m.length, this.size);
    this.heap.HEAPF32.set(m, this.m / 4);
    this.heap.HEAPF32.set(v, this.v / 4);
  }

  /** Frees the moments and the scratch. */
  dispose(): void {
    this.heap._free(this.m);
    this.heap._free(this.v);
    this.scratch.free();
  }
}
