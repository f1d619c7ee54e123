import assert from "node:assert/strict";
import { countWrong, renderHtml, renderSvg } from "./render.ts";
import { parseGrid } from "./grid.ts";

const P = parseGrid(
  "8..........36......7..9.2...5...7.......457.....1...3...1....68..85...1..9....4..",
);
const S = parseGrid(
  "812753649943682175675491283154237896369845721287169534521974368438526917796318452",
);

Deno.test("render: givens, answers and wrong cells", () => {
  const answer = S.slice();
  answer[1] = 9; // wrong (truth 1)
  answer[2] = 3; // wrong (truth 2)
  const svg = renderSvg({ puzzle: P, answer, solution: S, title: "a <test>" });
  assert.ok(svg.startsWith("<svg"));
  assert.ok(svg.endsWith("</svg>"));
  assert.equal(countWrong({ puzzle: P, answer, solution: S }), 2);
  assert.equal((svg.match(/fill="#fdd"/g) ?? []).length, 2);
  assert.equal((svg.match(/font-weight="bold"/g) ?? []).length, 21);
  assert.ok(svg.includes("a &#60;test&#62;"));
  const html = renderHtml([{ puzzle: P }, { puzzle: P, answer: S, solution: S }]);
  assert.equal((html.match(/<svg/g) ?? []).length, 2);
  assert.equal(countWrong({ puzzle: P, answer: S, solution: S }), 0);
});
