import assert from "node:assert/strict";
import { parseModelConfig } from "../model/mod.ts";
import { ARC_PRIZE_BASELINE_DIFFERENCES, getPreset } from "./sweep_presets.ts";
import { sweepMarkdown, type SweepReport } from "./sweep_report.ts";

Deno.test("the ARC Prize preset states how its Transformer differs from the fork's", () => {
  const p = getPreset("arcprize-hl-vs-flat");
  assert.ok(p.caveat?.includes(ARC_PRIZE_BASELINE_DIFFERENCES));
  assert.match(ARC_PRIZE_BASELINE_DIFFERENCES, /12 heads/);
  assert.match(ARC_PRIZE_BASELINE_DIFFERENCES, /target_q_update_every 4/);
  // The fork's 12 heads at width 512: 12 x 42 = 504-wide attention, which our model refuses.
  const base = { batch_size: 1, seq_len: 900, num_puzzle_identifiers: 2, vocab_size: 12 };
  assert.throws(
    () => parseModelConfig({ ...base, arch: "transformer", num_heads: 12 }),
    /not divisible by num_heads 12/,
  );
  // The 131,072 fewer parameters: 8 blocks x (qkv 512 x 3 x (512 - 504) + o_proj (512 - 504) x 512).
  assert.equal(8 * (512 * 3 * (512 - 504) + (512 - 504) * 512), 131072);
});

Deno.test("a sweep report of a preset shows the preset's caveat", () => {
  const r: SweepReport = {
    schema: "hrm-harness/sweep-report@1",
    name: "s",
    profile: "paper",
    task: "arc1",
    preset: "arcprize-hl-vs-flat",
    grid: [{ key: "arch.halt_max_steps", values: ["16"] }],
    seeds: [0],
    points: [],
  };
  assert.match(sweepMarkdown(r), /Preset note: .*Not matched to the ARC Prize fork's Transformer/);
});
