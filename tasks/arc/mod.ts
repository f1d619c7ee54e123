/**
 * The ARC task: registers `arc` with the task registry (build, verify, and
 * the compact form that the trainer reads like the `.npy` layout).
 * @module
 */
import { registerTask } from "../task.ts";
import { runBuildCli } from "./build.ts";
import { isCompactDir, openCompactSplit } from "./compact.ts";
import { SEQ_LEN, VOCAB } from "./encode.ts";
import { verifyArc } from "./verify.ts";

registerTask({
  name: "arc",
  description: "ARC-AGI-1/2 (+ConceptARC): 30x30 canvas, dihedral x colour augmentations",
  build: runBuildCli,
  verify: verifyArc,
  isCompact: isCompactDir,
  openCompact: openCompactSplit,
  recognises: (meta) => meta.seq_len === SEQ_LEN && meta.vocab_size === VOCAB,
});
