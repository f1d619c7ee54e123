import assert from "node:assert/strict";
import { z } from "zod";
import { issueLine, quotedField } from "./zod_error.ts";

Deno.test("issueLine: one line naming where, the field and the message", () => {
  const r = z.object({ a: z.object({ b: z.number() }), c: z.string() }).safeParse({
    a: { b: "x" },
    c: 1,
  });
  assert.ok(!r.success);
  const first = issueLine(r.error, { where: "f.json", field: quotedField });
  assert.match(first, /^f\.json: field 'a\.b': .*number/);
  assert.ok(!first.includes("\n"));
  const all = issueLine(r.error, { where: "model config", all: true });
  assert.match(all, /^model config: a\.b: .*; c: .*string/);
  const root = z.number().safeParse("x");
  assert.ok(!root.success);
  assert.match(issueLine(root.error, { field: quotedField }), /^field '\(root\)': /);
});
