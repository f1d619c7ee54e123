/**
 * Model and optimizer settings, validated with zod. Field names follow the
 * reference code (`HierarchicalReasoningModel_ACTV1Config`, `pretrain.py`) so
 * that its `config.json` files load unchanged; defaults are the paper's.
 * @module
 */
import { z } from "zod";
import { issueLine } from "../util/mod.ts";

const int = (min: number) => z.number().int().min(min);

/** The model config: the reference's fields plus `arch` and `transformer_layers`. */
export const ModelConfigSchema = z.object({
  /** 'hrm' = the hierarchical model; 'transformer' = the paper's "Direct pred" baseline. */
  arch: z.enum(["hrm", "transformer"]).default("hrm"),
  batch_size: int(1),
  seq_len: int(1),
  puzzle_emb_ndim: int(0).default(512),
  num_puzzle_identifiers: int(1),
  vocab_size: int(2),
  H_cycles: int(1).default(2),
  L_cycles: int(1).default(2),
  H_layers: int(1).default(4),
  L_layers: int(1).default(4),
  /** Blocks of the transformer baseline's single module. */
  transformer_layers: int(1).default(8),
  hidden_size: int(1).default(512),
  expansion: z.number().positive().default(4),
  num_heads: int(1).default(8),
  pos_encodings: z.enum(["rope", "learned"]).default("rope"),
  rms_norm_eps: z.number().positive().default(1e-5),
  rope_theta: z.number().positive().default(10000),
  halt_max_steps: int(1).default(16),
  halt_exploration_prob: z.number().min(0).max(1).default(0.1),
  loss_type: z.enum(["stablemax_cross_entropy", "softmax_cross_entropy"]).default(
    "stablemax_cross_entropy",
  ),
}).superRefine((c, ctx) => {
  if (c.hidden_size % c.num_heads !== 0) {
    ctx.addIssue({
      code: "custom",
      path: ["hidden_size"],
      message: `hidden_size ${c.hidden_size} is not divisible by num_heads ${c.num_heads}`,
    });
  } else if (c.pos_encodings === "rope" && (c.hidden_size / c.num_heads) % 2 !== 0) {
    ctx.addIssue({
      code: "custom",
      path: ["num_heads"],
      message: `RoPE needs an even head size, got hidden_size/num_heads = ${
        c.hidden_size / c.num_heads
      }`,
    });
  }
  if (swigluInner(c) === 0) {
    ctx.addIssue({
      code: "custom",
      path: ["expansion"],
      message: `expansion ${c.expansion} gives a zero-width MLP ` +
        `(round(expansion * hidden_size * 2/3) = 0 for hidden_size ${c.hidden_size}); ` +
        `it must be more than 0.75 / hidden_size`,
    });
  }
});

/** Input type (defaults optional) and validated type of the model config. */
export type ModelConfigInput = z.input<typeof ModelConfigSchema>;
export type ModelConfig = z.output<typeof ModelConfigSchema>;

/** Optimizer and learning-rate settings (names as in the reference's pretrain.py). */
export const OptimConfigSchema = z.object({
  lr: z.number().nonnegative().default(1e-4),
  weight_decay: z.number().nonnegative().default(0.1),
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.95),
  puzzle_emb_lr: z.number().nonnegative().default(1e-2),
  puzzle_emb_weight_decay: z.number().nonnegative().default(0.1),
  lr_warmup_steps: int(0).default(2000),
  lr_min_ratio: z.number().min(0).max(1).default(1.0),
});
export type OptimConfigInput = z.input<typeof OptimConfigSchema>;
export type OptimConfig = z.output<typeof OptimConfigSchema>;

/** Formats zod issues as one line: `where: field: message; field: message`. */
export function formatIssues(where: string, error: z.ZodError): string {
  return issueLine(error, { where, all: true });
}

/** Validates a model config, throwing one clear line naming `where` and the bad fields. */
export function parseModelConfig(value: unknown, where = "model config"): ModelConfig {
  const r = ModelConfigSchema.safeParse(value);
  if (!r.success) throw new Error(formatIssues(where, r.error));
  return r.data;
}

/** Validates optimizer settings, throwing one clear line on bad values. */
export function parseOptimConfig(value: unknown, where = "optimizer config"): OptimConfig {
  const r = OptimConfigSchema.safeParse(value);
  if (!r.success) throw new Error(formatIssues(where, r.error));
  return r.data;
}

/** Number of positions the puzzle embedding prepends: ceil(puzzle_emb_ndim / hidden_size). */
export function puzzleEmbLen(c: ModelConfig): number {
  return Math.ceil(c.puzzle_emb_ndim / c.hidden_size);
}

/** Sequence length inside the model (puzzle positions + tokens). */
export function totalLen(c: ModelConfig): number {
  return c.seq_len + puzzleEmbLen(c);
}

/** SwiGLU inner size: round(expansion * hidden * 2/3) rounded up to a multiple of 256. */
export function swigluInner(c: Pick<ModelConfig, "expansion" | "hidden_size">): number {
  // Python's round() rounds halves to even; match it.
  const x = c.expansion * c.hidden_size * 2 / 3;
  const f = Math.floor(x);
  const r = x - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(x);
  return Math.ceil(r / 256) * 256;
}
