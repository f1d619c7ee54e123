import assert from "node:assert/strict";
import { buildArc } from "./build.ts";
import { openCompactSplit } from "./compact.ts";
import { verifyArc } from "./verify.ts";

const FIXTURES = new URL("../../fixtures/arc", import.meta.url).pathname;
const quiet = { progress: false, log: () => {}, warn: () => {} };

Deno.test("verify: the reference .npy layout is compared without --all; dataset.json fields are checked", async () => {
  const root = await Deno.makeTempDir();
  try {
    const out = `${root}/d`;
    await buildArc({
      sources: [FIXTURES],
      preset: "arc1",
      aug: 2,
      seed: 1,
      out,
      writeReferenceLayout: true,
      ...quiet,
    });
    const good = await verifyArc(out, {});
    assert.ok(good.ok, good.lines.join("\n"));
    assert.ok(
      good.lines.some((l) => /^test: \.npy layout matches \(\d+ sampled examples\)$/.test(l)),
    );
    // One label token of the last test example changed: found by the sample, and by --all.
    const path = `${out}/test/all__labels.npy`;
    const bytes = await Deno.readFile(path);
    bytes[bytes.length - 1] = bytes[bytes.length - 1] === 0 ? 2 : 0;
    await Deno.writeFile(path, bytes);
    for (const all of [false, true]) {
      const bad = await verifyArc(out, { all });
      assert.equal(bad.ok, false);
      assert.ok(
        bad.lines.some((l) =>
          /^problem: .*test\/all__: 1 (of \d+ sampled )?examples? differs?/.test(l)
        ),
        bad.lines.join("\n"),
      );
    }
    // A dataset.json whose totals or encoding disagree with the arrays is refused at load.
    const metaPath = `${out}/test/dataset.json`;
    const meta = JSON.parse(await Deno.readTextFile(metaPath));
    for (
      const [patch, message] of [
        [{ vocab_size: 10 }, /field 'vocab_size' is 10, expected 12 \(the ARC encoding\)$/],
        [{ total_groups: 5 }, /field 'total_groups' is 5, but the arrays hold 2 groups$/],
      ] as const
    ) {
      await Deno.writeTextFile(metaPath, JSON.stringify({ ...meta, ...patch }));
      await assert.rejects(() => openCompactSplit(out, "test"), message);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
