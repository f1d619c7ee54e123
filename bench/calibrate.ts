/**
 * How fast this machine is right now, in the units the model's step is made
 * of: GFLOP/s of this project's wasm GEMM (backends/wasm/simd_source.ts) on one core, on
 * a fixed product shaped like the paper model's (`[324, 512] x [512, 512]`,
 * operands packed once). Each bench round records it next to its timings, so
 * that a round measured while other tenants loaded the shared host can be
 * told apart from a quiet one (on the project machine: about 50-54 when
 * quiet, down to about 34 under contention).
 * @module
 */
import { simdKernels } from "../backends/mod.ts";

/** GEMM GFLOP/s on this core: the best of `repeats` timings of `seconds` each. */
export function gemmGflops(seconds = 0.2, repeats = 3): number {
  const [m, k, n] = [324, 512, 512];
  const floats = 2 * m * k + 2 * k * n + m * n + 48;
  const mem = new WebAssembly.Memory({ initial: Math.ceil((4 * floats) / 65536) });
  const kern = simdKernels(mem);
  const f = new Float32Array(mem.buffer);
  const a = 0, b = 4 * m * k, ap = b + 4 * k * n, bp = ap + 4 * m * k, c = bp + 4 * k * n;
  const tile = c + 4 * m * n;
  for (let i = 0; i < m * k + k * n; i++) f[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  kern.pack(a, 4 * k, 4, m, k, ap, 6);
  kern.pack(b, 4, 4 * n, n, k, bp, 8);
  let best = 0;
  for (let r = 0; r < repeats; r++) {
    let calls = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < seconds * 1000) {
      kern.gemm(ap, bp, c, m, n, k, 4 * n, 64, tile);
      calls++;
      t = performance.now();
    }
    best = Math.max(best, (2 * m * k * n * calls) / ((t - t0) / 1000) / 1e9);
  }
  return best;
}
