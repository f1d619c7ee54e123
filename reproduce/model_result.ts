/**
 * One model run's `result.json`: what makes a run resumable (a model whose
 * result exists is finished and skipped), shared by `reproduce` and `sweep`.
 * @module
 */
import { join } from "node:path";
import { pathExists, writeJsonAtomic } from "../io/mod.ts";
import { readValidated } from "./paper.ts";
import { type ModelResult, ModelResultSchema } from "./report/schema.ts";

/** The file a finished model run leaves in its folder. */
export const RESULT_FILE = "result.json";

/**
 * True when `outDir` holds a finished model run: its result.json exists and is
 * valid (a damaged one fails in one line naming the file).
 */
export async function isFinished(outDir: string): Promise<boolean> {
  const path = join(outDir, RESULT_FILE);
  if (!(await pathExists(path))) return false;
  await readValidated(path, ModelResultSchema);
  return true;
}

/** Writes a model run's result.json atomically, validated first. */
export async function writeResult(outDir: string, result: ModelResult): Promise<void> {
  await writeJsonAtomic(join(outDir, RESULT_FILE), ModelResultSchema.parse(result));
}

/** The headline metric as log text: `exact_accuracy 12.50%`, or `... n/a` when missing. */
export function headlineText(result: ModelResult): string {
  const v = result.metrics[result.headlineMetric];
  return `${result.headlineMetric} ${v === undefined ? "n/a" : (v * 100).toFixed(2) + "%"}`;
}
