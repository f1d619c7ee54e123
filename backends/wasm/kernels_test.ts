/**
 * The fast wasm matmul must give the stock kernel's and the cpu backend's
 * results (up to float rounding) for every shape the model can produce.
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { useBackend } from "../select.ts";
import {
  clearWasmKernelCaches,
  fastWasmKernelsInstalled,
  installFastWasmKernels,
  packedWeightCount,
  restoreStockWasmKernels,
  wasmMatMulStats,
} from "./kernels.ts";

/** Deterministic values in [-1, 1) (an LCG; no Math.random). */
function values(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

type Case = { a: number[]; b: number[]; ta: boolean; tb: boolean; stockOk: boolean };

const size = (s: number[]) => s.reduce((p, x) => p * x, 1);

// stockOk: tfjs' own kernels (stock wasm and cpu) are correct for this shape;
// both mishandle some batch broadcasts (e.g. [2,1,5,7] x [1,3,7,4] fills half
// the output), so those are checked against a plain JS matmul only.
const CASES: Case[] = [
  { a: [5, 7], b: [7, 3], ta: false, tb: false, stockOk: true },
  { a: [5, 7], b: [3, 7], ta: false, tb: true, stockOk: true },
  { a: [7, 5], b: [7, 3], ta: true, tb: false, stockOk: true },
  { a: [7, 5], b: [3, 7], ta: true, tb: true, stockOk: true },
  { a: [4, 6, 9], b: [9, 5], ta: false, tb: false, stockOk: false },
  { a: [4, 6, 9], b: [4, 9, 5], ta: false, tb: false, stockOk: true },
  { a: [4, 9, 6], b: [4, 5, 9], ta: true, tb: true, stockOk: true },
  { a: [4, 6, 9], b: [4, 5, 9], ta: false, tb: true, stockOk: true },
  { a: [2, 3, 9, 6], b: [2, 3, 9, 5], ta: true, tb: false, stockOk: true },
  { a: [2, 1, 5, 7], b: [1, 3, 7, 4], ta: false, tb: false, stockOk: false },
  { a: [6, 7], b: [3, 7, 4], ta: false, tb: false, stockOk: false },
  { a: [3, 6, 7], b: [1, 4, 7], ta: false, tb: true, stockOk: false },
  { a: [1, 40, 33], b: [33, 17], ta: false, tb: false, stockOk: true },
  { a: [2, 50, 64], b: [2, 50, 64], ta: false, tb: true, stockOk: true },
];

function run(c: Case): Float32Array {
  return tf.tidy(() => {
    const a = tf.tensor(values(size(c.a), 1), c.a);
    const b = tf.tensor(values(size(c.b), 2), c.b);
    return tf.matMul(a, b, c.ta, c.tb).dataSync() as Float32Array;
  });
}

/** Plain float64 matmul with numpy-style batch broadcasting: the ground truth. */
function naiveMatMul(c: Case): Float32Array {
  const a = values(size(c.a), 1);
  const b = values(size(c.b), 2);
  const ra = c.a.length, rb = c.b.length;
  const m = c.ta ? c.a[ra - 1] : c.a[ra - 2];
  const k = c.ta ? c.a[ra - 2] : c.a[ra - 1];
  const n = c.tb ? c.b[rb - 2] : c.b[rb - 1];
  const ba = c.a.slice(0, -2), bb = c.b.slice(0, -2);
  const rank = Math.max(ba.length, bb.length);
  const pad = (s: number[]) => [...new Array(rank - s.length).fill(1), ...s];
  const pa = pad(ba), pb = pad(bb);
  const outBatch = pa.map((x, i) => Math.max(x, pb[i]));
  const out = new Float32Array(size(outBatch) * m * n);
  for (let i = 0; i < size(outBatch); i++) {
    let rem = i, ia = 0, ib = 0, strideA = 1, strideB = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const coord = rem % outBatch[d];
      rem = Math.floor(rem / outBatch[d]);
      if (pa[d] > 1) ia += coord * strideA;
      if (pb[d] > 1) ib += coord * strideB;
      strideA *= pa[d];
      strideB *= pb[d];
    }
    for (let r = 0; r < m; r++) {
      for (let col = 0; col < n; col++) {
        let sum = 0;
        for (let j = 0; j < k; j++) {
          const av = c.ta ? a[ia * m * k + j * m + r] : a[ia * m * k + r * k + j];
          const bv = c.tb ? b[ib * k * n + col * k + j] : b[ib * k * n + j * n + col];
          sum += av * bv;
        }
        out[i * m * n + r * n + col] = sum;
      }
    }
  }
  return out;
}

function maxAbsDiff(x: Float32Array, y: Float32Array): number {
  assert.equal(x.length, y.length);
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
  return d;
}

function label(c: Case): string {
  return `[${c.a}]${c.ta ? "^T" : ""} x [${c.b}]${c.tb ? "^T" : ""}`;
}

Deno.test({
  name: "fast wasm matmul equals a plain matmul, the cpu backend and the stock kernel",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await useBackend("cpu");
    const reference = CASES.map(run);
    await useBackend("wasm");
    assert.ok(fastWasmKernelsInstalled(), "useBackend('wasm') installs the fast kernel");
    const before = tf.memory().numTensors;
    const fast = CASES.map(run);
    restoreStockWasmKernels();
    const stock = CASES.map(run);
    installFastWasmKernels();
    assert.equal(tf.memory().numTensors, before);
    for (let i = 0; i < CASES.length; i++) {
      const c = CASES[i];
      // Sums of <= 64 products of values in [-1, 1): 1e-5 is a few float ulps.
      assert.ok(maxAbsDiff(fast[i], naiveMatMul(c)) < 1e-5, `${label(c)} vs plain matmul`);
      if (c.stockOk) assert.ok(maxAbsDiff(fast[i], reference[i]) < 1e-5, `${label(c)} vs cpu`);
      if (c.stockOk) assert.ok(maxAbsDiff(fast[i], stock[i]) < 1e-5, `${label(c)} vs stock`);
    }
  },
});

Deno.test({
  name: "fast wasm matmul gradients equal the cpu backend's",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    // Gradients of y = x W^T and of a batched attention-like product use every
    // transpose combination.
    const grads = () =>
      tf.tidy(() => {
        const x = tf.tensor(values(6 * 10, 3), [6, 10]);
        const w = tf.tensor(values(8 * 10, 4), [8, 10]);
        const q = tf.tensor(values(3 * 5 * 4, 5), [3, 5, 4]);
        const k = tf.tensor(values(3 * 5 * 4, 6), [3, 5, 4]);
        const f = (x: tf.Tensor, w: tf.Tensor, q: tf.Tensor, k: tf.Tensor) =>
          tf.add(
            tf.sum(tf.square(tf.matMul(x, w, false, true))),
            tf.sum(tf.square(tf.matMul(q, k, false, true))),
          );
        const g = tf.grads(f as (...xs: tf.Tensor[]) => tf.Tensor)([x, w, q, k]);
        return g.map((t) => t.dataSync() as Float32Array);
      });
    await useBackend("cpu");
    const reference = grads();
    await useBackend("wasm");
    const before = tf.memory().numTensors;
    const fast = grads();
    assert.equal(tf.memory().numTensors, before);
    for (let i = 0; i < fast.length; i++) {
      const scale = Math.max(...reference[i].map(Math.abs));
      assert.ok(maxAbsDiff(fast[i], reference[i]) <= 1e-5 * scale, `gradient ${i}`);
    }
  },
});

Deno.test({
  name: "fast wasm matmul allocates only its output and frees packed weights with them",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await useBackend("wasm");
    const backend = tf.backend() as unknown as { numDataIds(): number };
    clearWasmKernelCaches(); // copies left by earlier tests
    const a = tf.tensor(values(4 * 6 * 9, 7), [4, 9, 6]);
    const b = tf.tensor(values(4 * 5 * 9, 8), [4, 5, 9]);
    const ids = backend.numDataIds();
    const y = tf.matMul(a, b, true, true);
    assert.equal(backend.numDataIds(), ids + 1);
    assert.equal(packedWeightCount(), 0, "a batched operand is not cached");
    tf.dispose([a, b, y]);
    // x W^T with a 2-D W keeps one packed copy of W while W lives.
    const x = tf.tensor(values(6 * 9, 9), [6, 9]);
    const w = tf.tensor(values(5 * 9, 10), [5, 9]);
    const packs = wasmMatMulStats().weightPacks;
    const y1 = tf.matMul(x, w, false, true);
    const y2 = tf.matMul(x, w, false, true);
    assert.deepEqual(y1.dataSync(), y2.dataSync());
    assert.equal(packedWeightCount(), 1);
    assert.equal(wasmMatMulStats().weightPacks, packs + 1, "packed once, used twice");
    tf.dispose([w, y1, y2]);
    const zeros = tf.zeros([9, 3]);
    const z = tf.matMul(x, zeros, false, false); // sweeps the copy of the disposed W
    assert.equal(packedWeightCount(), 0);
    tf.dispose([x, z, zeros]);
    clearWasmKernelCaches();
  },
});

Deno.test({
  name: "fast wasm matmul: larger and ragged shapes, and rows give the same bits however batched",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await useBackend("wasm");
    // m, n off the 6 x 8 tile, k = 1, and k long enough for the row chunking.
    const cases: Case[] = [
      { a: [13, 1], b: [1, 19], ta: false, tb: false, stockOk: true },
      { a: [82, 64], b: [82, 64], ta: false, tb: true, stockOk: true },
      { a: [300, 7], b: [300, 21], ta: true, tb: false, stockOk: true },
      { a: [100, 3000], b: [11, 3000], ta: false, tb: true, stockOk: true },
      { a: [9, 4], b: [4, 2], ta: false, tb: false, stockOk: true },
    ];
    for (const c of cases) {
      const fast = run(c);
      const truth = naiveMatMul(c);
      const k = c.ta ? c.a[0] : c.a[1];
      // Float32 sums of k products of values in [-1, 1).
      const tol = 1e-6 * k;
      assert.ok(maxAbsDiff(fast, truth) < tol, `${label(c)} vs plain matmul`);
    }
    // Each output row is one dot product summed in order: a row's bits do not
    // depend on the rows around it (how a batch is split between workers).
    const x = values(50 * 70, 11);
    const w = tf.tensor(values(30 * 70, 12), [30, 70]);
    const whole = tf.matMul(tf.tensor(x, [50, 70]), w, false, true).dataSync();
    const part = tf.matMul(tf.tensor(x.subarray(23 * 70), [27, 70]), w, false, true).dataSync();
    assert.deepEqual(part, whole.subarray(23 * 30));
  },
});

Deno.test({
  name: "fast wasm slice, split, unstack and concat are bit-exact against the stock kernels",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await useBackend("wasm");
    const run = () =>
      tf.tidy(() => {
        const out: (Float32Array | Int32Array | Uint8Array)[] = [];
        const x4 = tf.tensor(values(2 * 5 * 6 * 4, 11), [2, 5, 6, 4]);
        const x5 = tf.reshape(x4, [2, 5, 3, 2, 4]);
        const xi = tf.tensor(Int32Array.from({ length: 60 }, (_, i) => i * 7 - 100), [3, 4, 5]);
        const xb = tf.greater(tf.tensor(values(24, 12), [4, 6]), 0);
        const keep = (ts: tf.Tensor[]) => ts.forEach((t) => out.push(t.dataSync() as Float32Array));
        keep([tf.slice(x4, [1, 2, 0, 1], [1, 2, 6, 2])]);
        keep([tf.slice(x4, [0, 1, 0, 0], [2, 3, 6, 4])]); // trailing dims whole: one run per row
        keep([tf.slice(x4, [0, 0, 0, 0], [2, 5, 6, 4])]);
        keep([tf.slice(x5, [0, 1, 1, 0, 2], [2, 2, 2, 2, 2])]);
        keep([tf.slice(xi, [1, 0, 2], [2, 4, 3])]);
        keep([tf.slice(xb, [1, 1], [2, 4])]);
        keep(tf.split(x4, 3, 2));
        keep(tf.split(x4, [1, 3], 3));
        keep(tf.split(xi, [2, 1], 0));
        keep(tf.unstack(x4, 1));
        keep(tf.unstack(xb, 0));
        keep([tf.slice(x4, [0, 0, 0, 0], [2, 0, 6, 4])]);
        const [h1, h2] = tf.split(x4, 2, 3);
        keep([tf.concat([tf.neg(h2), h1], 3)]); // RoPE's half swap
        keep([tf.concat([x4, x4, tf.slice(x4, [0, 0, 0, 0], [2, 5, 1, 4])], 2)]);
        keep([tf.concat([x4, x4], 0)]);
        keep([tf.concat([xi, tf.slice(xi, [0, 0, 0], [3, 4, 2])], 2)]);
        keep([tf.concat([xb, xb, xb], 1)]);
        keep([tf.concat([x4, tf.zeros([2, 5, 0, 4])], 2)]); // an empty input
        keep([tf.concat([tf.zeros([2, 0]), tf.zeros([2, 3])], 1)]);
        return out;
      });
    const fast = run();
    restoreStockWasmKernels();
    const stock = run();
    installFastWasmKernels();
    await useBackend("cpu");
    const cpu = run();
    await useBackend("wasm");
    assert.deepEqual(fast, stock);
    assert.deepEqual(fast, cpu);
  },
});
