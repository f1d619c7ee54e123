import assert from "node:assert/strict";
import { checkArcSize } from "./build.ts";

const unitsOf = (tasks: number, pairs: number) => [{
  tasks: Array.from({ length: tasks }, () => ({ train: new Array(pairs - 1), test: [0] })),
}];

Deno.test("arc build: --aug beyond int32 indices or far beyond memory is refused in one line", () => {
  assert.throws(
    () => checkArcSize(unitsOf(1000, 5), 500_000, false),
    /^Error: 5000 example pairs x \(--aug 500000 \+ 1\) make 2500005000 examples; int32 indices allow 2147483647: lower --aug$/,
  );
  assert.throws(
    () => checkArcSize(unitsOf(1000, 5), 100_000, true, 2 ** 30),
    /^Error: 5000 example pairs x \(--aug 100000 \+ 1\) make about 841\.9 GiB of --write-reference-layout files, far beyond this machine's 1\.0 GiB of memory: lower --aug or drop --write-reference-layout$/,
  );
  checkArcSize(unitsOf(1000, 5), 1000, true, 2 ** 31); // the paper's arc1 size: 8.4 GiB, under 8x 2 GiB
  checkArcSize(unitsOf(1000, 5), 100_000, false, 2 ** 30); // compact: nothing materialised
});
