import assert from "node:assert/strict";
import { renderVegaLite } from "./vega_svg.ts";

Deno.test("renderVegaLite: an SVG of the given size with one mark per row", async () => {
  const svg = await renderVegaLite(
    { mark: "point", encoding: { x: { field: "a", type: "quantitative" } } },
    [{ a: 1 }, { a: 2 }, { a: 3 }],
    { width: 123, height: 45 },
  );
  assert.ok(svg.startsWith("<svg"));
  assert.ok(svg.includes('width="'), "a width");
  assert.ok(svg.includes('class="mark-symbol'), "a symbol mark");
  assert.ok((svg.match(/<path/g) ?? []).length >= 3, "one path per row");
});
