/**
 * The published numbers and run configurations as data: zod schemas for
 * `fixtures/paper/*.json` and a loader that validates them.
 *
 * Benchmark ids are the `--task` names of `deno task reproduce`: `sudoku`,
 * `maze`, `arc1`, `arc2` (plus `sudoku_full` for the full-data figures).
 * @module
 */
import { issueLine, quotedField } from "../util/mod.ts";
import { z } from "zod";

/** The four headline benchmarks, in the paper's column order. */
export const HEADLINE_BENCHMARKS = ["arc1", "arc2", "sudoku", "maze"] as const;
/** A headline benchmark id. */
export type HeadlineBenchmark = typeof HEADLINE_BENCHMARKS[number];

const percent = z.number().min(0).max(100);

/** One row of the headline table. */
export const HeadlineModelSchema = z.object({
  id: z.string().regex(/^[a-z0-9_]+$/),
  label: z.string().min(1),
  /** The model id of ours that this row is compared with (HRM, Direct pred). */
  ours: z.string().optional(),
  values: z.object({ arc1: percent, arc2: percent, sudoku: percent, maze: percent }).strict(),
}).strict();

/** `fixtures/paper/headline.json`. */
export const HeadlineSchema = z.object({
  description: z.string(),
  metric: z.string(),
  benchmarks: z.object({ arc1: z.string(), arc2: z.string(), sudoku: z.string(), maze: z.string() })
    .strict(),
  models: z.array(HeadlineModelSchema).min(1),
  source: z.string().min(1),
  /** Absolute tolerance in accuracy points (the README's +-2 run to run). */
  tolerance: z.number().nonnegative(),
  toleranceSource: z.string().min(1),
}).strict();

/** One published figure besides the headline table. */
export const FigureSchema = z.object({
  id: z.string().regex(/^[a-z0-9_]+$/),
  label: z.string().min(1),
  benchmark: z.string(),
  model: z.string(),
  /** null: a claim only shown in a plot, with no printed number. */
  value: z.number().nullable(),
  unit: z.string(),
  source: z.string().min(1),
  /** Absolute tolerance in the value's unit; null when no comparison applies. */
  tolerance: z.number().nonnegative().nullable(),
}).strict();

/** `fixtures/paper/figures.json`. */
export const FiguresSchema = z.object({
  description: z.string(),
  figures: z.array(FigureSchema).min(1),
}).strict();

/** A configuration value as the reference trainer's key=value syntax yields it. */
export const ConfigValueSchema = z.union([z.number(), z.string(), z.boolean()]);
/** A flat configuration: dotted reference keys (`arch.L_cycles`) to values. */
export const FlatConfigSchema = z.record(z.string(), ConfigValueSchema);
/** A flat configuration. */
export type FlatConfig = z.infer<typeof FlatConfigSchema>;

/** One paper run: data build, trainer overrides, the resolved configuration. */
export const PaperRunSchema = z.object({
  id: z.string(),
  label: z.string(),
  data: z.object({ builder: z.string(), args: z.array(z.string()), summary: z.string() }).strict(),
  /** The README's overrides, in the reference trainer's key=value syntax. */
  overrides: z.array(z.string().regex(/^[A-Za-z_][\w.]*=.+$/)),
  command: z.string(),
  config: FlatConfigSchema,
  runtime: z.string(),
  source: z.string().min(1),
}).strict();
/** One paper run. */
export type PaperRun = z.infer<typeof PaperRunSchema>;

/** `fixtures/paper/configs.json`. */
export const ConfigsSchema = z.object({
  description: z.string(),
  defaults: FlatConfigSchema,
  evaluation: z.object({ save_outputs: z.array(z.string()), source: z.string() }).strict(),
  runs: z.array(PaperRunSchema).min(1),
}).strict();

/** Everything under `fixtures/paper/`. */
export interface PaperFixtures {
  headline: z.infer<typeof HeadlineSchema>;
  figures: z.infer<typeof FiguresSchema>;
  configs: z.infer<typeof ConfigsSchema>;
}

/** Where the fixtures live in this repository. */
export const PAPER_FIXTURES_DIR = new URL("../fixtures/paper/", import.meta.url);

/** Parses one fixture file with a schema; one-line error naming file and field. */
export async function readValidated<T extends z.ZodType>(
  path: string | URL,
  schema: T,
): Promise<z.infer<T>> {
  const name = path instanceof URL ? path.pathname : path;
  let raw: unknown;
  try {
    raw = JSON.parse(await Deno.readTextFile(path));
  } catch (err) {
    throw new Error(`${name}: cannot read JSON (${(err as Error).message})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(issueLine(parsed.error, { where: name, field: quotedField }));
  }
  return parsed.data;
}

/** Loads and validates `headline.json`, `figures.json`, `configs.json`. */
export async function loadPaperFixtures(
  dir: string | URL = PAPER_FIXTURES_DIR,
): Promise<PaperFixtures> {
  const at = (f: string) => dir instanceof URL ? new URL(f, dir) : `${dir}/${f}`;
  const fixtures = {
    headline: await readValidated(at("headline.json"), HeadlineSchema),
    figures: await readValidated(at("figures.json"), FiguresSchema),
    configs: await readValidated(at("configs.json"), ConfigsSchema),
  };
  checkConsistency(fixtures);
  return fixtures;
}

/** Cross-file checks that a schema alone cannot express. */
function checkConsistency(f: PaperFixtures): void {
  const ids = new Set<string>();
  for (const m of f.headline.models) {
    if (ids.has(m.id)) throw new Error(`headline.json: duplicate model id '${m.id}'`);
    ids.add(m.id);
  }
  for (const run of f.configs.runs) {
    const resolved = resolveOverrides(f.configs.defaults, run.overrides);
    for (const [k, v] of Object.entries(resolved)) {
      if (run.config[k] !== v) {
        throw new Error(
          `configs.json: run '${run.id}' config.${k} is ${run.config[k]}, overrides give ${v}`,
        );
      }
    }
  }
}

/** Parses a key=value value the way OmegaConf's CLI does for our purposes. */
export function parseConfigValue(text: string): string | number | boolean {
  if (text === "true" || text === "True") return true;
  if (text === "false" || text === "False") return false;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  return text;
}

/** Applies key=value overrides to a flat config; unknown keys are an error. */
export function resolveOverrides(defaults: FlatConfig, overrides: readonly string[]): FlatConfig {
  const out: FlatConfig = { ...defaults };
  for (const o of overrides) {
    const eq = o.indexOf("=");
    if (eq <= 0) throw new Error(`override '${o}': expected key=value`);
    const key = o.slice(0, eq);
    if (!(key in out)) throw new Error(`override '${o}': unknown key '${key}'`);
    out[key] = parseConfigValue(o.slice(eq + 1));
  }
  return out;
}

/** The paper's number for a model on a headline benchmark. */
export function headlineValue(
  f: PaperFixtures,
  model: string,
  benchmark: HeadlineBenchmark,
): number | undefined {
  return f.headline.models.find((m) => m.id === model)?.values[benchmark];
}

/** The paper run configuration with the given id (`sudoku`, `maze`, `arc1`, ...). */
export function paperRun(f: PaperFixtures, id: string): PaperRun {
  const run = f.configs.runs.find((r) => r.id === id);
  if (!run) {
    throw new Error(
      `no paper run '${id}', available: ${f.configs.runs.map((r) => r.id).join(", ")}`,
    );
  }
  return run;
}
