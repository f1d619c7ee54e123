import assert from "node:assert/strict";
import { Rng } from "../util/mod.ts";
import {
  covariance,
  participationRatio,
  participationRatioOfCovariance,
  participationRatioOfSpectrum,
} from "./participation.ts";

function assertAlmostEquals(actual: number, expected: number, tol: number): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} != ${expected} (tolerance ${tol})`);
}

/** Eigenvalues of a symmetric matrix by cyclic Jacobi rotations (an independent computation). */
function jacobiEigenvalues(a: Float64Array, n: number): number[] {
  const m = Float64Array.from(a);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q] ** 2;
    if (off < 1e-24) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p];
          const akq = m[k * n + q];
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k];
          const aqk = m[q * n + k];
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => m[i * n + i]);
}

/** A random orthogonal matrix (Gram-Schmidt on Gaussian columns), row-major n x n. */
function randomRotation(n: number, rng: Rng): Float64Array {
  const q = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const v = Array.from({ length: n }, () => rng.normal());
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += v[i] * q[i * n + k];
      for (let i = 0; i < n; i++) v[i] -= dot * q[i * n + k];
    }
    const norm = Math.hypot(...v);
    for (let i = 0; i < n; i++) q[i * n + j] = v[i] / norm;
  }
  return q;
}

/**
 * States whose covariance has exactly the spectrum `lambda` in a random basis: ±sqrt((n-1)λ_k)
 * along axis k at rows 2k, 2k+1 of a centred design, rotated, plus a constant offset.
 */
function statesWithSpectrum(lambda: number[], dim: number, rng: Rng) {
  const rows = 2 * dim;
  const rot = randomRotation(dim, rng);
  const data = new Float64Array(rows * dim);
  const offset = Array.from({ length: dim }, () => rng.normal() * 3);
  for (let k = 0; k < dim; k++) {
    // Two rows ±a e_k contribute 2a² to C_kk: a² = (rows - 1) λ_k / 2.
    const a = Math.sqrt(((rows - 1) * (lambda[k] ?? 0)) / 2);
    for (const [r, sign] of [[2 * k, 1], [2 * k + 1, -1]]) {
      for (let i = 0; i < dim; i++) data[r * dim + i] = offset[i] + sign * a * rot[i * dim + k];
    }
  }
  return { data, n: rows, dim };
}

Deno.test("PR of known spectra matches the definition and Jacobi eigenvalues", () => {
  const rng = new Rng(7);
  const dim = 12;
  const spectra = [
    Array(dim).fill(1), // isotropic: PR = dim
    [5, ...Array(dim - 1).fill(0)], // one direction: PR = 1
    [4, 4, 4, ...Array(dim - 3).fill(0)], // three equal: PR = 3
    Array.from({ length: dim }, (_, i) => 2 ** -i), // geometric decay
  ];
  const expected = [dim, 1, 3, participationRatioOfSpectrum(spectra[3])];
  for (const [i, lambda] of spectra.entries()) {
    const x = statesWithSpectrum(lambda, dim, rng);
    const pr = participationRatio(x);
    assertAlmostEquals(pr, expected[i], 1e-9 * dim);
    const eig = jacobiEigenvalues(covariance(x), dim);
    const sorted = [...eig].sort((a, b) => b - a);
    const want = [...lambda].sort((a, b) => b - a);
    for (let k = 0; k < dim; k++) assertAlmostEquals(sorted[k], want[k], 1e-9);
    assertAlmostEquals(participationRatioOfSpectrum(eig), pr, 1e-9);
  }
});

Deno.test("PR of random Gaussian states agrees with Jacobi eigenvalues of the covariance", () => {
  const rng = new Rng(3);
  const dim = 9;
  const n = 40;
  const data = new Float32Array(n * dim).map(() => rng.normal() * (1 + rng.uniform()));
  const x = { data, n, dim };
  const c = covariance(x);
  const eig = jacobiEigenvalues(c, dim);
  assertAlmostEquals(
    participationRatioOfCovariance(c, dim),
    participationRatioOfSpectrum(eig),
    1e-9,
  );
  // The first rows only: the curve of PR against the number of samples.
  const c10 = covariance(x, 10);
  assertAlmostEquals(
    participationRatio(x, 10),
    participationRatioOfSpectrum(jacobiEigenvalues(c10, dim)),
    1e-9,
  );
});

Deno.test("PR edge cases: constant states give 0, fewer than 2 states are refused", () => {
  assert.equal(participationRatio({ data: new Float32Array(12).fill(2), n: 4, dim: 3 }), 0);
  assert.throws(
    () => participationRatio({ data: new Float32Array(3), n: 1, dim: 3 }),
    /at least 2/,
  );
});
