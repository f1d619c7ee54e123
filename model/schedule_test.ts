import assert from "node:assert/strict";
import { cosineLr } from "./schedule.ts";

const here = new URL(".", import.meta.url).pathname;

Deno.test("schedule: matches the reference's warm-up + cosine (lr_schedule.json)", async () => {
  const rows = JSON.parse(
    await Deno.readTextFile(`${here}../fixtures/hrm-reference/lr_schedule.json`),
  ) as {
    base_lr: number;
    warmup: number;
    total: number;
    min_ratio: number;
    step: number;
    lr: number;
  }[];
  assert.ok(rows.length > 5);
  for (const r of rows) {
    const lr = cosineLr(r.step, r.base_lr, r.warmup, r.total, r.min_ratio);
    assert.ok(
      Math.abs(lr - r.lr) <= 1e-12 * Math.max(1, Math.abs(r.lr)),
      `step ${r.step}: ${lr} vs ${r.lr}`,
    );
  }
});
