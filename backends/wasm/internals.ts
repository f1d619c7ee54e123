/**
 * The one typed view of tfjs-backend-wasm's internals (version 4.22) that
 * this project relies on: the emscripten module (its heap, allocator and
 * memory) and the map from a tensor's data id to its place on the heap. Every
 * kernel, the shard optimizer and the memory reports go through these types,
 * so an upgrade of tfjs has one file to check.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The emscripten module of the wasm backend: memory, allocator, typed views of the heap. */
export interface WasmHeap {
  asm: { memory: WebAssembly.Memory };
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  /** Float view of the heap (replaced when the heap grows: read it after allocating). */
  HEAPF32: Float32Array;
  /** Byte view of the heap (its length is the heap's size). */
  HEAPU8: Uint8Array;
}

/** The wasm backend object, as far as this project uses it. */
export interface WasmBackend {
  wasm: WasmHeap;
  dataIdMap: {
    get(dataId: object): { memoryOffset: number };
    has(dataId: object): boolean;
  };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** The active backend's wasm internals, or undefined when the backend is not wasm. */
export function activeWasmBackend(): WasmBackend | undefined {
  const b = tf.backend() as unknown as Partial<WasmBackend>;
  return b.wasm && b.dataIdMap ? (b as WasmBackend) : undefined;
}

/** Byte offset on the heap of a tensor's data. */
export function heapOffset(backend: WasmBackend, t: { dataId: object }): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}

/** Bytes of the active wasm heap (0 off wasm). */
export function wasmHeapBytes(): number {
  return activeWasmBackend()?.wasm.HEAPU8.length ?? 0;
}

/** Copies a float32 tensor's values to `dst`: straight from the heap on wasm, else by dataSync. */
export function readFloatsInto(t: tf.Tensor, dst: Float32Array): void {
  const b = activeWasmBackend();
  if (b) {
    const start = heapOffset(b, t) / 4;
    dst.set(b.wasm.HEAPF32.subarray(start, start + t.size));
  } else {
    dst.set(t.dataSync() as Float32Array);
  }
}
