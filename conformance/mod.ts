/**
 * # Conformance with the official code's golden dumps
 *
 * `deno task conform` (cli/conform.ts) loads a case folder (format:
 * fixtures/hrm-reference/README.md), runs the evaluation unroll and the
 * training steps, and compares every golden tensor by one rule: a float
 * tensor within max(TOLERANCE, FLOOR_FACTOR x its float32 noise floor) of
 * scale (the floor from the case's eval64.safetensors where it has one),
 * integers and booleans exactly. Each comparison says which rule decided.
 *
 * ```ts
 * import { compare, FLOOR_FACTOR } from "./mod.ts";
 * const ref = { dtype: "f32" as const, shape: [2], data: Float32Array.from([10, -5]) };
 * const ref64 = { dtype: "f64" as const, shape: [2], data: Float64Array.from([10.01, -5]) };
 * const c = compare("x", ref, { kind: "float", data: [10.02, -5] }, ref64);
 * if (!c.pass || c.rule !== "floor" || FLOOR_FACTOR !== 4) throw new Error("floor rule");
 * ```
 * @module
 */
export {
  compare,
  type Comparison,
  FLOOR_FACTOR,
  isFloat,
  noiseFloor,
  type Ours,
  type Rule,
  scaledError,
  TOLERANCE,
} from "./compare.ts";
export {
  caseBatch,
  type ConformCase,
  conformEval,
  type ConformReport,
  conformTrain,
  groupOf,
  type GroupRow,
  groupRows,
  loadCase,
  runCase,
} from "./conform.ts";
