/**
 * Plots as self-contained SVG: a vega-lite spec compiled to vega and rendered
 * headless with `View.toSVG()` (no DOM, no network). The one renderer of the
 * reports' and the analyses' figures.
 * @module
 */
import * as vega from "vega";
import * as vl from "vega-lite";

/** One row of plot data. */
export type PlotRow = Record<string, string | number>;

/**
 * Renders a vega-lite spec (without data) over `values` to an SVG string. `width` and
 * `height` are defaults: a `width`/`height` in the spec wins.
 */
export async function renderVegaLite(
  spec: Record<string, unknown>,
  values: PlotRow[],
  size: { width: number; height: number },
): Promise<string> {
  const full = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: size.width,
    height: size.height,
    data: { values },
    ...spec,
  };
  // deno-lint-ignore no-explicit-any
  const compiled = vl.compile(full as any).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
