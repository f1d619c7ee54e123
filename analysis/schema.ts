/**
 * The `analysis.json` format `deno task analyze` writes beside a model's
 * results, validated when written and when the reports read it back.
 * @module
 */
import { z } from "zod";

/** File name of the analysis record in a model's folder. */
export const ANALYSIS_FILE = "analysis.json";

const Residuals = z.object({
  norm: z.string(),
  cycles: z.object({ H: z.number().int(), L: z.number().int() }),
  segments: z.number().int(),
  z_L: z.array(z.number()),
  z_H: z.array(z.number()),
  h_boundaries: z.array(z.number().int()),
  segment_boundaries: z.array(z.number().int()),
  blocks: z.array(z.number()),
});

const PrPair = z.object({ z_H: z.number(), z_L: z.number().nullable() });

/** The analysis record (see docs/analysis.md for every field's definition). */
export const AnalysisSchema = z.object({
  version: z.literal(1),
  model: z.object({
    arch: z.string(),
    hidden_size: z.number().int(),
    H_cycles: z.number().int(),
    L_cycles: z.number().int(),
    seq_len: z.number().int(),
  }),
  checkpoint: z.string(),
  data: z.string(),
  samples: z.number().int(),
  test_rows: z.number().int(),
  seed: z.number().int(),
  backend: z.string(),
  trained_halt_max_steps: z.number().int(),
  forward_residuals: Residuals,
  inference_scaling: z.array(z.object({
    segments: z.number().int(),
    exact_accuracy: z.number(),
    token_accuracy: z.number(),
    count: z.number().int(),
    /** The task's extra scores at this segment count (`Task.scoreOutputs`), as fractions. */
    scores: z.record(z.string(), z.number()).optional(),
  })),
  act_halting: z.object({
    max_steps: z.number().int(),
    histogram: z.array(z.object({ steps: z.number().int(), count: z.number().int() })),
    mean_steps: z.number(),
    exact_accuracy_at_halt: z.number(),
    exact_accuracy_at_max: z.number(),
    count: z.number().int(),
  }),
  participation_ratio: PrPair.extend({
    untrained: PrPair,
    untrained_seed: z.number().int(),
    n_states: z.number().int(),
    states: z.string(),
    by_samples: z.array(z.object({
      samples: z.number().int(),
      n_states: z.number().int(),
      z_H: z.number(),
      z_L: z.number().nullable(),
      untrained_z_H: z.number(),
      untrained_z_L: z.number().nullable(),
    })),
    saved_states: z.string().nullable(),
  }),
  intermediate: z.array(z.object({
    file: z.string(),
    test_row: z.number().int(),
    exact_by_segment: z.array(z.boolean()),
    changed_by_segment: z.array(z.number().int()),
  })),
  figures: z.object({ residuals: z.string(), scaling: z.string(), participation: z.string() }),
  seconds: z.number(),
});

/** One model's analysis record. */
export type Analysis = z.infer<typeof AnalysisSchema>;

/**
 * What a task report keeps of a model's analysis (`report.json` `analyses`): the numbers and
 * figure files, without timings, backend or local paths, so reports stay comparable.
 */
export const AnalysisSummarySchema = AnalysisSchema.omit({
  seconds: true,
  backend: true,
  checkpoint: true,
  data: true,
}).extend({
  /** The model id in the task (e.g. `hrm`). */
  model_id: z.string(),
  participation_ratio: AnalysisSchema.shape.participation_ratio.omit({ saved_states: true }),
});

/** One model's analysis as a task report keeps it. */
export type AnalysisSummary = z.infer<typeof AnalysisSummarySchema>;

/** The report's summary of a model's analysis. */
export function summariseAnalysis(modelId: string, a: Analysis): AnalysisSummary {
  const { seconds: _s, backend: _b, checkpoint: _c, data: _d, participation_ratio, ...rest } = a;
  const { saved_states: _x, ...pr } = participation_ratio;
  return { model_id: modelId, ...rest, participation_ratio: pr };
}
