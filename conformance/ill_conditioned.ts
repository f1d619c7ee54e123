/**
 * A synthetic ill-conditioned conformance case, for the tests of the floor
 * rule: a copy of a case's evaluation files in which the last segment's float
 * tensors have a float32 noise floor of SHIFT/2 of scale, and the float32
 * golden is moved by SHIFT of scale, so a correct implementation lands
 * ~SHIFT from it (as other correct float32 runs of the official code do on
 * such a case: fixtures/hrm-reference/README.md, "Tolerances").
 * @module
 */
import { type HostTensor, readSafetensors, writeSafetensors } from "../io/mod.ts";

/** The last eval segment's tensors (of tiny-rope) that get the large noise floor. */
export const LATE_KEYS: readonly string[] = [
  "logits",
  "q_halt_logits",
  "q_continue_logits",
  "z_H",
  "z_L",
].map((k) => `step4.${k}`);

/** How far (scaled) the moved golden is from the original one; the floor is half of it. */
export const SHIFT = 2e-3;

/**
 * Writes the ill-conditioned copy of case folder `source` into `dir` (config,
 * params, batches, eval; eval64 unless `withEval64` is false): for each of
 * `keys`, golden' = golden + p with max|p| = SHIFT * max|golden| (alternating
 * signs) and eval64' = golden' - p/2. Every other tensor, and every other
 * eval64 entry, is the original.
 */
export async function writeIllConditioned(
  source: string,
  dir: string,
  opts: { withEval64?: boolean; keys?: readonly string[] } = {},
): Promise<void> {
  for (const f of ["config.json", "params.safetensors", "batches.safetensors"]) {
    await Deno.copyFile(`${source}/${f}`, `${dir}/${f}`);
  }
  const ev = await readSafetensors(`${source}/eval.safetensors`);
  const ev64 = (await readSafetensors(`${source}/eval64.safetensors`)).tensors;
  for (const key of opts.keys ?? LATE_KEYS) {
    const ref = ev.tensors.get(key);
    if (!ref || ref.dtype !== "f32") throw new Error(`${source}: no F32 eval tensor '${key}'`);
    const g = ref.data as Float32Array;
    const amp = SHIFT * g.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    const p = (i: number) => (i % 2 ? amp : -amp);
    const moved: HostTensor = { ...ref, data: Float32Array.from(g, (x, i) => x + p(i)) };
    ev.tensors.set(key, moved);
    ev64.set(key, {
      dtype: "f64",
      shape: moved.shape,
      data: Float64Array.from(moved.data as Float32Array, (x, i) => x - p(i) / 2),
    });
  }
  await writeSafetensors(`${dir}/eval.safetensors`, ev.tensors, ev.metadata);
  if (opts.withEval64 ?? true) await writeSafetensors(`${dir}/eval64.safetensors`, ev64);
}
