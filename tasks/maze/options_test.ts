import assert from "node:assert/strict";
import { checkBuildSize, parseBuildArgs } from "./options.ts";

Deno.test("maze options: a build far beyond memory is refused in one line before any work", async () => {
  const dir = await Deno.makeTempDir();
  const out = `${dir}/out`;
  const start = performance.now();
  assert.throws(
    () => parseBuildArgs(["--out", out, "--train", "100000000", "--aug"]),
    /^Error: --train 100000000 \(x8 with --aug\) \+ --test 1000 mazes of 30x30 need about [\d.]+ GiB of arrays in memory; this machine has [\d.]+ GiB: lower --train, --test or --size$/,
  );
  assert.throws(
    () => parseBuildArgs(["--out", out, "--train", "300000000", "--aug"]),
    /make 2400001000 examples; int32 indices allow 2147483647: lower --train or --test$/,
  );
  assert.ok(performance.now() - start < 1000);
  assert.deepEqual([...Deno.readDirSync(dir)], []); // nothing written
  const o = parseBuildArgs(["--out", out, "--train", "1000", "--aug"])!;
  assert.throws(() => checkBuildSize(o, 2 ** 20), /this machine has 0\.0 GiB/);
  checkBuildSize(o, 2 ** 30); // 9000 x 1812 bytes fit in 1 GiB
  await Deno.remove(dir, { recursive: true });
});
