/**
 * The participation ratio (paper section 5, Figure 8) of a set of state vectors:
 * PR = (Σ λ)² / Σ λ² over the eigenvalues λ of their covariance matrix, the
 * effective number of dimensions the states spread over (1 when they lie on a
 * line, D when they fill D dimensions evenly).
 *
 * The covariance C (D x D, float64, the mean subtracted, divided by n - 1) is
 * symmetric, so Σ λ = trace(C) and Σ λ² = trace(C²) = Σ_ij C_ij²: PR is
 * computed from these two sums, exactly, without an eigen solver
 * (`participation_test.ts` checks it against eigenvalues found independently by
 * Jacobi rotations, on matrices with known spectra).
 * @module
 */

/** Rows of state vectors: `data` holds `n` rows of `dim` values, row-major. */
export interface StateMatrix {
  /** `n * dim` values. */
  data: Float32Array | Float64Array;
  /** Rows (state vectors). */
  n: number;
  /** Values per row (the hidden size). */
  dim: number;
}

/** The covariance matrix (float64, dim x dim, divided by n - 1) of the first `rows` rows. */
export function covariance(x: StateMatrix, rows = x.n): Float64Array {
  const { data, dim } = x;
  if (rows < 2) throw new Error(`covariance: needs at least 2 state vectors, got ${rows}`);
  if (rows > x.n) throw new Error(`covariance: asked for ${rows} rows of ${x.n}`);
  const mean = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < dim; j++) mean[j] += data[r * dim + j];
  }
  for (let j = 0; j < dim; j++) mean[j] /= rows;
  const c = new Float64Array(dim * dim);
  const v = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < dim; j++) v[j] = data[r * dim + j] - mean[j];
    for (let i = 0; i < dim; i++) {
      const vi = v[i];
      if (vi === 0) continue;
      const off = i * dim;
      // Upper triangle only; mirrored below.
      for (let j = i; j < dim; j++) c[off + j] += vi * v[j];
    }
  }
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const val = c[i * dim + j] / (rows - 1);
      c[i * dim + j] = val;
      c[j * dim + i] = val;
    }
  }
  return c;
}

/** PR of a symmetric matrix: trace² / Frobenius² (= (Σλ)² / Σλ²); 0 for the zero matrix. */
export function participationRatioOfCovariance(c: Float64Array, dim: number): number {
  let trace = 0;
  let frob = 0;
  for (let i = 0; i < dim; i++) trace += c[i * dim + i];
  for (let k = 0; k < c.length; k++) frob += c[k] * c[k];
  return frob === 0 ? 0 : (trace * trace) / frob;
}

/** PR of the covariance of the first `rows` state vectors (default all). */
export function participationRatio(x: StateMatrix, rows = x.n): number {
  return participationRatioOfCovariance(covariance(x, rows), x.dim);
}

/** PR from a list of eigenvalues (the definition, for checks and known spectra). */
export function participationRatioOfSpectrum(eigenvalues: ArrayLike<number>): number {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < eigenvalues.length; i++) {
    s += eigenvalues[i];
    s2 += eigenvalues[i] * eigenvalues[i];
  }
  return s2 === 0 ? 0 : (s * s) / s2;
}
