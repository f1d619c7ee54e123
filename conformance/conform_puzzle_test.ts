import assert from "node:assert/strict";
import type { HostTensor } from "../io/dtypes.ts";
import type { Comparison } from "./compare.ts";
import { parseOptimConfig } from "../model/config.ts";
import { checkPuzzleStep } from "./conform_puzzle.ts";
import { signSgdUpdate } from "../model/optim.ts";

const optim = parseOptimConfig({ puzzle_emb_lr: 0.01, puzzle_emb_weight_decay: 0.1 });
const f32 = (shape: number[], data: number[]): HostTensor => ({
  dtype: "f32",
  shape,
  data: Float32Array.from(data),
});
const before = f32([3, 2], [0.5, -0.5, 1, 1, -2, 0.25]);
const ids = Int32Array.from([2, 0]);
const grad = Float32Array.from([1, -1, -3, 2]);
const afterData = Float32Array.from(before.data as Float32Array);
signSgdUpdate(afterData, 2, ids, grad, 0.01, 0.1);
const after: HostTensor = { dtype: "f32", shape: [3, 2], data: afterData };

function run(golden: Map<string, HostTensor>, oursIds: Int32Array, oursGrad: Float32Array) {
  const out: Comparison[] = [];
  checkPuzzleStep(golden, optim, 2, "step1", before, after, oursIds, oursGrad, out);
  return out;
}
const idsKey = "step1.puzzle_emb.local_ids";
const gradKey = "step1.grad.model.inner.puzzle_emb.local_weights";

Deno.test("conform puzzle check: consistent goldens are compared directly", () => {
  const golden = new Map<string, HostTensor>([
    [idsKey, { dtype: "i32", shape: [2], data: ids }],
    [gradKey, f32([2, 2], [...grad])],
  ]);
  assert.ok(run(golden, ids, grad).every((c) => c.pass && !c.note));
  // A consistent golden is never overridden: other ids fail.
  assert.ok(!run(golden, Int32Array.from([2, 1]), grad)[0].pass);
});

Deno.test("conform puzzle check: self-contradicting goldens are checked against the update", () => {
  const golden = new Map<string, HostTensor>([
    [idsKey, { dtype: "i32", shape: [2], data: Int32Array.from([1, 1]) }], // stale ids
    [gradKey, f32([2, 2], [0, 0, 0, 0])], // zeroed gradient
  ]);
  const ok = run(golden, ids, grad);
  assert.ok(ok.every((c) => c.pass && c.note), JSON.stringify(ok));
  // Wrong touched rows or a flipped gradient sign still fail.
  assert.ok(!run(golden, Int32Array.from([2, 1]), grad)[0].pass);
  const flipped = Float32Array.from(grad, (g, i) => (i === 3 ? -g : g));
  assert.ok(!run(golden, ids, flipped)[1].pass);
});
