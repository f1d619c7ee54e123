/**
 * The trainer's configuration: the reference's `config/cfg_pretrain.yaml` +
 * `config/arch/hrm_v1.yaml` (same names, same defaults), TinyRecursiveModels' additions
 * (`arch=trm` selecting config/arch/trm.yaml, `arch.mlp_t`, `arch.puzzle_emb_len`,
 * `arch.no_ACT_continue`, `ema`, `ema_rate`, `data_paths=[...]`, `evaluators`), plus this project's own
 * keys (`backend`, `run_dir`, `max_steps`, `log_every`, `checkpoint_every`,
 * `resume`, `resume_override`), and the Hydra-style `key=value` override syntax the official
 * README's command lines use (`arch.L_cycles=8`, `lr=7e-5`, `+key=value`,
 * `eval_save_outputs=[inputs,logits]`).
 * @module
 */
import { z } from "zod";
import { issueLine } from "../util/mod.ts";
import { archOf } from "../model/mod.ts";

/** Loss head settings (`arch.loss.*`). */
export const LossConfigSchema = z.object({
  name: z.string().default("losses@ACTLossHead"),
  loss_type: z.enum(["stablemax_cross_entropy", "softmax_cross_entropy"]).default(
    "stablemax_cross_entropy",
  ),
}).strict();

/** Model settings (`arch.*`), as `config/arch/hrm_v1.yaml` and the model's pydantic config. */
export const ArchConfigSchema = z.object({
  name: z.string().default("hrm.hrm_act_v1@HierarchicalReasoningModel_ACTV1"),
  loss: LossConfigSchema.prefault({}),
  halt_exploration_prob: z.number().min(0).max(1).default(0.1),
  halt_max_steps: z.number().int().positive().default(16),
  H_cycles: z.number().int().positive().default(2),
  L_cycles: z.number().int().positive().default(2),
  /** HRM's H-level blocks; TRM ignores it (`arch=trm` sets 0, as config/arch/trm.yaml). */
  H_layers: z.number().int().nonnegative().default(4),
  L_layers: z.number().int().positive().default(4),
  /** Blocks of the "Direct pred" transformer baseline (used when arch.name names a transformer). */
  transformer_layers: z.number().int().positive().default(8),
  hidden_size: z.number().int().positive().default(512),
  num_heads: z.number().int().positive().default(8),
  expansion: z.number().positive().default(4),
  /** `${.hidden_size}` in the reference: null here means "same as hidden_size". */
  puzzle_emb_ndim: z.number().int().nonnegative().nullable().default(null),
  /** 'none' is TRM's (its `mlp_t` Sudoku variant). */
  pos_encodings: z.enum(["rope", "learned", "none"]).default("rope"),
  rms_norm_eps: z.number().positive().default(1e-5),
  rope_theta: z.number().positive().default(10000),
  /** TRM (config/arch/trm.yaml): mix positions with an MLP instead of attention; null = unset. */
  mlp_t: z.boolean().nullable().default(null),
  /** TRM: puzzle-embedding positions (null: 16; 0: ceil(puzzle_emb_ndim / hidden_size)). */
  puzzle_emb_len: z.number().int().nonnegative().nullable().default(null),
  /** TRM: halt on q_halt > 0 without a Q-continue loss (null: True, the only working value). */
  no_ACT_continue: z.boolean().nullable().default(null),
  /** The reference's forward dtype (bfloat16 on GPUs); this trainer computes in float32. */
  forward_dtype: z.enum(["bfloat16", "float32", "float16"]).nullable().default(null),
}).strict();

/**
 * Hydra's config group `arch=<name>` (config/arch/*.yaml): the arch block it starts from.
 * `hrm_v1` is HRM's (the defaults above), `trm` TinyRecursiveModels' config/arch/trm.yaml.
 */
export const ARCH_GROUPS: Record<string, Record<string, unknown>> = {
  hrm_v1: {},
  trm: {
    name: "recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1",
    H_cycles: 3,
    L_cycles: 6,
    H_layers: 0,
    L_layers: 2,
    mlp_t: false,
    puzzle_emb_len: 16,
    no_ACT_continue: true,
    forward_dtype: "bfloat16",
  },
};

/** Per-example evaluation outputs that can be saved (the reference's names, plus `preds`). */
export const OUTPUT_KEYS = [
  "inputs",
  "labels",
  "puzzle_identifiers",
  "preds",
  "logits",
  "q_halt_logits",
  "q_continue_logits",
] as const;

const ResumeSchema = z.union([z.boolean(), z.string().min(1)]);

/** The whole trainer config (reference keys first, then ours). */
export const TrainConfigSchema = z.object({
  arch: ArchConfigSchema.prefault({}),
  data_path: z.string().min(1, "data_path is required (a dataset folder)"),
  global_batch_size: z.number().int().positive().default(768),
  epochs: z.number().int().positive().default(100000),
  eval_interval: z.number().int().positive().nullable().default(10000),
  checkpoint_every_eval: z.boolean().default(true),
  lr: z.number().nonnegative().default(1e-4),
  lr_min_ratio: z.number().min(0).max(1).default(1.0),
  lr_warmup_steps: z.number().nonnegative().default(2000),
  beta1: z.number().min(0).max(1).default(0.9),
  beta2: z.number().min(0).max(1).default(0.95),
  weight_decay: z.number().nonnegative().default(0.1),
  puzzle_emb_weight_decay: z.number().nonnegative().default(0.1),
  puzzle_emb_lr: z.number().nonnegative().default(1e-2),
  project_name: z.string().nullable().default(null),
  run_name: z.string().nullable().default(null),
  checkpoint_path: z.string().nullable().default(null),
  seed: z.number().int().nonnegative().default(0),
  eval_save_outputs: z.array(z.enum(OUTPUT_KEYS)).default([]),
  /** TRM's cfg_pretrain.yaml: evaluate (and checkpoint) an EMA of the weights. */
  ema: z.boolean().default(false),
  ema_rate: z.number().min(0).max(1).default(0.999),
  /**
   * TRM's evaluator list (`evaluators="[]"` for Sudoku/Maze; ARC's default `arc@ARC`):
   * recorded only; ARC's two-try scoring is `deno task eval-arc` on the saved outputs.
   */
  evaluators: z.array(z.unknown()).nullable().default(null),
  /** TRM's pretrain.py keys, accepted as its saved `all_config.yaml` holds them; only the
   * values that change nothing here (the defaults) are accepted. */
  load_checkpoint: z.null({
    error: "load_checkpoint is not supported; give resume=<checkpoint> or evaluate with " +
      "deno task eval checkpoint=<file>",
  }).default(null),
  min_eval_interval: z.literal(0, {
    error: "only 0 (evaluate at every eval_interval) is supported",
  }).nullable().default(0),
  freeze_weights: z.literal(false, {
    error: "only False is supported (training the puzzle embeddings alone is not implemented)",
  }).default(false),
  // ---- this project's keys ----
  /** tfjs backend: auto picks WebGPU on a hardware adapter, else wasm. */
  backend: z.enum(["auto", "webgpu", "wasm", "cpu"]).default("auto"),
  /**
   * Deno Workers the batch's rows are split over (data-parallel, the same step
   * and checkpoints as one process); 0 = every core on wasm/cpu, 1 on webgpu.
   */
  workers: z.number().int().nonnegative().default(0),
  /** Where config.json, metrics.jsonl, checkpoints and outputs go (default: checkpoint_path or runs/<run_name>). */
  run_dir: z.string().min(1).nullable().default(null),
  /** Stop after this many optimizer steps (the LR schedule still uses the full total). */
  max_steps: z.number().int().positive().nullable().default(null),
  /** Write one metrics.jsonl line every N optimizer steps. */
  log_every: z.number().int().positive().default(1),
  /** Write a resumable checkpoint every N optimizer steps (0: only at evaluations). */
  checkpoint_every: z.number().int().nonnegative().default(1000),
  /** true: continue from the newest checkpoint in run_dir; a path: from that checkpoint file or run folder. */
  resume: ResumeSchema.default(false),
  /**
   * Resume even when keys that change the trajectory differ from the
   * checkpoint's config, or the dataset's fingerprint differs (the changes are
   * still listed).
   */
  resume_override: z.boolean().default(false),
}).strict();

export type ArchConfig = z.infer<typeof ArchConfigSchema>;
export type TrainConfig = z.infer<typeof TrainConfigSchema>;

/** Keys that only matter to this project's trainer (not in the reference config). */
export const OUR_KEYS = [
  "backend",
  "workers",
  "run_dir",
  "max_steps",
  "log_every",
  "checkpoint_every",
  "resume",
  "resume_override",
] as const;

/** The puzzle embedding width in effect (`${.hidden_size}` when unset). */
export function puzzleEmbNdim(arch: ArchConfig): number {
  return arch.puzzle_emb_ndim ?? arch.hidden_size;
}

// ---------------------------------------------------------------- overrides

/** A parsed override value (Hydra's grammar, restricted to what a config holds). */
export type OverrideValue = string | number | boolean | null | OverrideValue[];

/** Parses one value the way Hydra's override grammar does for the types a config uses. */
export function parseOverrideValue(text: string): OverrideValue {
  const s = text.trim();
  if (s.startsWith("[") && s.endsWith("]")) {
    const inner = s.slice(1, -1).trim();
    if (inner === "") return [];
    return splitTopLevel(inner).map(parseOverrideValue);
  }
  if (
    s.length >= 2 && ((s[0] === "'" && s.at(-1) === "'") || (s[0] === '"' && s.at(-1) === '"'))
  ) return s.slice(1, -1);
  const lower = s.toLowerCase();
  if (lower === "null" || lower === "~") return null;
  if (lower === "true") return true;
  if (lower === "false") return false;
  if (/^[+-]?(\d[\d_]*)$/.test(s)) return Number(s.replaceAll("_", ""));
  if (/^[+-]?((\d[\d_]*)?\.\d+|\d[\d_]*\.?)([eE][+-]?\d+)?$/.test(s)) {
    return Number(s.replaceAll("_", ""));
  }
  if (/^[+-]?(inf|nan)$/.test(lower)) return lower.endsWith("nan") ? NaN : Number(lower + "inity");
  return s;
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = "";
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "[") depth++;
    else if (c === "]") depth--;
    else if (c === "," && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

/** Dotted names of every leaf key of an object schema (`arch.loss.loss_type`, ...). */
export function schemaKeys(schema: z.ZodObject): string[] {
  const out: string[] = [];
  for (const [key, field] of Object.entries(schema.shape)) {
    const inner = unwrap(field as z.ZodType);
    if (inner instanceof z.ZodObject) {
      for (const sub of schemaKeys(inner)) out.push(`${key}.${sub}`);
    } else out.push(key);
  }
  return out;
}

function unwrap(t: z.ZodType): z.ZodType {
  let cur = t;
  for (let i = 0; i < 8; i++) {
    const def = (cur as unknown as { def: { innerType?: z.ZodType } }).def;
    if (!def?.innerType) break;
    cur = def.innerType;
  }
  return cur;
}

/** Splits `key=value` arguments (Hydra's `+key=`, `++key=` and `~key` accepted). */
export function parseOverrides(
  args: readonly string[],
  validKeys: readonly string[],
): { set: Map<string, OverrideValue>; unset: Set<string> } {
  const set = new Map<string, OverrideValue>();
  const unset = new Set<string>();
  for (const arg of args) {
    if (arg.startsWith("~")) {
      const key = arg.slice(1).split("=")[0];
      checkKey(key, validKeys);
      unset.add(key);
      set.delete(key);
      continue;
    }
    const eq = arg.indexOf("=");
    if (eq <= 0) {
      throw new Error(
        `argument '${arg}' is not key=value (e.g. data_path=data/sudoku epochs=20000)`,
      );
    }
    const key = arg.slice(0, eq).replace(/^\+{1,2}/, "");
    checkKey(key, validKeys);
    set.set(key, parseOverrideValue(arg.slice(eq + 1)));
    unset.delete(key);
  }
  return { set, unset };
}

function checkKey(key: string, validKeys: readonly string[]): void {
  if (validKeys.includes(key)) return;
  const near = validKeys.filter((k) =>
    k.toLowerCase().includes(key.toLowerCase().split(".").at(-1) ?? key)
  );
  const hint = near.length ? ` (did you mean ${near.slice(0, 3).join(", ")}?)` : "";
  throw new Error(`unknown key '${key}'${hint}; valid keys: ${validKeys.join(", ")}`);
}

/** Sets `value` at a dotted path inside a plain object, creating sub-objects. */
export function setDotted(obj: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split(".");
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    if (typeof cur[p] !== "object" || cur[p] === null) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts.at(-1)!] = value;
}

/** Removes a dotted path from a plain object (the schema default then applies). */
export function deleteDotted(obj: Record<string, unknown>, key: string): void {
  const parts = key.split(".");
  let cur: unknown = obj;
  for (const p of parts.slice(0, -1)) {
    cur = (cur as Record<string, unknown> | undefined)?.[p];
    if (typeof cur !== "object" || cur === null) return;
  }
  delete (cur as Record<string, unknown>)[parts.at(-1)!];
}

/** One line naming the first problem of a zod parse (`key 'lr': expected number, ...`). */
export function describeZodError(error: z.ZodError, validKeys: readonly string[]): string {
  const issue = error.issues[0];
  const key = issue.path.join(".");
  if (issue.code === "unrecognized_keys") {
    const prefix = key ? `${key}.` : "";
    const names = issue.keys.map((k) => `${prefix}${k}`).join(", ");
    return `unknown key ${names}; valid keys: ${validKeys.join(", ")}`;
  }
  return issueLine(error, { field: (p) => `key '${p}'` });
}

/** Parses raw config (e.g. from a checkpoint) with one-line errors. */
export function parseTrainConfig(raw: unknown): TrainConfig {
  const parsed = TrainConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(describeZodError(parsed.error, schemaKeys(TrainConfigSchema)));
  }
  return parsed.data;
}

/**
 * Builds the config from `key=value` arguments over `base` (defaults when
 * empty): unknown keys and bad values are one-line errors listing the valid ones.
 */
export function configFromArgs(
  args: readonly string[],
  base: Record<string, unknown> = {},
): TrainConfig {
  const keys = schemaKeys(TrainConfigSchema);
  const { group, rest } = officialAliases(args);
  const { set, unset } = parseOverrides(rest, keys);
  const raw = structuredClone(base);
  // A saved TinyRecursiveModels config (all_config.yaml) spells the data folder as a list.
  if ("data_paths" in raw || "data_paths_test" in raw) {
    const lists = [`data_paths=${JSON.stringify(raw.data_paths ?? [])}`];
    if (raw.data_paths_test !== undefined) {
      lists.push(`data_paths_test=${JSON.stringify(raw.data_paths_test ?? [])}`);
    }
    delete raw.data_paths;
    delete raw.data_paths_test;
    for (const a of officialAliases(lists).rest) {
      raw.data_path = parseOverrideValue(a.slice("data_path=".length));
    }
  }
  // A config group (arch=trm), or a TRM arch.name without one: start from that group's block.
  const named = set.get("arch.name");
  const chosen = group ??
    (typeof named === "string" && archOf(named) === "trm" && !base.arch ? "trm" : undefined);
  if (chosen !== undefined) raw.arch = structuredClone(ARCH_GROUPS[chosen]);
  for (const key of unset) deleteDotted(raw, key);
  for (const [key, value] of set) setDotted(raw, key, coerceForKey(key, value));
  return parseTrainConfig(raw);
}

/**
 * TinyRecursiveModels' README spellings turned into this config's: `arch=<group>` (Hydra's
 * config group, see {@link ARCH_GROUPS}), `data_paths=[dir]` (one folder: `data_path`),
 * `data_paths_test=[]` (only empty: the test split is the data folder's own).
 */
export function officialAliases(args: readonly string[]): { group?: string; rest: string[] } {
  let group: string | undefined;
  const rest: string[] = [];
  for (const arg of args) {
    const eq = arg.indexOf("=");
    const key = eq > 0 ? arg.slice(0, eq).replace(/^\+{1,2}/, "") : "";
    const value = eq > 0 ? parseOverrideValue(arg.slice(eq + 1)) : undefined;
    if (key === "arch") {
      if (typeof value !== "string" || !(value in ARCH_GROUPS)) {
        throw new Error(
          `key 'arch': expected a config group (${Object.keys(ARCH_GROUPS).join(", ")}), ` +
            `got '${arg.slice(eq + 1)}'`,
        );
      }
      group = value;
    } else if (key === "data_paths" || key === "data_paths_test") {
      const list = Array.isArray(value) ? value : value === null ? [] : [value];
      if (key === "data_paths_test") {
        if (list.length) {
          throw new Error(
            "key 'data_paths_test': separate test folders are not supported; the test split " +
              "is data_path's own test/ folder (give data_paths_test=[])",
          );
        }
      } else if (list.length !== 1) {
        throw new Error(
          `key 'data_paths': expected one dataset folder, got ${list.length} ` +
            `(training on several folders at once is not supported)`,
        );
      } else rest.push(`data_path=${String(list[0])}`);
    } else rest.push(arg);
  }
  return { group, rest };
}

/** Keys whose values are strings even when they look like numbers (names, paths). */
const STRING_KEYS = new Set([
  "data_path",
  "project_name",
  "run_name",
  "checkpoint_path",
  "run_dir",
  "arch.name",
  "arch.loss.name",
]);

function coerceForKey(key: string, value: OverrideValue): unknown {
  if (STRING_KEYS.has(key) && (typeof value === "number" || typeof value === "boolean")) {
    return String(value);
  }
  if (key === "eval_save_outputs" && typeof value === "string") return [value];
  if (key === "resume" && typeof value === "number") return String(value);
  return value;
}

/** The config with every default filled in, as printed and saved with a run. */
export function resolvedConfig(config: TrainConfig): TrainConfig & {
  arch: ArchConfig & { puzzle_emb_ndim: number };
} {
  return { ...config, arch: { ...config.arch, puzzle_emb_ndim: puzzleEmbNdim(config.arch) } };
}
