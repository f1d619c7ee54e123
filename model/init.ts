/**
 * JAX-style truncated normal initialisation, as the reference's
 * `trunc_normal_init_` (models/common.py): samples on [lower, upper] standard
 * deviations by inverting the normal CDF, with the std corrected so that the
 * truncated distribution has exactly the requested std.
 * @module
 */
import type { Rng } from "../util/mod.ts";

/** erf with |error| < 1.2e-7 relative (Numerical Recipes erfc, Chebyshev fit). */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(
    -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
                  t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
                                  t * (-0.82215223 + t * 0.17087277)))))))),
  );
  return x >= 0 ? 1 - r : r - 1;
}

/** Inverse error function on (-1, 1): Giles' single-precision approximation plus two Newton steps. */
export function erfinv(y: number): number {
  if (y <= -1) return -Infinity;
  if (y >= 1) return Infinity;
  let w = -Math.log((1 - y) * (1 + y));
  let x: number;
  if (w < 5) {
    w -= 2.5;
    let p = 2.81022636e-08;
    p = 3.43273939e-07 + p * w;
    p = -3.5233877e-06 + p * w;
    p = -4.39150654e-06 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
    x = p * y;
  } else {
    w = Math.sqrt(w) - 3;
    let p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
    x = p * y;
  }
  // Newton refinement on erf(x) - y (erf'(x) = 2/sqrt(pi) exp(-x^2)).
  for (let i = 0; i < 2; i++) {
    const err = erf(x) - y;
    x -= err / (2 / Math.sqrt(Math.PI) * Math.exp(-x * x));
  }
  return x;
}

/** The corrected std the reference scales by, for truncation at [lower, upper]. */
export function truncNormalCompStd(std: number, lower = -2, upper = 2): number {
  const a = erf(lower / Math.SQRT2);
  const b = erf(upper / Math.SQRT2);
  const z = (b - a) / 2;
  const c = 1 / Math.sqrt(2 * Math.PI);
  const pdfU = c * Math.exp(-0.5 * lower * lower);
  const pdfL = c * Math.exp(-0.5 * upper * upper);
  return std / Math.sqrt(1 - (upper * pdfU - lower * pdfL) / z - ((pdfU - pdfL) / z) ** 2);
}

/**
 * Fills a new Float32Array of `n` values drawn from the truncated normal with
 * the requested std (0 gives zeros, as the reference).
 */
export function truncNormal(rng: Rng, n: number, std: number, lower = -2, upper = 2): Float32Array {
  const out = new Float32Array(n);
  if (std === 0) return out;
  const a = erf(lower / Math.SQRT2);
  const b = erf(upper / Math.SQRT2);
  const comp = truncNormalCompStd(std, lower, upper);
  for (let i = 0; i < n; i++) {
    const u = a + (b - a) * rng.uniform();
    const x = Math.SQRT2 * comp * erfinv(u);
    out[i] = Math.min(Math.max(x, lower * comp), upper * comp);
  }
  return out;
}
