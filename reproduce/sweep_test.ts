import assert from "node:assert/strict";
import { join } from "node:path";
import { gridPoints, parseGridAxis, readGridFile } from "./sweep_grid.ts";
import { checkPoints } from "./sweep.ts";
import { getPreset, SWEEP_PRESETS } from "./sweep_presets.ts";
import { getProfile } from "./profiles.ts";
import { loadPaperFixtures } from "./paper.ts";

Deno.test("--grid: parsed in one line; the cross product in axis order", () => {
  assert.deepEqual(parseGridAxis("arch.H_cycles=1,2,4"), {
    key: "arch.H_cycles",
    values: ["1", "2", "4"],
  });
  assert.throws(() => parseGridAxis("arch.H_cycles"), /expected KEY=V1,V2/);
  assert.throws(() => parseGridAxis("=1,2"), /expected KEY=V1,V2/);
  assert.throws(() => parseGridAxis("lr=1,,2"), /expected KEY=V1,V2/);
  assert.throws(() => parseGridAxis("lr=1,1"), /repeated/);
  const points = gridPoints([parseGridAxis("a.x=1,2"), parseGridAxis("b=p,q,r")]);
  assert.equal(points.length, 6);
  assert.deepEqual(points[0], {
    id: "point_0",
    overrides: ["a.x=1", "b=p"],
    values: { "a.x": "1", b: "p" },
  });
  assert.deepEqual(points[5].overrides, ["a.x=2", "b=r"]);
  assert.equal(
    gridPoints(Array.from({ length: 1 }, () =>
      parseGridAxis(
        "k=" + Array.from({ length: 11 }, (_, i) => i).join(","),
      )))[0].id,
    "point_00",
  );
});

Deno.test("--grid-file: JSON grid, errors name the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = join(dir, "g.json");
    await Deno.writeTextFile(
      good,
      JSON.stringify({ grid: { "arch.H_cycles": [1, 2], lr: ["1e-4"] } }),
    );
    assert.deepEqual(await readGridFile(good), [
      { key: "arch.H_cycles", values: ["1", "2"] },
      { key: "lr", values: ["1e-4"] },
    ]);
    const bad = join(dir, "b.json");
    await Deno.writeTextFile(bad, JSON.stringify({ grid: { lr: [] } }));
    await assert.rejects(readGridFile(bad), /--grid-file .*b\.json: expected \{"grid"/);
    await assert.rejects(readGridFile(join(dir, "none.json")), /--grid-file .*none\.json/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("every preset is a valid sweep of its profile; bad keys and models are refused", async () => {
  const paper = await loadPaperFixtures();
  for (const [name, p] of Object.entries(SWEEP_PRESETS)) {
    const plan = getProfile(p.profile, paper).tasks.find((t) => t.task === p.task);
    assert.ok(plan, `${name}: task ${p.task} in profile ${p.profile}`);
    checkPoints(plan, p.models, gridPoints(p.grid));
    assert.equal(p.scale === "cpu", p.profile !== "paper", `${name}: cpu scale iff not paper`);
  }
  assert.throws(() => getPreset("nope"), /unknown \(one of fig2-/);
  const plan = getProfile("smoke", paper).tasks[0];
  assert.throws(
    () => checkPoints(plan, ["hrm"], gridPoints([parseGridAxis("arch.H_cyclez=1")])),
    /--grid arch\.H_cyclez=1 \(hrm\)/,
  );
  assert.throws(
    () => checkPoints(plan, ["hrm"], gridPoints([parseGridAxis("arch.H_cycles=0")])),
    /--grid arch\.H_cycles=0/,
  );
  assert.throws(() => checkPoints(plan, ["nope"], []), /--models nope: not a model of sudoku/);
});
