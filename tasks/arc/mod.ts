/**
 * The ARC task: registers `arc` with the task registry (build, verify, the
 * compact form that the trainer reads like the `.npy` layout, pass@k scoring
 * with the reference notebook's pass@2 (every test input of a task solved) as
 * the headline, and its example pictures).
 * @module
 */
import { registerTask, type Task } from "../task.ts";
import { runBuildCli } from "./build.ts";
import { isCompactDir, openCompactSplit } from "./compact.ts";
import { SEQ_LEN, VOCAB } from "./encode.ts";
import { arcExampleSvg } from "./example_svg.ts";
import { ARC_SCORE_FILES, arcHeadlineUnits, scoreArcOutputs } from "./score_outputs.ts";
import { copyArcSubset } from "./subset.ts";
import { verifyArc } from "./verify.ts";

/** The ARC task object. */
export const arcTask: Task = {
  name: "arc",
  description: "ARC-AGI-1/2 (+ConceptARC): 30x30 canvas, dihedral x colour augmentations",
  build: runBuildCli,
  verify: verifyArc,
  isCompact: isCompactDir,
  openCompact: openCompactSplit,
  recognises: (meta) => meta.seq_len === SEQ_LEN && meta.vocab_size === VOCAB,
  copySourceSubset: copyArcSubset,
  headlineMetric: "pass@2_all_tests",
  scoreOutputs: scoreArcOutputs,
  headlineUnits: arcHeadlineUnits,
  renderExample: arcExampleSvg,
  scoreFiles: ARC_SCORE_FILES,
};

registerTask(arcTask);
export { runBuildCli } from "./build.ts";
export { verifyArc } from "./verify.ts";
export { evaluateArc, scoreLines } from "./score_outputs.ts";
export { DEFAULT_KS } from "./score.ts";
