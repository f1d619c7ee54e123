/**
 * Task-specific scores computed from saved evaluation outputs, beside the
 * trainer's exact accuracy: Maze's valid-shortest-path rate (a valid path of
 * the same length as the labelled one counts, as it should, though the
 * paper's metric is exact match).
 * @module
 */
import type { HostTensor } from "../io/dtypes.ts";
import { scoreMazePredictions } from "../tasks/maze/mod.ts";
import type { TaskPlan } from "./plan.ts";

/** Extra metrics and the metric that maps onto the headline table. */
export interface TaskScores {
  metrics: Record<string, number>;
  headlineMetric: string;
}

/** Scores one task's final evaluation outputs (`inputs`, `labels`, `preds`, ...). */
export function scoreTaskOutputs(
  plan: TaskPlan,
  outputs: Map<string, HostTensor>,
): Promise<TaskScores> {
  const inputs = outputs.get("inputs");
  const labels = outputs.get("labels");
  const preds = outputs.get("preds");
  if (plan.taskModule === "maze" && inputs && labels && preds) {
    const score = scoreMazePredictions(
      inputs.data as Int32Array,
      labels.data as Int32Array,
      preds.data as Int32Array,
      inputs.shape[1],
      -100,
    );
    return Promise.resolve({
      metrics: { valid_shortest_path_rate: score.validShortestRate },
      headlineMetric: "exact_accuracy",
    });
  }
  return Promise.resolve({ metrics: {}, headlineMetric: "exact_accuracy" });
}
