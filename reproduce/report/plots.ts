/**
 * Plots as self-contained SVG: vega-lite specs compiled to vega and rendered
 * headless with `View.toSVG()` (no DOM, no network).
 * @module
 */
import { type PlotRow, renderVegaLite } from "../../util/mod.ts";

/** One row of plot data. */
export type Row = PlotRow;

const WIDTH = 420;
const HEIGHT = 220;

/** Renders a vega-lite spec (without data) over `values` to an SVG string, 420 x 220. */
export function renderSvg(spec: Record<string, unknown>, values: Row[]): Promise<string> {
  return renderVegaLite(spec, values, { width: WIDTH, height: HEIGHT });
}

/** A short SVG that says why a plot is empty. */
export function emptySvg(message: string): string {
  const esc = message.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="40">` +
    `<text x="8" y="24" font-family="sans-serif" font-size="13" fill="#666">${esc}</text></svg>`;
}

/**
 * Line chart of `y` against `x`, one line per `series` value.
 * Log scales are avoided: vega silently drops non-positive values.
 */
export function lineChart(
  rows: Row[],
  opts: {
    x: string;
    y: string;
    series: string;
    title: string;
    xTitle?: string;
    yTitle?: string;
    /** Fixed y range, e.g. [0, 1] for accuracies. */
    yDomain?: [number, number];
    /** Integer ticks on x (segment counts). */
    xInteger?: boolean;
  },
): Promise<string> {
  if (rows.length === 0) return Promise.resolve(emptySvg(`${opts.title}: no data recorded`));
  return renderSvg({
    title: opts.title,
    mark: { type: "line", point: rows.length <= 60 },
    encoding: {
      x: {
        field: opts.x,
        type: "quantitative",
        title: opts.xTitle ?? opts.x,
        ...(opts.xInteger ? { axis: { tickMinStep: 1, format: "d" } } : {}),
      },
      y: {
        field: opts.y,
        type: "quantitative",
        title: opts.yTitle ?? opts.y,
        ...(opts.yDomain ? { scale: { domain: opts.yDomain } } : {}),
      },
      color: { field: opts.series, type: "nominal", title: null },
    },
  }, rows);
}

/** Grouped bar chart: count per integer `x` bucket, bars side by side per series. */
export function barChart(
  rows: Row[],
  opts: { x: string; y: string; series: string; title: string; xTitle?: string; yTitle?: string },
): Promise<string> {
  if (rows.length === 0) return Promise.resolve(emptySvg(`${opts.title}: no data recorded`));
  return renderSvg({
    title: opts.title,
    mark: "bar",
    encoding: {
      x: { field: opts.x, type: "ordinal", title: opts.xTitle ?? opts.x },
      xOffset: { field: opts.series, type: "nominal" },
      y: { field: opts.y, type: "quantitative", title: opts.yTitle ?? opts.y },
      color: { field: opts.series, type: "nominal", title: null },
    },
  }, rows);
}

/**
 * A value with its 95% interval per `x` category (or number), one colour per
 * series: a point at `y` and an error bar from `lo` to `hi`. Rows need the
 * fields `opts.x`, `y`, `lo`, `hi` and `opts.series`.
 */
export function intervalChart(
  rows: Row[],
  opts: {
    x: string;
    series: string;
    title: string;
    xTitle?: string;
    yTitle?: string;
    /** `ordinal` for names (models), `quantitative` for swept numbers. */
    xType?: "ordinal" | "quantitative";
  },
): Promise<string> {
  if (rows.length === 0) return Promise.resolve(emptySvg(`${opts.title}: no data recorded`));
  const xType = opts.xType ?? "ordinal";
  const x = {
    field: opts.x,
    type: xType,
    title: opts.xTitle ?? opts.x,
    ...(xType === "quantitative" ? { scale: { zero: false } } : {}),
  };
  const color = { field: opts.series, type: "nominal", title: null, legend: { labelLimit: 400 } };
  const offset = xType === "ordinal" ? { xOffset: { field: opts.series, type: "nominal" } } : {};
  return renderSvg({
    title: opts.title,
    layer: [
      {
        mark: { type: "rule" },
        encoding: {
          x,
          ...offset,
          y: { field: "lo", type: "quantitative", title: opts.yTitle ?? "value" },
          y2: { field: "hi" },
          color,
        },
      },
      {
        mark: { type: xType === "ordinal" ? "point" : "line", point: true, filled: true },
        encoding: {
          x,
          ...offset,
          y: { field: "y", type: "quantitative", scale: { domain: [0, 1] } },
          color,
        },
      },
    ],
  }, rows);
}
