/**
 * # The paper's analyses of a trained model (figures 3, 5c, 7, 8)
 *
 * Forward residuals of z_H / z_L (and the Transformer baseline's blocks),
 * inference-time scaling and the Q head's halting step, the prediction after
 * every segment, and the participation ratio of the final states against an
 * untrained control. `analyzeModel` runs them all on one checkpoint and writes
 * `analysis.json` (schema.ts) with its figures; `deno task analyze` and the
 * reproduce pipeline call it. Recording uses the model's read-only state
 * observer, so every number is the evaluation's. docs/analysis.md defines each.
 * @module
 */
export { analyzeModel, type AnalyzeRequest, sampleLadder } from "./run.ts";
export {
  type Analysis,
  ANALYSIS_FILE,
  AnalysisSchema,
  type AnalysisSummary,
  AnalysisSummarySchema,
  summariseAnalysis,
} from "./schema.ts";
export {
  participationRatio,
  participationRatioOfSpectrum,
  type StateMatrix,
} from "./participation.ts";
export type { TaskExample } from "../tasks/mod.ts";
export { predictionStrip, type PredictionTrace, STRIP_LEGEND } from "./intermediate.ts";
export { RESIDUAL_NORM } from "./residuals.ts";
