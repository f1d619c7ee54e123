/**
 * A sweep's grid: the swept trainer keys and their values (`--grid`, a grid
 * file), the cross product of points, and `sweep.json`, the record of what a
 * sweep runs.
 * @module
 */
import { z } from "zod";
import { EnvironmentSchema, TASK_IDS } from "./report/schema.ts";

/** One swept key and its values, in the order given. */
export const GridAxisSchema = z.object({
  key: z.string().regex(/^[A-Za-z_][\w.]*$/),
  values: z.array(z.string().min(1)).min(1),
}).strict();
/** One swept key. */
export type GridAxis = z.infer<typeof GridAxisSchema>;

/** `sweep.json`: what a sweep runs (written before any work; reused on resume). */
export const SweepManifestSchema = z.object({
  schema: z.literal("hrm-harness/sweep@1"),
  name: z.string(),
  profile: z.enum(["smoke", "cpu", "paper"]),
  task: z.enum(TASK_IDS),
  grid: z.array(GridAxisSchema),
  /** Model ids of the profile's plan that are trained at every point. */
  models: z.array(z.string()).min(1),
  seeds: z.array(z.number().int().nonnegative()).min(1),
  /** The preset this sweep came from, if any. */
  preset: z.string().optional(),
  dataRoot: z.string().optional(),
  startedAt: z.string(),
  environment: EnvironmentSchema,
}).strict();
/** `sweep.json`. */
export type SweepManifest = z.infer<typeof SweepManifestSchema>;

/** One point of the grid: its overrides (`key=value`) in axis order. */
export interface GridPoint {
  id: string;
  overrides: string[];
  values: Record<string, string>;
}

/** Parses one `--grid 'key=v1,v2,...'`. Throws one line. */
export function parseGridAxis(text: string): GridAxis {
  const eq = text.indexOf("=");
  const key = text.slice(0, eq).trim();
  const values = text.slice(eq + 1).split(",").map((v) => v.trim());
  const parsed = GridAxisSchema.safeParse({ key, values });
  if (eq <= 0 || !parsed.success || values.some((v) => v === "")) {
    throw new Error(
      `--grid '${text}': expected KEY=V1,V2,... (a trainer key, e.g. arch.H_cycles=1,2,4)`,
    );
  }
  if (new Set(values).size !== values.length) {
    throw new Error(`--grid '${text}': a value is repeated`);
  }
  return parsed.data;
}

/**
 * Reads a grid file: JSON `{"grid": {"arch.H_cycles": [1, 2, 4], ...}}` (values
 * numbers or strings, in order). Throws one line naming the file.
 */
export async function readGridFile(path: string): Promise<GridAxis[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await Deno.readTextFile(path));
  } catch (err) {
    throw new Error(`--grid-file ${path}: ${(err as Error).message}`);
  }
  const schema = z.object({
    grid: z.record(z.string(), z.array(z.union([z.number(), z.string()])).min(1)),
  });
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `--grid-file ${path}: expected {"grid": {"KEY": [values...], ...}}: ${
        parsed.error.issues[0]?.message ?? "invalid"
      }`,
    );
  }
  return Object.entries(parsed.data.grid).map(([k, v]) =>
    parseGridAxis(`${k}=${v.map(String).join(",")}`)
  );
}

/** The cross product of the axes (the last axis varies fastest). */
export function gridPoints(grid: GridAxis[]): GridPoint[] {
  let points: { overrides: string[]; values: Record<string, string> }[] = [{
    overrides: [],
    values: {},
  }];
  for (const axis of grid) {
    points = points.flatMap((p) =>
      axis.values.map((v) => ({
        overrides: [...p.overrides, `${axis.key}=${v}`],
        values: { ...p.values, [axis.key]: v },
      }))
    );
  }
  const width = String(Math.max(0, points.length - 1)).length;
  return points.map((p, i) => ({ id: `point_${String(i).padStart(width, "0")}`, ...p }));
}
