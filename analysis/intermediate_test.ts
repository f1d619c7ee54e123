import assert from "node:assert/strict";
import { changedTokens, isExact, predictionStrip, STRIP_LEGEND, svgSize } from "./intermediate.ts";

Deno.test("intermediate: changed tokens, exactness and a strip of the task's pictures", () => {
  const trace = {
    input: [0, 1, 0, 2],
    label: [3, 1, 3, 2],
    predictions: [[3, 1, 0, 2], [3, 1, 3, 2], [3, 1, 3, 2]],
  };
  assert.deepEqual(changedTokens(trace), [1, 1, 0]);
  assert.equal(isExact(trace.predictions[0], trace.label), false);
  assert.equal(isExact(trace.predictions[1], trace.label), true);
  assert.equal(isExact([9, 1, 3, 2], [-100, 1, 3, 2]), true);
  const frames: string[] = [];
  const previous: (string | undefined)[] = [];
  const svg = predictionStrip(trace, (e) => {
    frames.push(e.prediction.join(","));
    previous.push(e.previous?.join(","));
    return `<svg xmlns="http://www.w3.org/2000/svg" width="250" height="40"><rect/></svg>`;
  }, "puzzle 7 <test>");
  assert.deepEqual(frames, ["3,1,0,2", "3,1,3,2", "3,1,3,2"]);
  // Segment 1 has no previous prediction; segment s >= 2 gets segment s-1's.
  assert.deepEqual(previous, [undefined, "3,1,0,2", "3,1,3,2"]);
  assert.deepEqual(svgSize(svg), { width: 10 + 3 * 260, height: 40 + 34 + 24 + 22 });
  assert.match(svg, />segment 1:</);
  assert.match(svg, />1 changed from input</);
  assert.match(svg, />segment 2:</);
  assert.match(svg, />1 changed, exact</);
  assert.ok(svg.includes(`>${STRIP_LEGEND}</text>`));
  assert.match(STRIP_LEGEND, /dashed violet outline: cell changed since the previous segment/);
  // A narrow strip is widened to its legend line.
  const narrow = predictionStrip(
    trace,
    () => `<svg xmlns="http://www.w3.org/2000/svg" width="50" height="40"><rect/></svg>`,
    "t",
  );
  assert.equal(svgSize(narrow).width, 10 + 18 + STRIP_LEGEND.length * 6 + 10);
  assert.match(svg, /puzzle 7 &#60;test&#62;/);
  assert.equal(svg.match(/<svg x="/g)?.length, 3);
});
