/**
 * A faster WebGPU product for the layers' form `x·Wᵀ`. tfjs-webgpu 4.22 runs
 * `matMul(x, w, false, true)` (every linear layer's forward, and the input
 * gradient of every `x·W`) on a kernel that reads B with a stride, while
 * `x·W` with B laid out row-major takes its vec4 path: on the software adapter
 * the probe measured 0.3 vs 0.9-1.3 GFLOP/s for the same qkv product, and the
 * GPU notes expect the same gap on a GPU. For `a·bᵀ` with at least 8 rows in
 * a (the copy of b costs one pass over b, the product a·rows times more),
 * this kernel transposes b with tfjs' own Transpose kernel and runs the stock
 * product on the row-major copy: the layers' weights (kept as the reference
 * stores them, transposed on each use, a few MB each) and attention's keys.
 * Every other call goes to the stock kernel unchanged. The results are the stock kernel's up to float rounding
 * (backends/webgpu_kernels_test.ts, on the software adapter).
 * `HRM_WEBGPU_STOCK_KERNELS=1` keeps the stock kernel.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

interface Info {
  dataId: object;
  shape: number[];
  dtype: string;
}
interface Attrs {
  transposeA: boolean;
  transposeB: boolean;
}
interface Backend {
  disposeData(dataId: object): void;
}

let stock: tf.KernelConfig | undefined;
let transposeB2Rows = 0;

/** How many products went through the explicit transpose since install (for tests and benches). */
export function webgpuTransposeCount(): number {
  return transposeB2Rows;
}

/** Rows of a from which `a·bᵀ` transposes b first. */
const MIN_ROWS = 8;

/** True when `a·bᵀ` should transpose b first (see the module header). */
export function transposeFirst(a: number[], b: number[], attrs: Attrs): boolean {
  return attrs.transposeB && !attrs.transposeA && b.length >= 2 && a.length >= 2 &&
    a[a.length - 2] >= MIN_ROWS;
}

/** Installs the kernel (once); undone by {@link restoreStockWebgpuKernels}. */
export function installWebgpuKernels(): void {
  if (stock) return;
  const config = tf.getKernel("BatchMatMul", "webgpu");
  const transpose = tf.getKernel("Transpose", "webgpu");
  if (!config || !transpose) throw new Error("webgpu BatchMatMul/Transpose kernels not registered");
  stock = config;
  const stockFunc = config.kernelFunc;
  const kernelFunc: tf.KernelFunc = (args) => {
    const { a, b } = args.inputs as unknown as { a: Info; b: Info };
    const attrs = args.attrs as unknown as Attrs;
    if (!transposeFirst(a.shape, b.shape, attrs)) return stockFunc(args);
    const perm = b.shape.map((_, i) => i);
    [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
    const bt = transpose.kernelFunc({
      inputs: { x: b } as unknown as tf.NamedTensorInfoMap,
      backend: args.backend,
      attrs: { perm },
    }) as unknown as Info;
    const out = stockFunc({
      inputs: { a, b: bt } as unknown as tf.NamedTensorInfoMap,
      backend: args.backend,
      attrs: { ...args.attrs, transposeB: false },
    });
    (args.backend as unknown as Backend).disposeData(bt.dataId);
    transposeB2Rows++;
    return out;
  };
  tf.unregisterKernel("BatchMatMul", "webgpu");
  tf.registerKernel({ ...config, kernelFunc });
}

/** Puts the stock WebGPU product back. */
export function restoreStockWebgpuKernels(): void {
  if (!stock) return;
  tf.unregisterKernel("BatchMatMul", "webgpu");
  tf.registerKernel(stock);
  stock = undefined;
}

/** True when the environment asks for the stock kernels (`HRM_WEBGPU_STOCK_KERNELS=1`). */
export function stockWebgpuKernelsRequested(): boolean {
  try {
    return Deno.env.get("HRM_WEBGPU_STOCK_KERNELS") === "1";
  } catch {
    return false;
  }
}
