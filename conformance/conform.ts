/**
 * Conformance against tensors dumped from the official PyTorch code (format:
 * fixtures/hrm-reference/README.md; TRM: fixtures/trm-reference/README.md). The case's
 * config.json says which model (`model.arch`, else the official class in `source.arch`:
 * HRM, or TRM for `recursive_reasoning.trm@...`). A case folder holds config.json,
 * params.safetensors, batches.safetensors, eval.safetensors,
 * train.safetensors and optionally eval64.safetensors (the evaluation unroll
 * in float64); everything is read from there.
 *
 * Eval: a fresh carry on batch1, segments until every row halts; each segment
 * is compared. Train: two segments (batch1 from a fresh carry, then batch2
 * with the carry of step 1), each followed by backward of loss/B and both
 * optimizer updates at the config's learning rates (no warm-up), and the EMA
 * update when the config sets `ema` (the golden's `stepK.ema.*`). Every golden
 * tensor is compared by the same rule (compare.ts): a float tensor within
 * max(1e-3, 4 x its float32 noise floor) of scale, the floor known only for
 * tensors of eval.safetensors with an eval64 companion; integers exactly.
 * @module
 */
import { type HostTensor, readSafetensors } from "../io/mod.ts";
import {
  archOf,
  type BatchRows,
  createTrainer,
  disposeCarry,
  disposeState,
  disposeTrainer,
  evalStep,
  initialCarry,
  type Metrics,
  type ModelConfig,
  type ModelState,
  type OptimConfig,
  parseModelConfig,
  parseOptimConfig,
  type SegmentResult,
  stateDict,
  stateFromDict,
  trainStep,
} from "../model/mod.ts";
import {
  compare,
  type Comparison,
  FLOOR_FACTOR,
  type Ours,
  type Rule,
  TOLERANCE,
} from "./compare.ts";

export { compare, type Comparison, FLOOR_FACTOR, type Rule, TOLERANCE };

/** A group of comparisons reported on one line. */
export interface GroupRow {
  /** `eval|train stepK.<name>` (grad, after, metrics, current_data grouped). */
  group: string;
  /** Tensors in the group. */
  count: number;
  /** Largest scaled error of its tensors (Infinity when an exact one differs). */
  maxErr: number;
  /** Every tensor within its bound. */
  pass: boolean;
  /** The rules that decided its comparisons (`scale`, `floor`, `exact`), in that order. */
  rules: Rule[];
  /** `key: note` of the tensors with a note. */
  notes: string[];
}

/** The whole report of a case. */
export interface ConformReport {
  /** The case's name. */
  name: string;
  /** One per golden tensor, eval first. */
  comparisons: Comparison[];
  /** The one-line-per-group view of `comparisons`. */
  groups: GroupRow[];
  /** Largest scaled error over all tensors. */
  maxErr: number;
  /** Every tensor within its bound (and at least one compared). */
  pass: boolean;
}

/** A loaded case folder. */
export interface ConformCase {
  /** config.json's `name`, else the folder's name. */
  name: string;
  /** The folder. */
  dir: string;
  /** The model config (config.json, reference field names). */
  config: ModelConfig;
  /** The optimizer settings of the training trace (config.json). */
  optim: OptimConfig;
  /** params.safetensors: the state dict under the reference's key names. */
  params: Map<string, HostTensor>;
  /** batches.safetensors: `batchN.{inputs,labels,puzzle_identifiers}`. */
  batches: Map<string, HostTensor>;
  /** eval.safetensors: `stepK.*` of the evaluation unroll (float32 golden). */
  eval?: Map<string, HostTensor>;
  /** The float64 companion of `eval` (same keys), when the folder has eval64.safetensors. */
  eval64?: Map<string, HostTensor>;
  /** Segments of the evaluation unroll (eval.safetensors' metadata `steps`). */
  evalSteps?: number;
  /** train.safetensors: `stepK.*` of the training steps. */
  train?: Map<string, HostTensor>;
}

/**
 * Reads a case folder (eval/train files are optional: whichever exists is
 * checked; eval64.safetensors is read only beside eval.safetensors).
 */
export async function loadCase(dir: string): Promise<ConformCase> {
  const cfgPath = `${dir}/config.json`;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await Deno.readTextFile(cfgPath));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new Error(`${cfgPath}: file not found`);
    throw new Error(`${cfgPath}: not valid JSON (${(e as Error).message})`);
  }
  const body = { ...(raw.model ?? raw) as Record<string, unknown> };
  // Which model: the config's `arch`, else the official class the case was dumped from
  // (`source.arch`, e.g. recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1 -> trm).
  const source = (raw.source as { arch?: unknown } | undefined)?.arch;
  if (body.arch === undefined && typeof source === "string") body.arch = archOf(source);
  // The official TRM config carries fields no model here reads (forward_dtype) or that are
  // trainer settings (ema, lr, ...: read below); H_layers is 0 in TRM's configs (ignored).
  const exists = async (p: string) => {
    try {
      await Deno.stat(p);
      return true;
    } catch {
      return false;
    }
  };
  const c: ConformCase = {
    name: typeof raw.name === "string" ? raw.name : dir.split("/").filter(Boolean).pop()!,
    dir,
    config: parseModelConfig(body, cfgPath),
    optim: parseOptimConfig(
      Object.fromEntries(
        [
          "lr",
          "weight_decay",
          "beta1",
          "beta2",
          "puzzle_emb_lr",
          "puzzle_emb_weight_decay",
          "ema",
          "ema_rate",
        ].filter((k) => k in body).map((k) => [k, body[k]]),
      ),
      cfgPath,
    ),
    params: (await readSafetensors(`${dir}/params.safetensors`)).tensors,
    batches: (await readSafetensors(`${dir}/batches.safetensors`)).tensors,
  };
  if (await exists(`${dir}/eval.safetensors`)) {
    const st = await readSafetensors(`${dir}/eval.safetensors`);
    c.eval = st.tensors;
    c.evalSteps = st.metadata.steps ? Number(st.metadata.steps) : undefined;
    if (await exists(`${dir}/eval64.safetensors`)) {
      c.eval64 = (await readSafetensors(`${dir}/eval64.safetensors`)).tensors;
    }
  }
  if (await exists(`${dir}/train.safetensors`)) {
    c.train = (await readSafetensors(`${dir}/train.safetensors`)).tensors;
  }
  if (!c.eval && !c.train) {
    throw new Error(`${dir}: neither eval.safetensors nor train.safetensors`);
  }
  return c;
}

/** batchN.{inputs,labels,puzzle_identifiers} as a host batch. */
export function caseBatch(c: ConformCase, name: string): BatchRows {
  const get = (f: string) => {
    const t = c.batches.get(`${name}.${f}`);
    if (!t) throw new Error(`${c.dir}/batches.safetensors: missing '${name}.${f}'`);
    return Int32Array.from(t.data as ArrayLike<number>, Number);
  };
  return {
    inputs: get("inputs"),
    labels: get("labels"),
    puzzleIdentifiers: get("puzzle_identifiers"),
  };
}

/** Our tensors of one segment under the golden names (without the `stepK.` prefix). */
async function segmentTensors(r: SegmentResult): Promise<Map<string, Ours>> {
  const f = (data: ArrayLike<number>): Ours => ({ kind: "float", data });
  const i = (data: ArrayLike<number>): Ours => ({ kind: "int", data });
  const out = new Map<string, Ours>([
    ["logits", f(r.logits!)],
    ["preds", i(r.preds)],
    ["q_halt_logits", f(r.qHalt)],
    ["q_continue_logits", f(r.qContinue)],
    ["z_H", f(await r.carry.zH.data())],
    ["halted", i(r.carry.halted)],
    ["steps", i(r.carry.steps)],
    ["loss", f([r.loss])],
    ["current_data.inputs", i(r.carry.data.inputs)],
    ["current_data.labels", i(r.carry.data.labels)],
    ["current_data.puzzle_identifiers", i(r.carry.data.puzzleIdentifiers)],
  ]);
  if (r.carry.zL) out.set("z_L", f(await r.carry.zL.data()));
  if (r.targetQContinue) out.set("target_q_continue", f(r.targetQContinue));
  for (const [k, v] of Object.entries(r.metrics as Metrics)) {
    if (v !== undefined) out.set(`metrics.${k}`, f([v]));
  }
  return out;
}

/**
 * Compares the golden keys `prefix*` of `golden` against `ours` (keys without
 * the prefix); `golden64` holds float64 companions under the same keys.
 */
function compareStep(
  golden: Map<string, HostTensor>,
  prefix: string,
  ours: Map<string, Ours>,
  out: Comparison[],
  golden64?: Map<string, HostTensor>,
): void {
  for (const [k, ref] of golden) {
    if (!k.startsWith(prefix)) continue;
    out.push(compare(k, ref, ours.get(k.slice(prefix.length)), golden64?.get(k)));
  }
}

/** Runs the evaluation unroll and compares every `stepK.*` tensor of eval.safetensors. */
export async function conformEval(
  c: ConformCase,
  out: Comparison[],
  progress: (msg: string) => void = () => {},
): Promise<void> {
  const golden = c.eval!;
  const m = stateFromDict(c.config, c.params, `${c.dir}/params.safetensors`);
  try {
    const batch = caseBatch(c, "batch1");
    let carry = initialCarry(m, batch.puzzleIdentifiers.length);
    const steps = c.evalSteps ?? c.config.halt_max_steps;
    for (let k = 1; k <= steps; k++) {
      const r = await evalStep(m, carry, batch, { returnLogits: true });
      carry = r.carry;
      compareStep(golden, `step${k}.`, await segmentTensors(r), out, c.eval64);
      progress(`eval segment ${k}/${steps} done`);
    }
    disposeCarry(carry);
  } finally {
    disposeState(m);
  }
}

/** The golden name of the gradient of the puzzle-embedding rows a batch touched [B, ndim]. */
const PUZZLE_GRAD = "grad.model.inner.puzzle_emb.local_weights";

/** Runs the two training steps and compares every `stepK.*` tensor of train.safetensors. */
export async function conformTrain(
  c: ConformCase,
  out: Comparison[],
  progress: (msg: string) => void = () => {},
): Promise<void> {
  const golden = c.train!;
  const m: ModelState = stateFromDict(c.config, c.params, `${c.dir}/params.safetensors`);
  const t = createTrainer(m, c.optim, 0);
  try {
    let carry = initialCarry(m, caseBatch(c, "batch1").puzzleIdentifiers.length);
    for (let k = 1; golden.has(`step${k}.loss`); k++) {
      const prefix = `step${k}.`;
      const r = await trainStep(t, carry, caseBatch(c, `batch${k}`), {
        lr: c.optim.lr,
        puzzleEmbLr: c.optim.puzzle_emb_lr,
      }, { returnLogits: true, returnGrads: true });
      carry = r.carry;
      const ours = await segmentTensors(r);
      for (const [key, g] of r.hostGrads!) ours.set(`grad.${key}`, { kind: "float", data: g });
      for (const [key, v] of await stateDict(m)) {
        ours.set(`after.${key}`, { kind: "float", data: v.data as Float32Array });
      }
      for (const [key, v] of await t.optimizer.ema?.exportState() ?? []) {
        ours.set(key, { kind: "float", data: v.data as Float32Array });
      }
      if (r.puzzleIds) ours.set("puzzle_emb.local_ids", { kind: "int", data: r.puzzleIds });
      if (r.puzzleGrad) ours.set(PUZZLE_GRAD, { kind: "float", data: r.puzzleGrad });
      compareStep(golden, prefix, ours, out);
      progress(`train step ${k} done`);
    }
    disposeCarry(carry);
  } finally {
    disposeTrainer(t);
    disposeState(m);
  }
}

/** The group a golden key is reported under (e.g. `train step1 grad`). */
export function groupOf(key: string): string {
  const parts = key.split(".");
  const step = parts[0];
  const rest = parts.slice(1);
  if (
    rest[0] === "grad" || rest[0] === "after" || rest[0] === "ema" || rest[0] === "metrics" ||
    rest[0] === "current_data"
  ) {
    return `${step}.${rest[0]}`;
  }
  return `${step}.${rest.join(".")}`;
}

const RULES: Rule[] = ["scale", "floor", "exact"];

/** Groups comparisons for the one-line-per-group report. */
export function groupRows(label: string, cs: Comparison[]): GroupRow[] {
  const rows = new Map<string, GroupRow>();
  for (const cmp of cs) {
    const g = `${label} ${groupOf(cmp.key)}`;
    const row = rows.get(g) ??
      { group: g, count: 0, maxErr: 0, pass: true, rules: [], notes: [] };
    row.count++;
    row.maxErr = Math.max(row.maxErr, cmp.err);
    row.pass &&= cmp.pass;
    if (!row.rules.includes(cmp.rule)) {
      row.rules = RULES.filter((x) => x === cmp.rule || row.rules.includes(x));
    }
    if (cmp.note) row.notes.push(`${cmp.key}: ${cmp.note}`);
    rows.set(g, row);
  }
  return [...rows.values()];
}

/** Runs a whole case (eval and/or train, whichever the folder has). */
export async function runCase(
  c: ConformCase,
  parts: { eval?: boolean; train?: boolean; progress?: (msg: string) => void } = {},
): Promise<ConformReport> {
  const groups: GroupRow[] = [];
  const all: Comparison[] = [];
  if (c.eval && (parts.eval ?? true)) {
    const cs: Comparison[] = [];
    await conformEval(c, cs, parts.progress);
    groups.push(...groupRows("eval", cs));
    all.push(...cs);
  }
  if (c.train && (parts.train ?? true)) {
    const cs: Comparison[] = [];
    await conformTrain(c, cs, parts.progress);
    groups.push(...groupRows("train", cs));
    all.push(...cs);
  }
  const maxErr = all.reduce((m, x) => Math.max(m, x.err), 0);
  return {
    name: c.name,
    comparisons: all,
    groups,
    maxErr,
    pass: all.length > 0 && all.every((x) => x.pass),
  };
}
