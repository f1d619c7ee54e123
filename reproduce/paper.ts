/**
 * The published numbers and run configurations as data: zod schemas for
 * `fixtures/paper/*.json` and a loader that validates them.
 *
 * Benchmark ids are the `--task` names of `deno task reproduce`: `sudoku`,
 * `maze`, `arc1`, `arc2` (plus `sudoku_full` for the full-data figures).
 * The TRM paper's numbers and runs (`trm_headline.json`, `trm_configs.json`)
 * use the same schemas; its row ids are distinct from the HRM paper's, so a
 * model's `paperModel` names one row of either table.
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
  /** Where each cell is printed (table, row, column), when the table gives it per cell. */
  sources: z.object({ arc1: z.string(), arc2: z.string(), sudoku: z.string(), maze: z.string() })
    .strict().optional(),
  /** A row copied from another paper: the id of that paper's row (the values must agree). */
  cites: z.string().optional(),
}).strict();
/** One row of a headline table. */
export type HeadlineModel = z.infer<typeof HeadlineModelSchema>;

/** `fixtures/paper/headline.json` (and `trm_headline.json`). */
export const HeadlineSchema = z.object({
  description: z.string(),
  /** The paper in a few words, for table headings (`HRM paper (Wang et al. 2025)`). */
  citation: z.string().min(1),
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

/** A headline table (`headline.json`, `trm_headline.json`). */
export type Headline = z.infer<typeof HeadlineSchema>;
/** A run-configuration file (`configs.json`, `trm_configs.json`). */
export type Configs = z.infer<typeof ConfigsSchema>;

/** Everything under `fixtures/paper/`. */
export interface PaperFixtures {
  /** The HRM paper (Wang et al. 2025). */
  headline: Headline;
  figures: z.infer<typeof FiguresSchema>;
  configs: Configs;
  /** The TRM paper (Jolicoeur-Martineau 2025): its Tables 4-5 and the README's runs. */
  trm: { headline: Headline; configs: Configs };
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

/**
 * Loads and validates `headline.json`, `figures.json`, `configs.json` (the
 * HRM paper) and `trm_headline.json`, `trm_configs.json` (the TRM paper).
 */
export async function loadPaperFixtures(
  dir: string | URL = PAPER_FIXTURES_DIR,
): Promise<PaperFixtures> {
  const at = (f: string) => dir instanceof URL ? new URL(f, dir) : `${dir}/${f}`;
  const fixtures = {
    headline: await readValidated(at("headline.json"), HeadlineSchema),
    figures: await readValidated(at("figures.json"), FiguresSchema),
    configs: await readValidated(at("configs.json"), ConfigsSchema),
    trm: {
      headline: await readValidated(at("trm_headline.json"), HeadlineSchema),
      configs: await readValidated(at("trm_configs.json"), ConfigsSchema),
    },
  };
  checkConsistency(fixtures);
  return fixtures;
}

/** Cross-file checks that a schema alone cannot express. */
export function checkConsistency(f: PaperFixtures): void {
  // Row ids are unique across both papers: a model's `paperModel` names one row.
  const ids = new Map<string, HeadlineModel>();
  const tables: [string, Headline][] = [["headline.json", f.headline], [
    "trm_headline.json",
    f.trm.headline,
  ]];
  for (const [file, table] of tables) {
    for (const m of table.models) {
      if (ids.has(m.id)) throw new Error(`${file}: duplicate model id '${m.id}'`);
      ids.set(m.id, m);
    }
  }
  for (const [file, table] of tables) {
    for (const m of table.models) {
      if (m.cites === undefined) continue;
      const cited = ids.get(m.cites);
      if (!cited) throw new Error(`${file}: row '${m.id}' cites unknown row '${m.cites}'`);
      for (const b of HEADLINE_BENCHMARKS) {
        if (cited.values[b] !== m.values[b]) {
          throw new Error(
            `${file}: row '${m.id}' gives ${b} ${m.values[b]}, the cited row '${cited.id}' ${
              cited.values[b]
            }`,
          );
        }
      }
    }
  }
  const configs: [string, Configs][] = [["configs.json", f.configs], [
    "trm_configs.json",
    f.trm.configs,
  ]];
  for (const [file, c] of configs) {
    for (const run of c.runs) {
      const resolved = resolveOverrides(c.defaults, run.overrides);
      for (const [k, v] of Object.entries(resolved)) {
        if (run.config[k] !== v) {
          throw new Error(
            `${file}: run '${run.id}' config.${k} is ${run.config[k]}, overrides give ${v}`,
          );
        }
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

/** The published number of a headline row (either paper) on a headline benchmark. */
export function headlineValue(
  f: PaperFixtures,
  model: string,
  benchmark: HeadlineBenchmark,
): number | undefined {
  return paperRow(f, model)?.row.values[benchmark];
}

/** The paper run configuration with the given id (`sudoku`, `maze`, `arc1`, ...). */
export function paperRun(f: PaperFixtures, id: string): PaperRun {
  return runIn(f.configs, id, "paper");
}

/** TRM's README run with the given id (`sudoku` = TRM-MLP, `sudoku_att`, `maze`, `arc1`, ...). */
export function trmRun(f: PaperFixtures, id: string): PaperRun {
  return runIn(f.trm.configs, id, "TRM");
}

function runIn(c: Configs, id: string, what: string): PaperRun {
  const run = c.runs.find((r) => r.id === id);
  if (!run) {
    throw new Error(
      `no ${what} run '${id}', available: ${c.runs.map((r) => r.id).join(", ")}`,
    );
  }
  return run;
}

/** A headline row of either paper, with its table's tolerance and source. */
export interface PaperRow {
  row: HeadlineModel;
  tolerance: number;
  source: string;
  /** The table's paper in a few words. */
  citation: string;
}

/** Finds a headline row by id in the HRM paper's table, then in the TRM paper's. */
export function paperRow(f: PaperFixtures, id: string): PaperRow | undefined {
  for (const table of [f.headline, f.trm.headline]) {
    const row = table.models.find((m) => m.id === id);
    if (row) {
      return { row, tolerance: table.tolerance, source: table.source, citation: table.citation };
    }
  }
  return undefined;
}
