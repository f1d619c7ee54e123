/**
 * Saved evaluation outputs: per set, one safetensors file
 * `<dir>/<set>.safetensors` with the requested per-example tensors (pad rows
 * dropped, test-split order) and metadata naming the step and the dataset.
 * @module
 */
import type { HostTensor } from "../io/dtypes.ts";
import { readSafetensors, writeSafetensors } from "../io/safetensors.ts";
import type { PuzzleSplit } from "../tasks/dataset.ts";

/** Writes the outputs of one evaluation (each file atomically). */
export async function saveEvalOutputs(
  dir: string,
  outputs: Map<string, Map<string, HostTensor>>,
  split: PuzzleSplit,
  step: number,
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (const [set, tensors] of outputs) {
    await writeSafetensors(`${dir}/${set}.safetensors`, tensors, {
      step: String(step),
      set,
      seq_len: String(split.metadata.seq_len),
      vocab_size: String(split.metadata.vocab_size),
    });
  }
}

/** Reads one set's saved outputs back. */
export async function readEvalOutputs(dir: string, set: string): Promise<Map<string, HostTensor>> {
  return (await readSafetensors(`${dir}/${set}.safetensors`)).tensors;
}
