import assert from "node:assert/strict";
import type { AnalysisSummary } from "../../analysis/mod.ts";
import { loadPaperFixtures } from "../paper.ts";
import { analysesHtml, analysesMarkdown, analysisRows, sawtooth } from "./analyses.ts";

function summary(arch: string): AnalysisSummary {
  return {
    model_id: arch === "hrm" ? "hrm" : "direct_pred",
    version: 1,
    model: { arch, hidden_size: 64, H_cycles: 2, L_cycles: 2, seq_len: 4 },
    samples: 8,
    test_rows: 8,
    seed: 0,
    trained_halt_max_steps: arch === "hrm" ? 2 : 1,
    forward_residuals: {
      norm: "n",
      cycles: { H: 2, L: 2 },
      segments: 2,
      z_L: arch === "hrm" ? [1, 0.5, 0.8, 0.2, 0.6, 0.1, 0.05, 0.01] : [],
      z_H: arch === "hrm" ? [0.9, 0.4, 0.3, 0.2] : [0.7],
      h_boundaries: arch === "hrm" ? [2, 4, 6, 8] : [0],
      segment_boundaries: [0, 4],
      blocks: arch === "hrm" ? [] : [0.9, 0.3],
    },
    inference_scaling: [1, 2, 3, 4].map((s) => ({
      segments: s,
      exact_accuracy: s / 8,
      token_accuracy: 0.5,
      count: 8,
    })),
    act_halting: {
      max_steps: arch === "hrm" ? 2 : 1,
      histogram: [{ steps: 1, count: 8 }],
      mean_steps: 1,
      exact_accuracy_at_halt: 0.125,
      exact_accuracy_at_max: 0.25,
      count: 8,
    },
    participation_ratio: {
      z_H: 9,
      z_L: arch === "hrm" ? 3 : null,
      untrained: { z_H: 4, z_L: arch === "hrm" ? 4 : null },
      untrained_seed: 0,
      n_states: 32,
      states: "s",
      by_samples: [],
    },
    intermediate: [{
      file: "analysis_predictions_1.svg",
      test_row: 0,
      exact_by_segment: [false, true],
      changed_by_segment: [2, 1],
    }],
    figures: { residuals: "r.svg", scaling: "s.svg", participation: "p <x>.svg" },
  };
}

Deno.test("analyses section: the paper's claims beside ours, for HRM and the baseline", async () => {
  const paper = await loadPaperFixtures();
  const hrm = summary("hrm");
  // Inner H updates at L calls 2, 4, 6: z_L jumps after 2 (0.5 -> 0.8) and 4 (0.2 -> 0.6), not 6.
  assert.deepEqual(sawtooth(hrm), { jumps: 2, of: 3 });
  const rows = analysisRows(hrm, paper);
  const pr = rows.find((r) => r.figure === "8: PR z_H / z_L, trained")!;
  assert.equal(pr.paper, "89.95 / 30.22 (ratio 2.98; hidden 512, Sudoku)");
  assert.equal(pr.ours, "9.00 / 3.00 (ratio 3.00; hidden 64, 32 states)");
  const sc = rows.find((r) => r.figure.startsWith("5c"))!;
  assert.match(sc.ours, /exact 25\.0% at the trained 2 segment\(s\), 50\.0% at 4; best 50\.0%/);
  const base = analysisRows(summary("transformer"), paper);
  assert.ok(base.some((r) => r.figure === "3: baseline block residual"));
  assert.ok(!base.some((r) => r.figure.startsWith("5a/b")), "no ACT row for a one-segment model");
  assert.ok(base.some((r) => r.figure === "8: PR of the final state"));
  const md = analysesMarkdown([hrm, summary("transformer")], paper);
  assert.match(md, /^\n## Analyses \(paper figures 3, 5, 7, 8\)\n/);
  assert.match(md, /\(hrm\/p%20%3Cx%3E\.svg\)/);
  const html = analysesHtml([hrm], paper);
  assert.match(html, /<img src="hrm\/p%20%3Cx%3E\.svg" alt="p &#60;x&#62;\.svg">/);
  assert.equal(analysesMarkdown([], paper), "");
  assert.equal(analysesHtml([], paper), "");
});
