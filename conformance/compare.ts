/**
 * The comparison rule of conformance checks. Errors are scaled by the golden
 * tensor's size: err = max|ours - ref| / max|ref| (element-wise relative error
 * is meaningless for entries near zero).
 *
 * - A float tensor passes when err <= max(TOLERANCE, FLOOR_FACTOR * floor),
 *   where floor = max|ref64 - ref| / max|ref| is the float32 noise floor of
 *   the golden itself, known when the case has a float64 companion of the
 *   same unroll (`eval64.safetensors`). Without a companion, or while
 *   FLOOR_FACTOR * floor <= TOLERANCE, the bound is TOLERANCE (rule `scale`);
 *   otherwise the floor decides (rule `floor`).
 * - Integer and boolean tensors must match exactly (rule `exact`).
 * @module
 */
import type { HostTensor } from "../io/mod.ts";

/** Scaled-error tolerance of float tensors (the `scale` rule). */
export const TOLERANCE = 1e-3;

/**
 * How many noise floors a float tensor may be off (the `floor` rule). Correct
 * float32 runs of the official code (another BLAS kernel, another CPU vector
 * path) land up to ~2.5 floors from the float32 golden on an ill-conditioned
 * case (fixtures/hrm-reference/README.md, "Tolerances"); 4 leaves a margin.
 */
export const FLOOR_FACTOR = 4;

/** Which bound decided a comparison. */
export type Rule = "scale" | "floor" | "exact";

/** Our value for a golden key: floats, or exact integers. */
export type Ours = { kind: "float"; data: ArrayLike<number> } | {
  kind: "int";
  data: ArrayLike<number>;
};

/** One compared tensor. */
export interface Comparison {
  /** The golden key (e.g. `step4.z_H`). */
  key: string;
  /** Scaled error for floats; 0/Infinity for exact comparisons. */
  err: number;
  /** Whether it is within its bound. */
  pass: boolean;
  /** An exact (integer/boolean) comparison. */
  exact: boolean;
  /** The rule that set the bound. */
  rule: Rule;
  /** The largest scaled error allowed (0 for exact comparisons). */
  bound: number;
  /** The golden's scaled float32 noise floor, when a float64 companion exists. */
  floor?: number;
  /** Why it failed, when that is not just the error (missing, wrong size, bad companion). */
  note?: string;
}

/** True for the float dtypes (compared by scale). */
export function isFloat(t: HostTensor): boolean {
  return t.dtype === "f32" || t.dtype === "f64" || t.dtype === "bf16" || t.dtype === "f16";
}

/** max|a - b| / max|ref| (0 when both maxima are 0, Infinity on NaN or a zero ref). */
export function scaledError(
  ref: ArrayLike<number | bigint>,
  a: ArrayLike<number | bigint>,
): number {
  let maxRef = 0;
  let maxDiff = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = Number(ref[i]);
    const d = Math.abs(Number(a[i]) - r);
    maxRef = Math.max(maxRef, Math.abs(r));
    maxDiff = Math.max(maxDiff, Number.isNaN(d) ? Infinity : d);
  }
  return maxRef > 0 ? maxDiff / maxRef : maxDiff === 0 ? 0 : Infinity;
}

/**
 * The float32 noise floor of a golden tensor: max|ref64 - ref| / max|ref|.
 * Throws one line when the companion does not have the golden's size.
 */
export function noiseFloor(key: string, ref: HostTensor, ref64: HostTensor): number {
  if (ref64.data.length !== ref.data.length) {
    throw new Error(
      `${key}: float64 companion has ${ref64.data.length} values, expected ${ref.data.length}`,
    );
  }
  return scaledError(ref.data, ref64.data);
}

/**
 * Compares one golden tensor with ours; `ref64` is the golden's float64
 * companion (same unroll in float64), which enables the `floor` rule.
 */
export function compare(
  key: string,
  ref: HostTensor,
  ours: Ours | undefined,
  ref64?: HostTensor,
): Comparison {
  const float = isFloat(ref);
  const base = float
    ? { exact: false, rule: "scale" as const, bound: TOLERANCE }
    : { exact: true, rule: "exact" as const, bound: 0 };
  const fail = (note: string): Comparison => ({ key, err: Infinity, pass: false, ...base, note });
  if (!ours) return fail("not produced");
  const n = ref.data.length;
  if (ours.data.length !== n) return fail(`size ${ours.data.length}, expected ${n}`);
  if (!float) {
    let bad = 0;
    for (let i = 0; i < n; i++) if (Number(ref.data[i]) !== Number(ours.data[i])) bad++;
    return {
      key,
      err: bad ? Infinity : 0,
      pass: bad === 0,
      ...base,
      note: bad ? `${bad}/${n} differ` : undefined,
    };
  }
  const err = scaledError(ref.data, ours.data);
  if (!ref64) return { key, err, pass: err <= TOLERANCE, ...base };
  let floor: number;
  try {
    floor = noiseFloor(key, ref, ref64);
  } catch (e) {
    return { ...fail((e as Error).message), err };
  }
  if (!Number.isFinite(floor)) return { ...fail("float64 companion is not finite"), err, floor };
  const byFloor = FLOOR_FACTOR * floor;
  const rule = byFloor > TOLERANCE ? "floor" : "scale";
  const bound = Math.max(TOLERANCE, byFloor);
  return { key, err, pass: err <= bound, exact: false, rule, bound, floor };
}
