import assert from "node:assert/strict";
import { runMarks, scoringLines, stoppedMark } from "./scoring.ts";
import type { TaskReport } from "./schema.ts";

type Model = TaskReport["models"][number];

const base = (over: Partial<Model>): Model => ({
  model: "hrm",
  status: "done",
  metrics: { exact_accuracy: 0.5 },
  headlineMetric: "exact_accuracy",
  actCurve: [],
  haltingSteps: [],
  trainSteps: 10,
  parameters: null,
  checkpoint: null,
  givenCheckpoint: false,
  ...over,
});

const report = (models: Model[]) => ({ task: { task: "arc1" }, models }) as unknown as TaskReport;

Deno.test("scoring lines: the rule and step, an early stop, a sample with its Wilson interval", () => {
  const hrm = base({
    scoredCheckpoint: {
      rule: "eval=8",
      step: 414456,
      evaluation: 8,
      evaluations: 10,
      note: "the 8th of 10 evaluations (step 414456)",
    },
    sample: {
      size: 1000,
      population: 422786,
      seed: 0,
      unit: "puzzles",
      rows: 1000,
      correct: 550,
      ci95: [0.519, 0.581],
      text: "1,000 of 422,786 test puzzles, seed 0",
    },
  });
  const base2 = base({
    model: "direct_pred",
    training: { stopped: "non-finite loss at step 57", scored_step: 40 },
    scoredCheckpoint: {
      rule: "last",
      step: 40,
      evaluation: 2,
      evaluations: 2,
      note: "the last good checkpoint (step 40)",
    },
  });
  const r = report([hrm, base2, base({ model: "x", status: "not_run" })]);
  assert.deepEqual(scoringLines(r), [
    "hrm: scored checkpoint (eval=8): the 8th of 10 evaluations (step 414456)",
    "hrm: scored on a sample of the test set: 1,000 of 422,786 test puzzles, seed 0; exact " +
    "accuracy 550/1000 = 55.0%, Wilson 95% [51.9%, 58.1%]",
    "direct_pred: scored checkpoint (last): the last good checkpoint (step 40)",
    "direct_pred: training stopped early (non-finite loss at step 57): the last good checkpoint " +
    "(step 40) was scored",
  ]);
  assert.deepEqual(runMarks([r]), [
    "arc1/hrm: scored on a sample: 1,000 of 422,786 test puzzles, seed 0",
    "arc1/hrm: scored the 8th of 10 evaluations (step 414456)",
    "arc1/direct_pred: training stopped early (non-finite loss at step 57): the last good " +
    "checkpoint (step 40) was scored",
  ]);
});

Deno.test("scoring lines: a sample whose headline counts the task's own units (several rows each)", () => {
  const m = base({
    headlineMetric: "pass@2_all_tests",
    sample: {
      size: 10,
      population: 400,
      seed: 1,
      unit: "puzzle groups",
      rows: 80,
      correct: 20,
      ci95: [0.17, 0.36],
      text: "10 of 400 test puzzle groups, seed 1 (80 test rows)",
      headline: {
        metric: "pass@2_all_tests",
        unit: "tasks",
        n: 10,
        correct: 3,
        ci95: [0.108, 0.603],
      },
    },
  });
  assert.deepEqual(scoringLines(report([m])), [
    "hrm: scored on a sample of the test set: 10 of 400 test puzzle groups, seed 1 (80 test rows); " +
    "exact accuracy 20/80 = 25.0%, Wilson 95% [17.0%, 36.0%]; pass@2_all_tests 3/10 tasks = " +
    "30.0%, Wilson 95% [10.8%, 60.3%] (tasks as the units)",
  ]);
});

Deno.test("scoring lines: with several seeds, the seeds that stopped are named", () => {
  const entry = (seed: number, stopped?: string) => ({
    seed,
    n: 8,
    correct: 1,
    exact_accuracy: 0.125,
    ci95: [0.02, 0.47] as [number, number],
    headline_metric: "exact_accuracy",
    headline: 0.125,
    scored_step: stopped ? 3 : 8,
    ...(stopped ? { stopped } : {}),
  });
  const m = base({ seeds: [entry(0), entry(1, "non-finite loss at step 5")] });
  assert.equal(
    stoppedMark(m),
    "training stopped early (seed 1: non-finite loss at step 5, scored step 3): the last good " +
      "checkpoint was scored",
  );
  assert.equal(stoppedMark(base({ seeds: [entry(0)] })), undefined);
});
