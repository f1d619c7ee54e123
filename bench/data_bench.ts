/**
 * Data-generation rates: times the dataset builders (`deno task data <task>`)
 * on small builds in child processes, so the numbers include everything a
 * user waits for (generation, encoding, writing the reference layout).
 * A builder that is not available (task not registered on this checkout, or
 * its source data missing) is reported as skipped with the reason.
 * @module
 */
import { pathExists } from "../io/mod.ts";

/** One builder's measured rate. */
export interface DataRate {
  task: string;
  /** What is counted: e.g. "mazes" or "augmented puzzles". */
  unit: string;
  items: number;
  seconds: number;
  items_per_s: number;
  /** The `deno task data` arguments used. */
  args: string[];
}

/** A builder that was not measured. */
export interface DataSkip {
  task: string;
  reason: string;
}

interface Builder {
  task: string;
  unit: string;
  items: number;
  /** Arguments after `data`; `OUT` is replaced by a temporary folder. */
  args: string[];
  /** Files or folders the build needs (relative to the repository root). */
  needs?: string[];
}

const ARC_SOURCE = "../shared/data/arc";

/** The builds timed by `deno task bench` (small, seeded, reference layout). */
export const BUILDERS: Builder[] = [
  {
    task: "sudoku",
    unit: "generated puzzles (rated, unique solution)",
    // Generation dominates; the 9 shuffles per training puzzle are cheap.
    items: 20 + 20,
    args: ["sudoku", "--out", "OUT", "--train", "20", "--test", "20", "--aug", "9", "--seed", "0"],
  },
  {
    task: "maze",
    unit: "mazes (30x30, shortest path > 110)",
    items: 40,
    args: ["maze", "--out", "OUT", "--train", "20", "--test", "20", "--seed", "0", "--quiet"],
  },
  {
    task: "arc",
    unit: "augmented ARC-AGI-1 tasks",
    // 960 tasks x (1 + 2 augmentations).
    items: 960 * 3,
    args: [
      "arc",
      "--source",
      ARC_SOURCE,
      "--preset",
      "arc1",
      "--aug",
      "2",
      "--seed",
      "42",
      "--out",
      "OUT",
      "--no-progress",
    ],
    needs: [ARC_SOURCE],
  },
];

const ROOT = new URL("../", import.meta.url).pathname;

async function run(args: string[]): Promise<{ ok: boolean; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    // The user's command, as typed: `deno task data ...` from the repository root.
    args: ["task", "-q", "data", ...args],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  return { ok: out.success, stderr: new TextDecoder().decode(out.stderr).trim() };
}

/** Times every builder once; `log` gets a line per builder. */
export async function benchData(
  log: (line: string) => void = () => {},
): Promise<{ rates: DataRate[]; skipped: DataSkip[] }> {
  const rates: DataRate[] = [];
  const skipped: DataSkip[] = [];
  for (const b of BUILDERS) {
    const help = await run([b.task, "--help"]);
    if (!help.ok) {
      skipped.push({ task: b.task, reason: `no '${b.task}' builder on this checkout` });
      continue;
    }
    const missing = [];
    for (const n of b.needs ?? []) if (!(await pathExists(`${ROOT}${n}`))) missing.push(n);
    if (missing.length) {
      skipped.push({ task: b.task, reason: `source data not found: ${missing.join(", ")}` });
      continue;
    }
    const dir = await Deno.makeTempDir({ prefix: `hrm-bench-${b.task}-` });
    const out = `${dir}/out`;
    const args = b.args.map((a) => (a === "OUT" ? out : a));
    try {
      const t = performance.now();
      const r = await run(args);
      const seconds = (performance.now() - t) / 1000;
      if (!r.ok) {
        skipped.push({ task: b.task, reason: `build failed: ${r.stderr.split("\n").pop()}` });
        continue;
      }
      rates.push({
        task: b.task,
        unit: b.unit,
        items: b.items,
        seconds,
        items_per_s: b.items / seconds,
        args,
      });
      log(`data ${b.task}: ${b.items} ${b.unit} in ${seconds.toFixed(1)} s`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
  return { rates, skipped };
}

if (import.meta.main) {
  console.log(JSON.stringify(await benchData((l) => console.error(l))));
}
