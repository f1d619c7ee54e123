/**
 * File formats: safetensors, NumPy `.npy`, PyTorch `.pt` checkpoints (read
 * without executing their pickle; written as `torch.save` writes a dict of
 * tensors), saved evaluation outputs (ours, and the reference's
 * `step_N_all_preds.<rank>`), and atomic writes.
 * @module
 */
export * from "./dtypes.ts";
export * from "./atomic.ts";
export * from "./npy.ts";
export * from "./safetensors.ts";
export {
  CheckpointError,
  parseTorchCheckpoint,
  readTorchCheckpoint,
  type TorchCheckpoint,
} from "./torch.ts";
export { pathExists, readInputText } from "./read.ts";
export { COMPILE_PREFIX } from "./torch.ts";
export { type EvalOutputs, readEvalOutputs, writeEvalOutputs } from "./eval_outputs.ts";
export {
  argmaxLastAxis,
  assertNoOfficialStep,
  isOfficialPreds,
  OFFICIAL_PREDS_NAME,
  officialPredsFiles,
  readAnyEvalOutputs,
  readOfficialPreds,
  writeOfficialPreds,
} from "./official_preds.ts";
export { torchArchiveName, torchSaveBytes, writeTorchSave } from "./torch_write.ts";
export { digestDir } from "./digest.ts";
export {
  assertFinishedBuild,
  type BuildKind,
  checkOutputDir,
  OutputDirError,
  type OutputPlan,
  readBuildState,
  writeOutputDir,
} from "./output_dir.ts";
export {
  acquireRunLock,
  assertUnlocked,
  processAlive,
  RUN_LOCK_FILE,
  type RunLock,
  type RunLockInfo,
} from "./run_lock.ts";
