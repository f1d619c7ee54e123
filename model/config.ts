/**
 * Model and optimizer settings, validated with zod. Field names follow the
 * reference code (`HierarchicalReasoningModel_ACTV1Config`, `pretrain.py`) so
 * that its `config.json` files load unchanged; defaults are the paper's.
 * @module
 */
import { z } from "zod";
import { issueLine } from "../util/mod.ts";

const int = (min: number) => z.number().int().min(min);

/** The model families: HRM, its "Direct pred" transformer baseline, and TRM. */
export const ARCHS = ["hrm", "transformer", "trm"] as const;
export type Arch = typeof ARCHS[number];

/** TRM's `puzzle_emb_len` when unset (the official `config/arch/trm.yaml` and pydantic default). */
export const TRM_PUZZLE_EMB_LEN = 16;

/**
 * The model family an official `arch.name` (or a short name) selects: `trm` for
 * `recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1` or `trm`, `transformer` for
 * a name with "transformer", else `hrm`.
 */
export function archOf(name: string): Arch {
  if (/transformer/i.test(name)) return "transformer";
  const module = name.split("@")[0];
  if (/(^|\.)trm$/.test(module)) return "trm";
  if (/trm|TinyRecursive/i.test(name)) {
    // TinyRecursiveModels' other recursions (trm_singlez, trm_hier6) are different models.
    throw new Error(
      `arch name '${name}': of TinyRecursiveModels' variants only ` +
        `recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1 (trm) is implemented`,
    );
  }
  return "hrm";
}

/**
 * The model config: the reference's fields plus `arch` and `transformer_layers`, and TRM's
 * fields (`mlp_t`, `puzzle_emb_len`, `no_ACT_continue`; official TRM names), which only
 * arch 'trm' takes.
 */
export const ModelConfigSchema = z.object({
  /**
   * 'hrm' = the hierarchical model; 'transformer' = the paper's "Direct pred" baseline;
   * 'trm' = the Tiny Recursive Model (one network, T = H_cycles, n = L_cycles).
   */
  arch: z.enum(ARCHS).default("hrm"),
  batch_size: int(1),
  seq_len: int(1),
  puzzle_emb_ndim: int(0).default(512),
  num_puzzle_identifiers: int(1),
  vocab_size: int(2),
  H_cycles: int(1).default(2),
  L_cycles: int(1).default(2),
  /** HRM's H-level blocks (TRM ignores it: its official configs set 0). */
  H_layers: int(0).default(4),
  L_layers: int(1).default(4),
  /** Blocks of the transformer baseline's single module. */
  transformer_layers: int(1).default(8),
  hidden_size: int(1).default(512),
  expansion: z.number().positive().default(4),
  num_heads: int(1).default(8),
  /** 'none' (no positional signal) is TRM's, for its `mlp_t` variant. */
  pos_encodings: z.enum(["rope", "learned", "none"]).default("rope"),
  rms_norm_eps: z.number().positive().default(1e-5),
  rope_theta: z.number().positive().default(10000),
  halt_max_steps: int(1).default(16),
  halt_exploration_prob: z.number().min(0).max(1).default(0.1),
  loss_type: z.enum(["stablemax_cross_entropy", "softmax_cross_entropy"]).default(
    "stablemax_cross_entropy",
  ),
  /** TRM: mix positions with a SwiGLU over the sequence axis instead of attention. */
  mlp_t: z.boolean().optional(),
  /** TRM: puzzle positions (unset: 16; 0: HRM's ceil(puzzle_emb_ndim / hidden_size)). */
  puzzle_emb_len: int(0).optional(),
  /** TRM: halt on q_halt > 0 with no Q-continue target (True; False crashes officially). */
  no_ACT_continue: z.boolean().optional(),
}).superRefine((c, ctx) => {
  const issue = (field: string, message: string) =>
    ctx.addIssue({ code: "custom", path: [field], message });
  if (c.arch !== "trm") {
    for (const f of ["mlp_t", "puzzle_emb_len", "no_ACT_continue"] as const) {
      if (c[f] !== undefined) issue(f, `${f} is a TRM field (arch 'trm'), not ${c.arch}'s`);
    }
    if (c.pos_encodings === "none") {
      issue("pos_encodings", `'none' is TRM's (arch 'trm'); ${c.arch} needs rope or learned`);
    }
    if (c.H_layers < 1) issue("H_layers", `${c.arch} needs H_layers >= 1`);
  } else {
    if (c.no_ACT_continue === false) {
      issue(
        "no_ACT_continue",
        "False is not supported: the official TRM code crashes on it (ValueError unpacking the " +
          "Q target); TRM trains with no_ACT_continue=True",
      );
    }
    const p = puzzleEmbLen(c);
    if (c.puzzle_emb_ndim === 0 && p > 0) {
      issue(
        "puzzle_emb_len",
        `puzzle_emb_len ${p} needs a puzzle embedding (puzzle_emb_ndim > 0); set ` +
          `puzzle_emb_len=0 without one (the official code fails with a shape error)`,
      );
    } else if (p * c.hidden_size < c.puzzle_emb_ndim) {
      issue(
        "puzzle_emb_len",
        `puzzle_emb_len ${p} x hidden_size ${c.hidden_size} holds fewer than puzzle_emb_ndim ` +
          `${c.puzzle_emb_ndim} values`,
      );
    }
    if (c.mlp_t && swigluInner({ expansion: c.expansion, hidden_size: totalLen(c) }) === 0) {
      issue("expansion", `expansion ${c.expansion} gives a zero-width mlp_t`);
    }
  }
  // TRM's mlp_t blocks have no attention (nor use RoPE): the head checks do not apply.
  const attention = !usesMlpT(c);
  if (attention && c.hidden_size % c.num_heads !== 0) {
    ctx.addIssue({
      code: "custom",
      path: ["hidden_size"],
      message: `hidden_size ${c.hidden_size} is not divisible by num_heads ${c.num_heads}`,
    });
  } else if (attention && c.pos_encodings === "rope" && (c.hidden_size / c.num_heads) % 2 !== 0) {
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
  /** Keep an exponential moving average of the weights for evaluation (TRM's `ema`). */
  ema: z.boolean().default(false),
  /** EMA decay mu: shadow = (1 - mu) * weights + mu * shadow after every update. */
  ema_rate: z.number().min(0).max(1).default(0.999),
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

/** The config fields that decide the number of puzzle positions. */
type PuzzleFields = Pick<
  ModelConfig,
  "arch" | "puzzle_emb_ndim" | "hidden_size" | "puzzle_emb_len"
>;

/**
 * Number of positions the puzzle embedding prepends: ceil(puzzle_emb_ndim / hidden_size)
 * (HRM); TRM's `puzzle_emb_len` when non-zero (16 when unset), else the same ceil rule.
 */
export function puzzleEmbLen(c: PuzzleFields): number {
  if (c.arch === "trm") {
    const p = c.puzzle_emb_len ?? TRM_PUZZLE_EMB_LEN;
    if (p !== 0) return p;
  }
  return Math.ceil(c.puzzle_emb_ndim / c.hidden_size);
}

/** Sequence length inside the model (puzzle positions + tokens). */
export function totalLen(c: PuzzleFields & Pick<ModelConfig, "seq_len">): number {
  return c.seq_len + puzzleEmbLen(c);
}

/** Whether a config mixes positions with TRM's `mlp_t` (else attention). */
export function usesMlpT(c: Pick<ModelConfig, "arch" | "mlp_t">): boolean {
  return c.arch === "trm" && c.mlp_t === true;
}

/** SwiGLU inner size: round(expansion * hidden * 2/3) rounded up to a multiple of 256. */
export function swigluInner(c: Pick<ModelConfig, "expansion" | "hidden_size">): number {
  // Python's round() rounds halves to even; match it.
  const x = c.expansion * c.hidden_size * 2 / 3;
  const f = Math.floor(x);
  const r = x - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(x);
  return Math.ceil(r / 256) * 256;
}
