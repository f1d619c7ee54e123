/**
 * Our ARC evaluation outputs in the reference's file layout, so that its
 * notebook (`arc_eval.ipynb`) can score them: `step_<N>_all_preds.<rank>`
 * files (io/official_preds.ts) with the `labels` the notebook takes the truth
 * from. Our trainer saves no labels by default; they are then drawn from the
 * built folder: each row's test input is found as the scorer finds it, and
 * its true output is drawn in the row's augmented frame on the canvas, as the
 * reference's test split holds it (top-left, end markers).
 * @module
 */
import { type EvalOutputs, writeOfficialPreds } from "../../io/mod.ts";
import { parseAugmentName } from "./augment.ts";
import {
  cropCanvas,
  drawCanvas,
  gridKey,
  inverseTransformGrid,
  SEQ_LEN,
  transformGrid,
  VOCAB,
} from "./encode.ts";
import type { TruthTask } from "./score.ts";

/**
 * The label canvas of every row (zeros for padding rows): the true output of
 * the test input the row answers, augmented as the row's puzzle is. Throws,
 * naming the row, when a row cannot be matched (as the scorer does).
 */
export function labelsFromTruth(
  identifiers: string[],
  truth: TruthTask[],
  outputs: EvalOutputs,
): Uint8Array {
  if (outputs.seqLen !== SEQ_LEN) {
    throw new Error(`outputs have seq_len ${outputs.seqLen}, ARC needs ${SEQ_LEN}`);
  }
  const byName = new Map(truth.map((t) => [t.name, t]));
  const n = outputs.puzzleIdentifiers.length;
  const labels = new Uint8Array(n * SEQ_LEN);
  for (let i = 0; i < n; i++) {
    const id = outputs.puzzleIdentifiers[i];
    if (id === 0) continue;
    const name = identifiers[id];
    if (name === undefined) {
      throw new Error(`row ${i}: puzzle identifier ${id} is not in identifiers.json`);
    }
    const { stem, aug } = parseAugmentName(name);
    const task = byName.get(stem);
    if (!task) throw new Error(`row ${i}: '${name}' is not a task of the test split`);
    const key = gridKey(
      inverseTransformGrid(cropCanvas(outputs.inputs, i * SEQ_LEN), aug.d, aug.map),
    );
    const test = task.tests.find((p) => gridKey(p.input) === key);
    if (!test) {
      throw new Error(
        `row ${i}: the input of '${name}', with its augmentation undone, is none of ${stem}'s test inputs`,
      );
    }
    drawCanvas(transformGrid(test.output, aug.d, aug.map), 0, 0, labels, i * SEQ_LEN);
  }
  return labels;
}

/**
 * Writes `outputs` as the reference's `step_<step>_all_preds.<rank>` files in
 * `dir` (labels from the truth when the outputs have none); returns the paths.
 * The notebook then reads them with `CHECKPOINT_PATH = "<dir>/step_<step>"` and
 * `DATASET_PATH` = the built folder (its `identifiers.json`).
 */
export function writeArcOfficial(
  dir: string,
  step: number,
  identifiers: string[],
  truth: TruthTask[],
  outputs: EvalOutputs,
): Promise<string[]> {
  const labels = outputs.labels ?? labelsFromTruth(identifiers, truth, outputs);
  return writeOfficialPreds(dir, step, { ...outputs, labels }, { vocab: VOCAB });
}
