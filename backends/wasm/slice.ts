/**
 * Faster `Slice`, `SplitV`, `Unpack` and `Concat` kernels for the tfjs wasm backend.
 *
 * The stock wasm `Slice` (tfjs-backend-wasm 4.22) first copies its whole input
 * out of the wasm heap (`readSync`), then copies the slice back row by row
 * with one `TypedArray.set` per innermost row; `SplitV` and `Unpack` call it
 * once per output, so splitting a tensor in k parts copies it k times. Here
 * the slice is copied inside the heap, where trailing dimensions that are
 * taken whole are merged into one contiguous run and each strided family of
 * runs is one call of the SIMD module's `copy` (backends/wasm/simd.ts). The stock
 * `Concat` copies in the heap too, but with one JavaScript `set` per run (5,248
 * of 128 bytes for a RoPE half-swap at batch 4); here each input is one
 * strided copy. Bit-exact: values are moved, never computed.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { heapCopy } from "./simd.ts";
import { heapOffset, type WasmBackend } from "./internals.ts";

const BYTES: Partial<Record<tf.DataType, number>> = { float32: 4, int32: 4, bool: 1 };

/** Copies x[begin : begin + size] into a new tensor; undefined for dtypes it does not handle. */
export function sliceInHeap(
  backend: WasmBackend,
  x: tf.TensorInfo,
  begin: number[],
  size: number[],
): tf.TensorInfo | undefined {
  const bytes = BYTES[x.dtype];
  if (!bytes) return undefined;
  const out = backend.makeOutput(size, x.dtype);
  if (tf.util.sizeFromShape(size) === 0) return out;
  const rank = x.shape.length;
  const src = heapOffset(backend, x);
  let dst = heapOffset(backend, out);
  if (rank === 0) {
    heapCopy(backend.wasm, src, dst, bytes, 1, 0, 0);
    return out;
  }
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1] * x.shape[d + 1];
  // Innermost contiguous run: dims taken whole merge into the run of the dim above.
  let d = rank - 1;
  let run = size[d];
  while (d > 0 && size[d] === x.shape[d]) {
    d--;
    run = size[d] * strides[d];
  }
  const runBytes = run * bytes;
  if (d === 0) {
    heapCopy(backend.wasm, src + begin[0] * strides[0] * bytes, dst, runBytes, 1, 0, 0);
    return out;
  }
  // Odometer over the outer dims 0..d-2; dim d-1's runs are one strided copy.
  const inner = d - 1;
  const idx = new Array<number>(inner).fill(0);
  let base = begin[d] * strides[d];
  for (let i = 0; i < d; i++) base += begin[i] * strides[i];
  const family = size[inner] * runBytes;
  for (;;) {
    let offset = base;
    for (let i = 0; i < inner; i++) offset += idx[i] * strides[i];
    heapCopy(
      backend.wasm,
      src + offset * bytes,
      dst,
      runBytes,
      size[inner],
      strides[inner] * bytes,
      runBytes,
    );
    dst += family;
    let i = inner - 1;
    while (i >= 0 && ++idx[i] === size[i]) idx[i--] = 0;
    if (i < 0) break;
  }
  return out;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

/**
 * Concatenates `inputs` (same dtype and rank) along `axis` into a new tensor:
 * per input, one strided copy of its `outer` runs; undefined for dtypes it
 * does not handle.
 */
export function concatInHeap(
  backend: WasmBackend,
  inputs: tf.TensorInfo[],
  axis: number,
): tf.TensorInfo | undefined {
  const bytes = BYTES[inputs[0].dtype];
  if (!bytes) return undefined;
  const outShape = tf.backend_util.computeOutShape(inputs.map((t) => t.shape), axis);
  const out = backend.makeOutput(outShape, inputs[0].dtype);
  const outer = tf.util.sizeFromShape(outShape.slice(0, axis));
  const inner = inputs.map((t) => tf.util.sizeFromShape(t.shape.slice(axis)) * bytes);
  const rowBytes = inner.reduce((a, b) => a + b, 0);
  let dst = heapOffset(backend, out);
  inputs.forEach((t, i) => {
    const src = heapOffset(backend, t);
    heapCopy(backend.wasm, src, dst, inner[i], outer, inner[i], rowBytes);
    dst += inner[i];
  });
  return out;
}

/** Kernel functions, each falling back to `stock` for what it does not handle. */
export function sliceKernels(stock: {
  slice: tf.KernelFunc;
  splitV: tf.KernelFunc;
  unpack: tf.KernelFunc;
  concat: tf.KernelFunc;
}): {
  slice: tf.KernelFunc;
  splitV: tf.KernelFunc;
  unpack: tf.KernelFunc;
  concat: tf.KernelFunc;
} {
  const slice = (args: KernelArgs) => {
    const x = args.inputs.x as tf.TensorInfo;
    const [begin, size] = tf.slice_util.parseSliceParams(
      x as unknown as tf.Tensor,
      args.attrs!.begin as number[],
      args.attrs!.size as number[],
    );
    return sliceInHeap(args.backend as WasmBackend, x, begin, size) ??
      stock.slice(args as Parameters<tf.KernelFunc>[0]);
  };
  const splitV = (args: KernelArgs) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (!BYTES[x.dtype]) return stock.splitV(args as Parameters<tf.KernelFunc>[0]);
    const axis = tf.util.parseAxisParam(args.attrs!.axis as number, x.shape)[0];
    const sizes = tf.backend_util.prepareSplitSize(
      x as unknown as tf.Tensor,
      args.attrs!.numOrSizeSplits as number[] | number,
      axis,
    );
    const begin = new Array(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = [...x.shape];
      size[axis] = s;
      const part = sliceInHeap(args.backend as WasmBackend, x, begin, size)!;
      begin[axis] += s;
      return part;
    });
  };
  const unpack = (args: KernelArgs) => {
    const x = args.inputs.value as tf.TensorInfo;
    if (!BYTES[x.dtype]) return stock.unpack(args as Parameters<tf.KernelFunc>[0]);
    let axis = args.attrs!.axis as number;
    if (axis < 0) axis += x.shape.length;
    const outShape = x.shape.filter((_, i) => i !== axis);
    const begin = new Array(x.shape.length).fill(0);
    const size = [...x.shape];
    size[axis] = 1;
    const outs: tf.TensorInfo[] = [];
    for (let i = 0; i < x.shape[axis]; i++) {
      begin[axis] = i;
      const part = sliceInHeap(args.backend as WasmBackend, x, begin, size)!;
      outs.push({ dataId: part.dataId, dtype: part.dtype, shape: outShape });
    }
    return outs;
  };
  const concat = (args: KernelArgs) => {
    const all = args.inputs as unknown as tf.TensorInfo[];
    const axis = tf.util.parseAxisParam(args.attrs!.axis as number, all[0].shape)[0];
    tf.backend_util.assertParamsConsistent(all.map((t) => t.shape), axis);
    // Empty inputs contribute nothing; a single one is the stock kernel's identity.
    const inputs = all.filter((t) => tf.util.sizeFromShape(t.shape) > 0);
    const total = tf.util.sizeFromShape(
      tf.backend_util.computeOutShape(all.map((t) => t.shape), axis),
    );
    if (inputs.length < 2 || total === 0) return stock.concat(args as Parameters<tf.KernelFunc>[0]);
    return concatInHeap(args.backend as WasmBackend, inputs, axis) ??
      stock.concat(args as Parameters<tf.KernelFunc>[0]);
  };
  return {
    slice: slice as unknown as tf.KernelFunc,
    splitV: splitV as unknown as tf.KernelFunc,
    unpack: unpack as unknown as tf.KernelFunc,
    concat: concat as unknown as tf.KernelFunc,
  };
}
