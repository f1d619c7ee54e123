import assert from "node:assert/strict";
import { formatBadRows, importCsvText, parseCsv } from "./csv.ts";
import { gridToLines } from "./grid.ts";

Deno.test("parseCsv: quotes, doubled quotes, CRLF, blank lines, line numbers", () => {
  const text = 'a,b\r\n"x,1","say ""hi"""\r\n\r\n"multi\nline",z\nlast,row';
  assert.deepEqual(parseCsv(text), [
    { line: 1, fields: ["a", "b"] },
    { line: 2, fields: ["x,1", 'say "hi"'] },
    { line: 4, fields: ["multi\nline", "z"] },
    { line: 6, fields: ["last", "row"] },
  ]);
  assert.throws(() => parseCsv('a,"open\n', "f.csv"), /f\.csv:1: unclosed quoted field/);
});

const HEADER = "source,question,answer,rating";
const Q = "S  " + "   " + "  G";
const A = "Soo" + "  o" + "  G";
const row = (q: string, a: string) => `gen,${q},${a},0`;

Deno.test("importCsvText: good rows are kept, bad rows reported by line number", () => {
  const lines = [
    HEADER,
    row(Q, A), // 2: good
    row(Q, "S o" + "  o" + "  G"), // 3: gap in the path
    row(Q + " ", A + " "), // 4: not a square
    row(Q, A.slice(0, 8)), // 5: lengths differ
    row("S x" + "   " + "  G", A), // 6: unknown character
    row(Q, "Soo" + " #o" + "  G"), // 7: answer changes a cell
    "only,three,fields", // 8
    row("S# " + "## " + "  G", "S# " + "## " + "  G"), // 9: unsolvable
    row(Q, "Soo" + "ooo" + "  G"), // 10: stray path cells
    row("S  " + "   " + "   ", "S  " + "   " + "   "), // 11: no goal
    row("G  " + "   " + "  S", "Goo" + "  o" + "  S"), // 12: good
    row(Q, "S  " + "o  " + "ooG"), // 13: another shortest path: good
    row("S G" + "   " + "   ", "S G" + "ooo" + "   "), // 14: a longer path
  ];
  const imp = importCsvText(lines.join("\n") + "\n", "t.csv", null);
  assert.equal(imp.size, 3);
  assert.deepEqual(imp.lines, [2, 12, 13]);
  assert.deepEqual(imp.lengths, [4, 4, 4]);
  assert.deepEqual(gridToLines(imp.answers[1], 3), ["Goo", "  o", "  S"]);
  assert.deepEqual(
    imp.bad.map((b) => b.line),
    [3, 4, 5, 6, 7, 8, 9, 10, 11, 14],
  );
  const msg = Object.fromEntries(imp.bad.map((b) => [b.line, b.message]));
  assert.match(msg[3], /does not connect S to G/);
  assert.match(msg[4], /not a square grid/);
  assert.match(msg[5], /question has 9 characters but answer has 8/);
  assert.match(msg[6], /unknown character "x" at cell 2/);
  assert.match(msg[7], /differs from the question/);
  assert.match(msg[8], /expected 4 fields/);
  assert.match(msg[9], /no S-G path/);
  assert.match(msg[10], /not on the S-G path/);
  assert.match(msg[11], /0 'G' cells/);
  assert.match(msg[14], /longer than the shortest path/);
  const text = formatBadRows("t.csv", imp.bad, 2);
  assert.deepEqual(text.slice(0, 1), ["t.csv:3: answer path does not connect S to G"]);
  assert.equal(text[2], "... and 8 more bad rows");
});

Deno.test("importCsvText: header and size mismatches", () => {
  assert.throws(() => importCsvText("a,b,c,d\n", "x.csv", null), /x\.csv:1: expected header/);
  const imp = importCsvText([HEADER, row(Q, A)].join("\n"), "x.csv", 4);
  assert.equal(imp.questions.length, 0);
  assert.match(imp.bad[0].message, /expected 16 \(4x4\)/);
});
