import assert from "node:assert/strict";
import { buildCommand, checkSudokuSize } from "./cli.ts";

Deno.test("sudoku cli: --aug beyond int32 indices or memory is refused in one line before any work", async () => {
  const dir = await Deno.makeTempDir();
  const start = performance.now();
  await assert.rejects(
    () => buildCommand(["--out", `${dir}/out`, "--train", "3000000", "--aug", "1000"]),
    /^Error: 3000000 training puzzles x \(--aug 1000 \+ 1\) make 3003000000 examples; int32 indices allow 2147483647: lower --aug$/,
  );
  await assert.rejects(
    () =>
      buildCommand([
        "--out",
        `${dir}/out`,
        "--from-csv",
        `${dir}/missing`,
        "--subsample",
        "2000000",
        "--aug",
        "1000",
        "--write-reference-layout",
      ]),
    /^Error: 2000000 training puzzles x \(--aug 1000 \+ 1\) need about 317\.0 GiB for --write-reference-layout; this machine has [\d.]+ GiB: lower --aug or drop --write-reference-layout$/,
  );
  assert.ok(performance.now() - start < 1000);
  assert.deepEqual([...Deno.readDirSync(dir)], []); // nothing written
  checkSudokuSize(1000, 1000, true, 2 ** 30); // the paper's 1k x 1000: 170 MB
  checkSudokuSize(1_000_000, 1000, false, 2 ** 30); // compact: augmentations made when batching
  checkSudokuSize(undefined, 10_000_000, true, 1); // a whole CSV: checked as it is read
  await Deno.remove(dir, { recursive: true });
});
