import assert from "node:assert/strict";
import { sampleIndices } from "./sample.ts";

Deno.test("sample: seeded, sorted, distinct; everything in order when n >= total", () => {
  const a = sampleIndices(100, 10, 3);
  assert.deepEqual(a, sampleIndices(100, 10, 3));
  assert.notDeepEqual(a, sampleIndices(100, 10, 4));
  assert.equal(new Set(a).size, 10);
  assert.deepEqual(a, [...a].sort((x, y) => x - y));
  assert.ok(a.every((i) => i >= 0 && i < 100));
  assert.deepEqual(sampleIndices(4, 9, 0), [0, 1, 2, 3]);
  assert.throws(() => sampleIndices(4, 0, 0), /at least 1/);
});
