/**
 * Task-specific scores computed from saved evaluation outputs, beside the
 * trainer's exact accuracy:
 * - Maze: the valid-shortest-path rate (a valid path as short as the labelled
 *   one counts, though the paper's metric is exact match);
 * - ARC: voting over augmentations and pass@k (`tasks/arc/report.ts`), whose
 *   pass@2 is the headline number; its own report goes to `<model>/arc_score/`.
 * @module
 */
import { join } from "node:path";
import type { HostTensor } from "../io/dtypes.ts";
import { scoreMazePredictions } from "../tasks/maze/mod.ts";
import { writeEvalOutputs } from "../tasks/arc/outputs.ts";
import { evaluateArc } from "../tasks/arc/report.ts";
import type { TaskPlan } from "./plan.ts";

/** Extra metrics and the metric that maps onto the headline table. */
export interface TaskScores {
  metrics: Record<string, number>;
  headlineMetric: string;
}

/** The pass@k values the ARC score reports. */
export const ARC_KS = [1, 2, 10, 100, 1000];

function need(outputs: Map<string, HostTensor>, key: string): HostTensor {
  const t = outputs.get(key);
  if (!t) throw new Error(`evaluation outputs lack '${key}'`);
  return t;
}

/** Scores one task's final evaluation outputs (`inputs`, `labels`, `preds`, ...). */
export async function scoreTaskOutputs(
  plan: TaskPlan,
  outputs: Map<string, HostTensor>,
  outDir: string,
): Promise<TaskScores> {
  if (plan.taskModule === "maze") {
    const inputs = need(outputs, "inputs");
    const score = scoreMazePredictions(
      inputs.data as Int32Array,
      need(outputs, "labels").data as Int32Array,
      need(outputs, "preds").data as Int32Array,
      inputs.shape[1],
      -100,
    );
    return {
      metrics: { valid_shortest_path_rate: score.validShortestRate },
      headlineMetric: "exact_accuracy",
    };
  }
  if (plan.taskModule === "arc") {
    const inputs = need(outputs, "inputs");
    const file = join(outDir, "arc_outputs.safetensors");
    await writeEvalOutputs(file, {
      seqLen: inputs.shape[1],
      puzzleIdentifiers: need(outputs, "puzzle_identifiers").data as Int32Array,
      inputs: inputs.data as Int32Array,
      preds: need(outputs, "preds").data as Int32Array,
      qHaltLogits: need(outputs, "q_halt_logits").data as Float32Array,
      metadata: { dataset: plan.dataDir },
    });
    const score = await evaluateArc({
      outputs: file,
      data: plan.dataDir,
      out: join(outDir, "arc_score"),
      ks: ARC_KS,
    });
    const metrics: Record<string, number> = {};
    for (const k of ARC_KS) {
      metrics[`pass@${k}`] = score.overall[k];
      metrics[`pass@${k}_all_tests`] = score.overallAllTests[k];
    }
    return { metrics, headlineMetric: "pass@2" };
  }
  return { metrics: {}, headlineMetric: "exact_accuracy" };
}
