/**
 * `deno task reproduce --profile paper --task T --print-official`: the official
 * code's command lines for one task, for users who train on several GPUs with
 * the official trainer (this harness has no distributed trainer of its own):
 *
 *   1. our data build of the task, written in the reference `.npy` layout
 *      (`--write-reference-layout` added where the profile's build lacks it);
 *   2. `OMP_NUM_THREADS=8 torchrun --nproc-per-node N pretrain.py <overrides>`,
 *      the overrides being exactly the profile's HRM overrides plus `seed=S`
 *      (pretrain.py seeds torch with `seed + RANK` on each of the N processes,
 *      so the weights and exploration draws are not this harness's for the
 *      same seed; the global batch is split evenly over the N processes).
 *
 * The round trip back (convert the checkpoint, evaluate it here) is in
 * docs/gpu.md. The official repository has no Direct-pred baseline, so only
 * the HRM model is printed.
 * @module
 */
import { loadPaperFixtures } from "./paper.ts";
import type { Profile } from "./plan.ts";
import { getProfile } from "./profiles.ts";
import type { TaskId } from "./report/schema.ts";

/** The official commands of one task. */
export interface OfficialCommands {
  task: TaskId;
  /** `deno task data ...` writing the reference layout. */
  data: string;
  /** The torchrun line. */
  train: string;
  /** The key=value overrides on the torchrun line, in order. */
  overrides: string[];
  /** Lines to print as comments (what differs, what comes next). */
  notes: string[];
}

/** A shell word, single-quoted when it holds anything but safe characters. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'"'"'`)}'`;
}

/** The official commands of `task` in `profile` (the paper profile) on `gpus` GPUs. */
export function officialCommands(
  profile: Profile,
  task: TaskId,
  opts: { gpus: number; seed: number },
): OfficialCommands {
  if (profile.name !== "paper") {
    throw new Error(
      `--print-official needs --profile paper (got '${profile.name}'): the ` +
        `official trainer runs the paper's configurations`,
    );
  }
  if (!Number.isInteger(opts.gpus) || opts.gpus < 1) {
    throw new Error(`--gpus must be a positive integer, got '${opts.gpus}'`);
  }
  const plan = profile.tasks.find((p) => p.task === task);
  if (!plan) throw new Error(`--task ${task}: not in the paper profile`);
  const hrm = plan.models.find((m) => m.id === "hrm");
  if (!hrm) throw new Error(`${task}: the paper profile has no HRM model`);
  const batch = Number(
    hrm.overrides.find((o) => o.startsWith("global_batch_size="))?.split("=")[1] ?? 768,
  );
  if (batch % opts.gpus !== 0) {
    throw new Error(
      `--gpus ${opts.gpus}: the official loader needs global_batch_size ` +
        `(${batch}) to divide evenly over the GPUs`,
    );
  }
  const build = plan.build.includes("--write-reference-layout")
    ? plan.build
    : [...plan.build, "--write-reference-layout"];
  const overrides = [...hrm.overrides, `seed=${opts.seed}`];
  return {
    task,
    data: ["deno", "task", "data", plan.taskModule, ...build].map(shellWord).join(" "),
    train: ["OMP_NUM_THREADS=8", "torchrun", "--nproc-per-node", String(opts.gpus), "pretrain.py"]
      .concat(overrides.map(shellWord)).join(" "),
    overrides,
    notes: [
      `${plan.label}: the official trainer (github.com/sapientinc/HRM) on ${opts.gpus} GPU(s), ` +
      `run from its checkout with this data folder (${plan.dataDir}) beside it or linked in`,
      `each of the ${opts.gpus} processes seeds torch with seed + RANK and runs ` +
      `${batch / opts.gpus} of the ${batch} rows of a step (bfloat16, FlashAttention)`,
      "the official code has no Direct-pred baseline: train it here (deno task reproduce)",
      "back here: deno task convert <checkpoints/.../step_N> <out.safetensors>, then " +
      `deno task reproduce --profile paper --task ${task} --checkpoint ${task}=<out.safetensors>`,
    ],
  };
}

/** The printed form: notes as `#` comments, then the two commands. */
export function officialText(c: OfficialCommands): string {
  return [...c.notes.map((n) => `# ${n}`), c.data, c.train].join("\n");
}

/** The printed official commands of `tasks` in the paper profile (from the committed fixtures). */
export async function officialCommandLines(
  tasks: readonly TaskId[],
  opts: { gpus: number; seed: number },
): Promise<string> {
  const profile = getProfile("paper", await loadPaperFixtures());
  return tasks.map((t) => officialText(officialCommands(profile, t, opts))).join("\n\n");
}
