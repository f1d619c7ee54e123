/**
 * The comparison rule of conformance checks: a float tensor passes when
 * max|ours - ref| <= 1e-3 * max|ref|; integer and boolean tensors must match exactly.
 * @module
 */
import type { HostTensor } from "../io/dtypes.ts";

/** Scaled-error tolerance of float tensors. */
export const TOLERANCE = 1e-3;

/** Our value for a golden key: floats, or exact integers. */
export type Ours = { kind: "float"; data: ArrayLike<number> } | {
  kind: "int";
  data: ArrayLike<number>;
};

/** One compared tensor. */
export interface Comparison {
  key: string;
  /** Scaled error for floats; 0/Infinity for exact comparisons. */
  err: number;
  pass: boolean;
  exact: boolean;
  note?: string;
}

/** Compares one golden tensor with ours. */
export function compare(key: string, ref: HostTensor, ours: Ours | undefined): Comparison {
  if (!ours) return { key, err: Infinity, pass: false, exact: false, note: "not produced" };
  const n = ref.data.length;
  if (ours.data.length !== n) {
    return {
      key,
      err: Infinity,
      pass: false,
      exact: false,
      note: `size ${ours.data.length}, expected ${n}`,
    };
  }
  const isFloat = ref.dtype === "f32" || ref.dtype === "f64" || ref.dtype === "bf16" ||
    ref.dtype === "f16";
  if (!isFloat) {
    let bad = 0;
    for (let i = 0; i < n; i++) if (Number(ref.data[i]) !== Number(ours.data[i])) bad++;
    return {
      key,
      err: bad ? Infinity : 0,
      pass: bad === 0,
      exact: true,
      note: bad ? `${bad}/${n} differ` : undefined,
    };
  }
  let maxRef = 0;
  let maxDiff = 0;
  for (let i = 0; i < n; i++) {
    const r = Number(ref.data[i]);
    const d = Math.abs(Number(ours.data[i]) - r);
    maxRef = Math.max(maxRef, Math.abs(r));
    maxDiff = Math.max(maxDiff, Number.isNaN(d) ? Infinity : d);
  }
  const err = maxRef > 0 ? maxDiff / maxRef : maxDiff === 0 ? 0 : Infinity;
  return { key, err, pass: err <= TOLERANCE, exact: false };
}
