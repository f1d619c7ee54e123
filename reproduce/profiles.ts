/**
 * The three `deno task reproduce` profiles:
 * - `paper`: the official configurations, exactly (a test checks them
 *   against `fixtures/paper/configs.json`);
 * - `cpu`: a scaled-down replication for 2 CPU cores within about 2 hours (HRM and the
 *   baseline alone: about 25 minutes; TRM's updates cost 3 times HRM's);
 * - `smoke`: the whole pipeline on tiny data in under 3 minutes (CI).
 * @module
 */
import {
  type FlatConfig,
  type PaperFixtures,
  paperRun,
  parseConfigValue,
  resolveOverrides,
  trmRun,
} from "./paper.ts";
import type { Contrast, ModelSpec } from "./report/schema.ts";
import {
  MODEL_VARIANTS,
  type Profile,
  type ProfileName,
  type ProfileOptions,
  type TaskPlan,
} from "./plan.ts";
import { paperProfile } from "./profile_paper.ts";
import { configDifferences, cpuProfile, smokeProfile } from "./profile_small.ts";

export { PROFILES } from "./plan.ts";
export type { Profile, ProfileName, ProfileOptions, TaskPlan } from "./plan.ts";

/**
 * Looks a profile up by name. For the scaled-down profiles, every trainer
 * setting that differs from the paper's run is appended to the plan's
 * differences, after the hand-written data differences (TRM's, prefixed
 * `TRM: `, against TRM's README run). In every profile, each model gets its
 * budget in words and the plan the settings in which TRM differs from HRM.
 */
export function getProfile(
  name: ProfileName,
  paper: PaperFixtures,
  opts: ProfileOptions = {},
): Profile {
  const profile = name === "paper"
    ? paperProfile(paper, opts)
    : name === "cpu"
    ? cpuProfile(opts)
    : smokeProfile();
  for (const plan of profile.tasks) {
    if (name !== "paper") {
      const config = paperRun(paper, plan.paperRun).config;
      plan.differences = [...plan.differences, ...configDifferences(config, plan.train)];
      const trm = plan.models.find((m) => m.id === "trm");
      if (trm && plan.trmRun) {
        plan.differences.push(
          ...configDifferences(trmRun(paper, plan.trmRun).config, trm.overrides).map((d) => ({
            ...d,
            setting: `TRM: ${d.setting}`,
          })),
        );
      }
      if (opts.dataRoot) relocateData(plan, opts.dataRoot);
    }
    if (opts.actBaseline) plan.models.push(actBaseline(plan, paper));
    for (const m of plan.models) m.budget = budgetText(modelConfig(paper, m));
    plan.contrasts = contrastsWithHrm(plan, paper);
  }
  return profile;
}

/** Whether a model spec is TRM (its `arch.name` names it). */
const isTrm = (m: ModelSpec) => m.overrides.some((o) => /^arch\.name=.*trm/i.test(o));

/**
 * A model's flat configuration: its paper's defaults (TRM's for TRM, HRM's
 * otherwise) with its overrides applied; keys the defaults lack are kept.
 */
export function modelConfig(paper: PaperFixtures, m: ModelSpec): FlatConfig {
  const out: FlatConfig = { ...(isTrm(m) ? paper.trm.configs.defaults : paper.configs.defaults) };
  for (const o of m.overrides) {
    const eq = o.indexOf("=");
    out[o.slice(0, eq)] = parseConfigValue(o.slice(eq + 1));
  }
  return out;
}

/**
 * The training budget of a model in words: epochs and batch, the layer
 * applications per ACT segment (and how many of them are back-propagated),
 * the segment limit and EMA.
 */
export function budgetText(c: FlatConfig): string {
  const n = (k: string, d = 0) => typeof c[k] === "number" ? c[k] as number : d;
  const name = String(c["arch.name"]);
  const [H, L, Hl, Ll] = [
    n("arch.H_cycles"),
    n("arch.L_cycles"),
    n("arch.H_layers"),
    n("arch.L_layers"),
  ];
  const [depth, grad] = /trm/i.test(name)
    ? [H * (L + 1) * Ll, (L + 1) * Ll]
    : /transformer/i.test(name)
    ? [n("arch.transformer_layers", 8), n("arch.transformer_layers", 8)]
    : [H * (L * Ll + Hl), Ll + Hl];
  const ema = c.ema === true ? `; EMA ${c.ema_rate}` : "";
  // HRM's official training adds a forward pass per update for the Q-continue target.
  const nfp = !/trm|transformer/i.test(name) && n("arch.halt_max_steps") > 1
    ? "; 2 forward passes per update (Q-continue target)"
    : "";
  const seg = c["arch.halt_max_steps"];
  return `${c.epochs} epochs of batch ${c.global_batch_size}; ${depth} layer applications ` +
    `per segment (${grad} back-propagated), at most ${seg} segment${
      seg === 1 ? "" : "s"
    }${nfp}${ema}`;
}

/**
 * The settings in which each non-HRM recursive model (TRM) differs from HRM
 * in this plan, both resolved over their own paper's defaults (`data_path` aside).
 */
export function contrastsWithHrm(plan: TaskPlan, paper: PaperFixtures): Contrast[] {
  const hrm = plan.models.find((m) => m.id === "hrm");
  if (!hrm) return [];
  const a = modelConfig(paper, hrm);
  const out: Contrast[] = [];
  for (const m of plan.models.filter(isTrm)) {
    const b = modelConfig(paper, m);
    for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
      if (key === "data_path" || a[key] === b[key]) continue;
      const show = (v: FlatConfig[string] | undefined) => v === undefined ? "(not set)" : String(v);
      out.push({ model: m.id, setting: key, hrm: show(a[key]), value: show(b[key]) });
    }
  }
  return out;
}

/**
 * The Transformer with HRM's outer ACT loop (ARC Prize's ablation): the
 * Direct-pred model given as many ACT segments as HRM has in this plan.
 */
export function actBaseline(plan: TaskPlan, paper: PaperFixtures): ModelSpec {
  const direct = plan.models.find((m) => m.id === "direct_pred");
  if (!direct) throw new Error(`${plan.task}: no direct_pred model to derive the ACT variant from`);
  const hrmMax = resolveOverrides(paper.configs.defaults, plan.train)["arch.halt_max_steps"];
  return {
    id: "direct_pred_act",
    label: MODEL_VARIANTS.direct_pred_act.label,
    paperModel: null,
    overrides: direct.overrides.map((o) =>
      o === "arch.halt_max_steps=1" ? `arch.halt_max_steps=${hrmMax}` : o
    ),
  };
}

/** Moves a plan's data folder from `data/...` to `<root>/...` (every argument that names it). */
export function relocateData(plan: TaskPlan, root: string): void {
  const old = plan.dataDir;
  const dir = `${root.replace(/\/+$/, "")}/${old.replace(/^data\//, "")}`;
  const swap = (a: string) => a === old ? dir : a === `data_path=${old}` ? `data_path=${dir}` : a;
  plan.dataDir = dir;
  plan.build = plan.build.map(swap);
  plan.train = plan.train.map(swap);
  for (const m of plan.models) m.overrides = m.overrides.map(swap);
}
