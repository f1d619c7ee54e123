/**
 * Saved evaluation outputs (`eval_save_outputs=[...]` in training,
 * `save_outputs=[...]` in `deno task eval`), in the format the ARC scorer and
 * the reports read (io/eval_outputs.ts: `hrm-eval-outputs`, one
 * safetensors file per set with `puzzle_identifiers`, `inputs`, `preds`,
 * `q_halt_logits` and, when asked, `labels`), written to
 * `<dir>/<set>.safetensors`. Rows are the real test examples in split order
 * (pad rows dropped). The reference's large float outputs that format has no
 * slot for (`logits` [N, S, V], `q_continue_logits`) go beside it, to
 * `<dir>_extra/<set>.safetensors`.
 * @module
 */
import { type HostTensor, writeEvalOutputs, writeSafetensors } from "../io/mod.ts";
import type { PuzzleSplit } from "../tasks/mod.ts";
import { IGNORE_LABEL_ID } from "../model/mod.ts";
import { OUTPUT_KEYS } from "./config.ts";

/** What the scorer's format always holds (also `deno task eval`'s default). */
export const CORE_OUTPUTS = ["inputs", "puzzle_identifiers", "preds", "q_halt_logits"] as const;

/** The outputs the model must produce for a request (core fields always, when any). */
export function outputsToCollect(requested: readonly string[]): string[] {
  for (const k of requested) {
    if (!(OUTPUT_KEYS as readonly string[]).includes(k)) {
      throw new Error(`unknown output '${k}'; valid outputs: ${OUTPUT_KEYS.join(", ")}`);
    }
  }
  return requested.length ? [...new Set([...CORE_OUTPUTS, ...requested])] : [];
}

/** Writes the outputs of one evaluation (each file atomically). */
export async function saveEvalOutputs(
  dir: string,
  outputs: Map<string, Map<string, HostTensor>>,
  split: PuzzleSplit,
  metadata: Record<string, string>,
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const meta = split.metadata;
  for (const [set, t] of outputs) {
    const get = (k: string) => {
      const v = t.get(k);
      if (!v) throw new Error(`eval outputs: the model returned no '${k}'`);
      return v;
    };
    let labels: Int32Array | undefined;
    if (t.has("labels")) {
      // The format stores tokens as bytes: ignored labels go back to the dataset's id.
      const back = meta.ignore_label_id ?? meta.pad_id;
      labels = Int32Array.from(
        get("labels").data as Int32Array,
        (v) => v === IGNORE_LABEL_ID ? back : v,
      );
    }
    await writeEvalOutputs(`${dir}/${set}.safetensors`, {
      seqLen: meta.seq_len,
      puzzleIdentifiers: get("puzzle_identifiers").data as Int32Array,
      inputs: get("inputs").data as Int32Array,
      preds: get("preds").data as Int32Array,
      qHaltLogits: get("q_halt_logits").data as Float32Array,
      labels,
      metadata: { ...metadata, set },
    });
    const extra = new Map([...t].filter(([k]) => k === "logits" || k === "q_continue_logits"));
    if (extra.size) {
      await Deno.mkdir(`${dir}_extra`, { recursive: true });
      await writeSafetensors(`${dir}_extra/${set}.safetensors`, extra, { ...metadata, set });
    }
  }
}
