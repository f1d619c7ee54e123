/**
 * The analysis figures as self-contained SVG (vega-lite compiled to vega and
 * rendered headless, no DOM, no network): forward residuals (Figure 3),
 * inference-time scaling with the Q head's halting steps (Figure 5c), and the
 * participation ratio against the number of sampled puzzles (Figure 8c).
 * @module
 */
import { type PlotRow, renderVegaLite } from "../util/mod.ts";
import type { ForwardResiduals } from "./residuals.ts";
import type { ActHalting, ScalingPoint } from "./scaling.ts";

type Row = PlotRow;

/** Renders a vega-lite spec over `values` to SVG, 460 x 220. */
function render(spec: Record<string, unknown>, values: Row[]): Promise<string> {
  return renderVegaLite(spec, values, { width: 460, height: 220 });
}

/**
 * Figure 3: residual per call against the call's position in the unroll (counted in L calls;
 * blocks for the Transformer baseline), z_H drawn at the H updates, segment starts as rules.
 */
export function residualFigure(r: ForwardResiduals, title: string): Promise<string> {
  const rows: Row[] = [];
  r.z_L.forEach((v, i) => rows.push({ call: i + 1, residual: v, state: "z_L" }));
  r.z_H.forEach((v, i) =>
    rows.push({ call: r.z_L.length ? r.h_boundaries[i] : i + 1, residual: v, state: "z_H" })
  );
  r.blocks.forEach((v, i) => rows.push({ call: i + 1, residual: v, state: "block output" }));
  const rules = r.segment_boundaries.slice(1).map((b) => ({ call: b + 0.5 }));
  const axis = r.z_L.length ? "L call (all segments)" : "block (all segments)";
  return render({
    title,
    layer: [
      {
        data: { values: rules },
        mark: { type: "rule", color: "#bbb", strokeDash: [4, 3] },
        encoding: { x: { field: "call", type: "quantitative" } },
      },
      {
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "call", type: "quantitative", title: axis },
          y: { field: "residual", type: "quantitative", title: "||Δz|| / ||z||" },
          color: { field: "state", type: "nominal" },
        },
      },
    ],
  }, rows);
}

/** Figure 5c: exact accuracy against the evaluation's segment limit, the trained one marked. */
export function scalingFigure(
  points: ScalingPoint[],
  trained: number,
  halting: ActHalting | null,
  title: string,
): Promise<string> {
  const rows: Row[] = points.map((p) => ({
    segments: p.segments,
    value: p.exact_accuracy,
    series: "exact accuracy",
  }));
  for (const p of points) {
    rows.push({ segments: p.segments, value: p.token_accuracy, series: "token accuracy" });
    for (const [k, v] of Object.entries(p.scores ?? {})) {
      rows.push({ segments: p.segments, value: v, series: k.replaceAll("_", " ") });
    }
  }
  const n = halting?.count ?? 0;
  for (const h of halting?.histogram ?? []) {
    rows.push({ segments: h.steps, value: n ? h.count / n : 0, series: "share halting here (Q)" });
  }
  return render({
    title,
    layer: [
      {
        data: { values: [{ segments: trained }] },
        mark: { type: "rule", color: "#bbb", strokeDash: [4, 3] },
        encoding: { x: { field: "segments", type: "quantitative" } },
      },
      {
        mark: { type: "line", point: true },
        encoding: {
          x: {
            field: "segments",
            type: "quantitative",
            title: "halt_max_steps at inference (dashed: trained)",
            axis: { tickMinStep: 1 },
          },
          y: { field: "value", type: "quantitative", title: "fraction", scale: { domain: [0, 1] } },
          color: { field: "series", type: "nominal" },
        },
      },
    ],
  }, rows);
}

/** Figure 8c: PR of z_H and z_L against the number of sampled puzzles, trained and untrained. */
export function participationFigure(
  rows: { samples: number; state: string; pr: number }[],
  title: string,
): Promise<string> {
  return render({
    title,
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "samples", type: "quantitative", title: "sampled puzzles" },
      y: { field: "pr", type: "quantitative", title: "participation ratio" },
      color: { field: "state", type: "nominal" },
    },
  }, rows);
}
