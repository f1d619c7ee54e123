/**
 * The three `deno task reproduce` profiles:
 * - `paper`: the official configurations, exactly (a test checks them
 *   against `fixtures/paper/configs.json`);
 * - `cpu`: a scaled-down replication for 2 CPU cores within 60 minutes;
 * - `smoke`: the whole pipeline on tiny data in under 3 minutes (CI).
 * @module
 */
import { type PaperFixtures, paperRun } from "./paper.ts";
import type { Profile, ProfileName, ProfileOptions } from "./plan.ts";
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
  if (name === "paper") return paperProfile(paper, opts);
  const profile = name === "cpu" ? cpuProfile(opts) : smokeProfile();
  for (const plan of profile.tasks) {
    const config = paperRun(paper, plan.paperRun).config;
    plan.differences = [...plan.differences, ...configDifferences(config, plan.train)];
  }
  return profile;
}
