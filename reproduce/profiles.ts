/**
 * The three `deno task reproduce` profiles:
 * - `paper`: the official configurations, exactly (a test checks them
 *   against `fixtures/paper/configs.json`);
 * - `cpu`: a scaled-down replication for 2 CPU cores within 60 minutes;
 * - `smoke`: the whole pipeline on tiny data in under 3 minutes (CI).
 * @module
 */
import { type PaperFixtures, paperRun, resolveOverrides } from "./paper.ts";
import type { ModelSpec } from "./report/schema.ts";
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
 * differences, after the hand-written data differences.
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
      if (opts.dataRoot) relocateData(plan, opts.dataRoot);
    }
    if (opts.actBaseline) plan.models.push(actBaseline(plan, paper));
  }
  return profile;
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
