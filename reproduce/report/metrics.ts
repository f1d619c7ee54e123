/**
 * Reads a trainer's `metrics.jsonl` into curve points.
 *
 * Accepted line shapes (one JSON object a line), so that the report does not
 * depend on one logging layout:
 * - flat wandb-style keys: `{"step": 10, "train/lm_loss": 1.2, "all/exact_accuracy": 0.1}`
 *   (`train/` is the training split; any other prefix is an evaluation set);
 * - a split field: `{"step": 10, "split": "eval", "exact_accuracy": 0.1}`, or this
 *   project's trainer's `{"kind": "eval", "set": "all", "step": 10, ...}`;
 * - nested: `{"step": 10, "train": {...}, "eval": {...}}`.
 * @module
 */
import type { CurvePoint } from "./schema.ts";

/** The most points kept per (split, metric) series in a report. */
export const MAX_POINTS_PER_SERIES = 200;

function pushNumbers(
  out: CurvePoint[],
  step: number,
  split: "train" | "eval",
  obj: Record<string, unknown>,
  prefix = "",
): void {
  for (const [key, value] of Object.entries(obj)) {
    if (typeof value === "number" && Number.isFinite(value)) {
      out.push({ step, split, metric: prefix + key, value });
    }
  }
}

/** Parses the text of a metrics.jsonl file; errors name the line. */
export function parseMetricsJsonl(text: string, name = "metrics.jsonl"): CurvePoint[] {
  const out: CurvePoint[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(line);
    } catch {
      // A run killed mid-write can leave a torn last line: ignore only that one.
      if (i >= lines.length - 2) continue;
      throw new Error(`${name}: line ${i + 1}: not JSON`);
    }
    if (typeof row !== "object" || row === null) continue;
    const step = typeof row.step === "number" ? row.step : NaN;
    if (!Number.isFinite(step)) continue;
    const split = row.split ?? row.kind;
    if (split === "train" || split === "eval") {
      const { step: _s, split: _p, kind: _k, set, ...rest } = row;
      // Evaluation sets other than the whole split (`all`) keep their name as a prefix.
      const prefix = typeof set === "string" && set !== "all" ? `${set}/` : "";
      pushNumbers(out, step, split, rest, prefix);
      continue;
    }
    for (const [key, value] of Object.entries(row)) {
      if (key === "step") continue;
      if ((key === "train" || key === "eval") && typeof value === "object" && value !== null) {
        pushNumbers(out, step, key, value as Record<string, unknown>);
        continue;
      }
      const slash = key.indexOf("/");
      if (slash < 0 || typeof value !== "number" || !Number.isFinite(value)) continue;
      const head = key.slice(0, slash);
      const metric = key.slice(slash + 1);
      if (head === "train") out.push({ step, split: "train", metric, value });
      else {out.push({
          step,
          split: "eval",
          metric: head === "all" || head === "eval" ? metric : key,
          value,
        });}
    }
  }
  return out;
}

/** Reads `metrics.jsonl`; an absent file gives no points. */
export async function readMetrics(path: string): Promise<CurvePoint[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  return parseMetricsJsonl(text, path);
}

/**
 * Keeps at most `max` evenly spaced points per (split, metric) series, always
 * including the first and the last, so that reports stay small.
 */
export function downsample(points: CurvePoint[], max = MAX_POINTS_PER_SERIES): CurvePoint[] {
  const series = new Map<string, CurvePoint[]>();
  for (const p of points) {
    const key = `${p.split}\u0000${p.metric}`;
    let s = series.get(key);
    if (!s) series.set(key, s = []);
    s.push(p);
  }
  const out: CurvePoint[] = [];
  for (const s of series.values()) {
    if (s.length <= max) {
      out.push(...s);
      continue;
    }
    for (let i = 0; i < max; i++) out.push(s[Math.round((i * (s.length - 1)) / (max - 1))]);
  }
  return out;
}

/** The last value of a series, or undefined. */
export function lastValue(
  points: CurvePoint[],
  split: "train" | "eval",
  metric: string,
): number | undefined {
  let best: CurvePoint | undefined;
  for (const p of points) {
    if (p.split === split && p.metric === metric && (!best || p.step >= best.step)) best = p;
  }
  return best?.value;
}
