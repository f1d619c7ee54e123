import assert from "node:assert/strict";
import { getTask } from "../registry.ts";

const FIXTURES = new URL("../../fixtures/arc", import.meta.url).pathname;

Deno.test("mod: 'arc' is registered; it recognises, opens and verifies its builds", async () => {
  const task = getTask("arc");
  assert.ok(task.recognises!({ seq_len: 900, vocab_size: 12 }));
  assert.ok(!task.recognises!({ seq_len: 900, vocab_size: 6 }));
  const dir = await Deno.makeTempDir();
  try {
    await task.build([
      "--source",
      FIXTURES,
      "--preset",
      "arc2",
      "--aug",
      "3",
      "--out",
      `${dir}/d`,
      "--no-progress",
    ]);
    assert.ok(await task.isCompact!(`${dir}/d`));
    assert.ok(!(await task.isCompact!(dir)));
    const split = await task.openCompact!(`${dir}/d`, "train");
    assert.equal(split.metadata.seq_len, 900);
    assert.equal(split.sets.get("all")!.groupIndices.length - 1, 3);
    const report = await task.verify(`${dir}/d`, { all: true });
    assert.ok(report.ok, report.lines.join("\n"));
    const build = JSON.parse(await Deno.readTextFile(`${dir}/d/build.json`));
    assert.equal(build.task, "arc");
    // A corrupted identifier is caught by verify.
    const ids = JSON.parse(await Deno.readTextFile(`${dir}/d/identifiers.json`));
    ids[2] = ids[2] + "x";
    await Deno.writeTextFile(`${dir}/d/identifiers.json`, JSON.stringify(ids));
    const bad = await task.verify(`${dir}/d`, {});
    assert.ok(!bad.ok);
    assert.ok(
      bad.lines.some((l) => /does not match its stored augmentation|does not start/.test(l)),
    );
    await assert.rejects(
      () => task.build(["--preset", "arc2"]),
      /required option '--(source|out) <dir>' not specified/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
