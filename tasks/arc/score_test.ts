import assert from "node:assert/strict";
import { type Augmentation, augmentName } from "./augment.ts";
import { buildArc } from "./build.ts";
import { type CompactSet, openCompactSplit } from "./compact.ts";
import { drawCanvas, type Grid, gridFromRows, SEQ_LEN, transformGrid } from "./encode.ts";
import { type EvalOutputs, readEvalOutputs, writeEvalOutputs } from "../../io/eval_outputs.ts";
import { readAnyEvalOutputs } from "../../io/official_preds.ts";
import {
  arcHeadlineUnits,
  arcMetrics,
  arcUnits,
  evaluateArc,
  scoreArcOutputs,
  scoreJson,
  scoreLines,
  scoreTable,
} from "./score_outputs.ts";
import { scoreArc, type TruthTask } from "./score.ts";

const FIXTURES = new URL("../../fixtures/arc", import.meta.url).pathname;

/** Rows of a synthetic eval run: each (augmented) puzzle sees a test input and predicts an answer. */
class Rows {
  ids: number[] = [];
  inputs: Grid[] = [];
  preds: Grid[] = [];
  q: number[] = [];
  constructor(readonly names: string[]) {}
  /** Adds a row for task `stem` under `aug`, with input/answer given in the original frame. */
  add(stem: string, aug: Augmentation, input: Grid, answer: Grid, q = 0) {
    const name = augmentName(stem, aug);
    let id = this.names.indexOf(name);
    if (id < 0) id = this.names.push(name) - 1;
    this.ids.push(id);
    this.inputs.push(transformGrid(input, aug.d, aug.map));
    this.preds.push(transformGrid(answer, aug.d, aug.map));
    this.q.push(q);
  }
  outputs(): EvalOutputs {
    const n = this.ids.length;
    const inputs = new Uint8Array(n * SEQ_LEN), preds = new Uint8Array(n * SEQ_LEN);
    for (let i = 0; i < n; i++) {
      drawCanvas(this.inputs[i], 0, 0, inputs, i * SEQ_LEN);
      drawCanvas(this.preds[i], 0, 0, preds, i * SEQ_LEN);
    }
    return {
      seqLen: SEQ_LEN,
      puzzleIdentifiers: Int32Array.from(this.ids),
      inputs,
      preds,
      qHaltLogits: Float32Array.from(this.q),
      metadata: {},
    };
  }
}

const map = (s: string) => Uint8Array.from(s, Number);
const ID: Augmentation = { d: 0, map: map("0123456789") };
const A1: Augmentation = { d: 1, map: map("0987654321") };
const A2: Augmentation = { d: 6, map: map("0213456789") };
const A3: Augmentation = { d: 7, map: map("0345678912") };

const inA = gridFromRows([[1, 2, 0], [3, 0, 0]]);
const outA = gridFromRows([[2, 1], [0, 3], [9, 9]]);
const inB = gridFromRows([[5]]);
const outB = gridFromRows([[5, 5], [5, 5]]);
const wrong1 = gridFromRows([[1, 1], [0, 3], [9, 9]]);
const wrong2 = gridFromRows([[4]]);
const TRUTH: TruthTask[] = [
  { name: "taskA", demos: [], tests: [{ input: inA, output: outA }, { input: inB, output: outB }] },
  { name: "taskC", demos: [], tests: [{ input: inB, output: wrong2 }] },
];

Deno.test("score: predictions in every dihedral frame and colour map are inverted before voting", () => {
  const rows = new Rows(["<blank>"]);
  for (let d = 0; d < 8; d++) {
    for (const m of ["0123456789", "0918273645", "0234567891"]) {
      rows.add("taskA", { d, map: map(m) }, inA, outA);
      rows.add("taskA", { d, map: map(m) }, inB, outB);
    }
  }
  rows.add("taskC", A2, inB, wrong2);
  const s = scoreArc(rows.names, TRUTH, rows.outputs());
  assert.deepEqual(s.tasks.map((t) => t.passAt[1]), [1, 1]);
  assert.equal(s.tasks[0].tests[0].answers.length, 1);
  assert.equal(s.tasks[0].tests[0].answers[0].votes, 24);
  assert.equal(s.overallFraction[1], 1);
  assert.equal(s.overallAllTests[1], 1);
});

Deno.test("score: votes rank answers; pass@k; multi-test tasks score the fraction", () => {
  const rows = new Rows(["<blank>"]);
  // Test 1 of taskA: wrong1 gets 3 votes, the truth 2: rank 2.
  rows.add("taskA", ID, inA, wrong1);
  rows.add("taskA", A1, inA, wrong1);
  rows.add("taskA", A2, inA, wrong1);
  rows.add("taskA", A3, inA, outA);
  rows.add("taskA", ID, inA, outA);
  // Test 2 of taskA: only wrong answers.
  rows.add("taskA", A1, inB, wrong2);
  rows.add("taskA", A2, inB, inB);
  // taskC is never predicted.
  const s = scoreArc(rows.names, TRUTH, rows.outputs(), [1, 2, 10]);
  const a = s.tasks.find((t) => t.name === "taskA")!;
  assert.equal(a.tests[0].truthRank, 1);
  assert.deepEqual(a.tests[0].answers.map((x) => x.votes), [3, 2]);
  assert.equal(a.tests[1].truthRank, null);
  assert.deepEqual(a.passAt, { 1: 0, 2: 0.5, 10: 0.5 });
  const c = s.tasks.find((t) => t.name === "taskC")!;
  assert.deepEqual(c.passAt, { 1: 0, 2: 0, 10: 0 });
  assert.deepEqual(s.overallFraction, { 1: 0, 2: 0.25, 10: 0.25 });
  assert.deepEqual(s.overallAllTests, { 1: 0, 2: 0, 10: 0 });
});

Deno.test("score: a task with two test inputs, one solved: the two rules differ", () => {
  const rows = new Rows(["<blank>"]);
  rows.add("taskA", ID, inA, outA); // test 1 of taskA solved
  rows.add("taskA", A1, inB, wrong2); // test 2 of taskA not
  rows.add("taskC", A2, inB, wrong2); // taskC's one test solved
  const s = scoreArc(rows.names, TRUTH, rows.outputs(), [1, 2]);
  // all_tests: taskC only (1 of 2 tasks); fraction: (1/2 + 1) / 2.
  assert.deepEqual(arcMetrics(s), {
    "pass@1_all_tests": 0.5,
    "pass@1_fraction": 0.75,
    "pass@2_all_tests": 0.5,
    "pass@2_fraction": 0.75,
  });
  const json = scoreJson(s, { outputs: "o", data: "d" });
  assert.deepEqual(json.overall_all_tests, { "pass@1_all_tests": 0.5, "pass@2_all_tests": 0.5 });
  assert.deepEqual(json.overall_fraction, { "pass@1_fraction": 0.75, "pass@2_fraction": 0.75 });
  const a = json.per_task.find((t) => t.name === "taskA")! as Record<string, unknown>;
  assert.equal(a["pass@2_all_tests"], 0);
  assert.equal(a["pass@2_fraction"], 0.5);
  const lines = scoreLines(s);
  assert.match(lines[0], /paper's rule\): pass@1_all_tests 50\.00% {2}pass@2_all_tests 50\.00%/);
  assert.match(lines[1], /fractional credit: pass@1_fraction 75\.00% {2}pass@2_fraction 75\.00%/);
  const md = scoreTable(s);
  assert.match(
    md,
    /\| all_tests: tasks with every test input solved \(reference notebook, the paper's rule\) \| 50\.00 \| 50\.00 \|/,
  );
  assert.match(md, /\| fraction: [^|]+\| 75\.00 \| 75\.00 \|/);
  // The headline's units: tasks, counted under the all-tests rule.
  assert.deepEqual(arcUnits(s), { unit: "tasks", names: ["taskA", "taskC"], solved: [0, 1] });
});

Deno.test("score: a sampled evaluation is scored on its sampled tasks only", () => {
  const rows = new Rows(["<blank>"]);
  rows.add("taskC", A2, inB, wrong2); // taskC's one test solved; taskA has no rows
  const full = scoreArc(rows.names, TRUTH, rows.outputs(), [2]);
  // Whole split: taskA counts as unsolved, 1 of 2 tasks.
  assert.deepEqual(arcMetrics(full), { "pass@2_all_tests": 0.5, "pass@2_fraction": 0.5 });
  const sampled = rows.outputs();
  sampled.metadata.sample = JSON.stringify({ size: 1, population: 2, seed: 3, rows: 1 });
  const s = scoreArc(rows.names, TRUTH, sampled, [2]);
  // A sample of 1 task (taskC): denominator 1.
  assert.deepEqual(s.tasks.map((t) => t.name), ["taskC"]);
  assert.deepEqual(arcMetrics(s), { "pass@2_all_tests": 1, "pass@2_fraction": 1 });
  assert.deepEqual(s.sample, { size: 1, population: 2, seed: 3 });
  assert.match(scoreLines(s)[0], /^1 tasks \(a sample of 1 of 2 tasks, seed 3\);/);
  assert.deepEqual(scoreJson(s, { outputs: "o", data: "d" }).sample, s.sample);
  sampled.metadata.sample = JSON.stringify({ size: 2, population: 2, seed: 3 });
  assert.throws(
    () => scoreArc(rows.names, TRUTH, sampled),
    /outputs of a sample of 2 tasks have rows of 1 tasks/,
  );
  sampled.metadata.sample = "{}";
  assert.throws(() => scoreArc(rows.names, TRUTH, sampled), /metadata 'sample': expected JSON/);
});

Deno.test("score: ties go to the higher mean sigmoid(q_halt), then to the first seen", () => {
  const rows = new Rows(["<blank>"]);
  rows.add("taskC", ID, inB, inB, 3); // first seen, mean q high
  rows.add("taskC", A1, inB, wrong2, -1);
  rows.add("taskC", A2, inB, wrong2, 5); // wrong2: 2 votes, mean of sigmoid(-1), sigmoid(5)
  rows.add("taskC", A3, inB, inB, -9); // inB: 2 votes, mean of sigmoid(3), sigmoid(-9)
  let s = scoreArc(rows.names, TRUTH, rows.outputs());
  // mean sigmoid: wrong2 (0.2689+0.9933)/2 = 0.631 > inB (0.9526+0.0001)/2 = 0.476.
  assert.equal(s.tasks[1].tests[0].truthRank, 0);
  assert.ok(Math.abs(s.tasks[1].tests[0].answers[0].meanSigmoidQ - 0.6311) < 1e-3);
  // Equal votes and equal q: the answer seen first wins.
  const tie = new Rows(["<blank>"]);
  tie.add("taskC", ID, inB, inB, 0);
  tie.add("taskC", A1, inB, wrong2, 0);
  s = scoreArc(tie.names, TRUTH, tie.outputs());
  assert.equal(s.tasks[1].tests[0].truthRank, 1);
  const tie2 = new Rows(["<blank>"]);
  tie2.add("taskC", A1, inB, wrong2, 0);
  tie2.add("taskC", ID, inB, inB, 0);
  s = scoreArc(tie2.names, TRUTH, tie2.outputs());
  assert.equal(s.tasks[1].tests[0].truthRank, 0);
});

Deno.test("score: padding rows are ignored; unknown rows and foreign inputs are errors", () => {
  const rows = new Rows(["<blank>"]);
  rows.add("taskC", ID, inB, wrong2);
  const o = rows.outputs();
  const padded: EvalOutputs = {
    ...o,
    puzzleIdentifiers: Int32Array.from([0, ...o.puzzleIdentifiers]),
    inputs: Uint8Array.from([...new Uint8Array(SEQ_LEN), ...o.inputs]),
    preds: Uint8Array.from([...new Uint8Array(SEQ_LEN), ...o.preds]),
    qHaltLogits: Float32Array.from([0, ...o.qHaltLogits]),
  };
  const s = scoreArc(rows.names, TRUTH, padded);
  assert.equal(s.rowsPadding, 1);
  assert.equal(s.rowsUsed, 1);
  assert.throws(() => scoreArc(["<blank>"], TRUTH, o), /identifier 1 is not in identifiers\.json/);
  assert.throws(
    () => scoreArc(["<blank>", "nope"], TRUTH, o),
    /'nope' is not a task of the test split/,
  );
  const other = new Rows(["<blank>"]);
  other.add("taskC", A1, inA, wrong2);
  assert.throws(() => scoreArc(other.names, TRUTH, other.outputs()), /none of taskC's test inputs/);
});

Deno.test("score: outputs round-trip through the saved format; a folder is concatenated", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const rows = new Rows(["<blank>"]);
    rows.add("taskC", ID, inB, wrong2, 1.5);
    rows.add("taskC", A1, inB, inB, -2);
    const o = rows.outputs();
    await writeEvalOutputs(`${dir}/a.safetensors`, {
      ...o,
      labels: Int32Array.from(o.preds),
      metadata: { step: "7" },
    });
    const back = await readEvalOutputs(`${dir}/a.safetensors`);
    assert.deepEqual(back.puzzleIdentifiers, o.puzzleIdentifiers);
    assert.deepEqual(back.inputs, o.inputs);
    assert.deepEqual(back.preds, o.preds);
    assert.deepEqual(back.labels, o.preds);
    assert.deepEqual(back.qHaltLogits, o.qHaltLogits);
    assert.equal(back.metadata.step, "7");
    await Deno.copyFile(`${dir}/a.safetensors`, `${dir}/b.safetensors`);
    const both = await readEvalOutputs(dir);
    assert.equal(both.puzzleIdentifiers.length, 4);
    await assert.rejects(
      () => writeEvalOutputs(`${dir}/c.safetensors`, { ...o, qHaltLogits: new Float32Array(1) }),
      /q_halt_logits: 1 values, expected 2/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("eval-arc: a built folder scored with the labels as predictions gives 100%", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await buildArc({
      sources: [FIXTURES],
      preset: "arc1",
      aug: 30,
      seed: 3,
      out: `${dir}/data`,
      writeReferenceLayout: true,
      progress: false,
      log: () => {},
      warn: () => {},
    });
    const split = await openCompactSplit(`${dir}/data`, "test");
    const set = split.sets.get("all") as CompactSet;
    assert.deepEqual(new Set(set.arrays.puzzleDihedral).size, 8, "all 8 transforms are exercised");
    const n = set.numExamples;
    const inputs = new Int32Array(n * SEQ_LEN), labels = new Int32Array(n * SEQ_LEN);
    const ids = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) {
      set.fill(i, inputs, labels, i * SEQ_LEN);
      ids[i] = set.puzzleIdentifiers[set.examplePuzzle[i]];
    }
    // One padding row at the end, as an evaluation's last batch has.
    const pad = (a: Int32Array) => Int32Array.from([...a, ...new Int32Array(SEQ_LEN)]);
    await writeEvalOutputs(`${dir}/out.safetensors`, {
      seqLen: SEQ_LEN,
      puzzleIdentifiers: ids,
      inputs: pad(inputs),
      preds: pad(labels),
      qHaltLogits: new Float32Array(n + 1),
    });
    const score = await evaluateArc({
      outputs: `${dir}/out.safetensors`,
      data: `${dir}/data`,
      out: `${dir}/report`,
    });
    assert.equal(score.tasks.length, 2);
    assert.equal(score.overallAllTests[2], 1);
    assert.equal(score.overallFraction[2], 1);
    assert.equal(score.rowsPadding, 1);
    const json = JSON.parse(await Deno.readTextFile(`${dir}/report/score.json`));
    assert.equal(json.overall_all_tests["pass@2_all_tests"], 1);
    assert.equal(json.test_inputs, 3);
    assert.match(
      await Deno.readTextFile(`${dir}/report/score.md`),
      /\| b1recolour \| 2 \| 100\.00/,
    );
    const svg = await Deno.readTextFile(`${dir}/report/tasks/b1recolour.svg`);
    assert.match(svg, /^<svg/);
    assert.match(svg, /demonstration 2/);
    assert.match(svg, /#1: 31 votes/);
    assert.match(svg, /pass@2: 2 of 2 test inputs/);
    assert.match(await Deno.readTextFile(`${dir}/report/index.html`), /tasks\/b2grow\.svg/);
    // The same folder read through its .npy layout alone scores the same.
    await Deno.remove(`${dir}/data/arc_grids.safetensors`);
    const again = await evaluateArc({
      outputs: `${dir}/out.safetensors`,
      data: `${dir}/data`,
      out: `${dir}/report2`,
    });
    assert.deepEqual(again.overallFraction, score.overallFraction);
    // The task's scorer and its headline units (scored once for both).
    const outputs = await readEvalOutputs(`${dir}/out.safetensors`);
    const at = {
      outputsFile: `${dir}/out.safetensors`,
      dataDir: `${dir}/data`,
      outDir: `${dir}/m`,
    };
    assert.equal((await scoreArcOutputs(outputs, at))["pass@2_all_tests"], 1);
    await Deno.remove(`${dir}/m`, { recursive: true });
    assert.deepEqual(await arcHeadlineUnits(outputs, at), {
      unit: "tasks",
      names: score.tasks.map((t) => t.name),
      solved: [1, 1],
    });
    assert.equal(
      await Deno.readTextFile(`${dir}/report2/tasks/b1recolour.svg`),
      svg,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("eval-arc: our outputs -> the reference's rank files -> the same score; labels as built", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await buildArc({
      sources: [FIXTURES],
      preset: "arc1",
      aug: 10,
      seed: 5,
      out: `${dir}/data`,
      progress: false,
      log: () => {},
      warn: () => {},
    });
    const set = (await openCompactSplit(`${dir}/data`, "test")).sets.get("all") as CompactSet;
    const n = set.numExamples;
    const inputs = new Int32Array(n * SEQ_LEN), labels = new Int32Array(n * SEQ_LEN);
    const ids = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      set.fill(i, inputs, labels, i * SEQ_LEN);
      ids[i] = set.puzzleIdentifiers[set.examplePuzzle[i]];
    }
    // Every puzzle's second test input is answered with its input (wrong): the task with two
    // test inputs then solves one of them, and the two rules differ.
    const preds = labels.slice();
    for (let i = 0; i < n; i++) {
      if (i - set.puzzleIndices[set.examplePuzzle[i]] === 1) {
        preds.set(inputs.subarray(i * SEQ_LEN, (i + 1) * SEQ_LEN), i * SEQ_LEN);
      }
    }
    await writeEvalOutputs(`${dir}/out.safetensors`, {
      seqLen: SEQ_LEN,
      puzzleIdentifiers: ids,
      inputs,
      preds,
      qHaltLogits: Float32Array.from({ length: n }, (_, i) => (i % 7) - 3),
      metadata: { step: "1234" },
    });
    const ours = await evaluateArc({
      outputs: `${dir}/out.safetensors`,
      data: `${dir}/data`,
      out: `${dir}/r1`,
      render: false,
      writeOfficial: { dir: `${dir}/official` },
    });
    assert.deepEqual(ours.overallAllTests[2], 0.5);
    assert.deepEqual(ours.overallFraction[2], 0.75);
    const files = [...Deno.readDirSync(`${dir}/official`)].map((e) => e.name);
    assert.deepEqual(files, ["step_1234_all_preds.0"]);
    // Writing step 1234 there again is refused before anything is written.
    await assert.rejects(
      () =>
        evaluateArc({
          outputs: `${dir}/out.safetensors`,
          data: `${dir}/data`,
          out: `${dir}/r0`,
          writeOfficial: { dir: `${dir}/official` },
        }),
      /step_1234_all_preds\.0 already exists/,
    );
    assert.equal(await Deno.stat(`${dir}/r0`).catch(() => null), null);
    // The labels drawn from the truth are the built test split's labels, row for row.
    const official = await readAnyEvalOutputs(`${dir}/official/step_1234_all_preds.0`);
    assert.deepEqual(official.labels, Uint8Array.from(labels));
    assert.deepEqual(official.preds, Uint8Array.from(preds));
    const theirs = await evaluateArc({
      outputs: `${dir}/official`,
      data: `${dir}/data`,
      out: `${dir}/r2`,
      render: false,
    });
    assert.deepEqual(theirs.overallAllTests, ours.overallAllTests);
    assert.deepEqual(theirs.overallFraction, ours.overallFraction);
    assert.deepEqual(
      theirs.tasks.map((t) => t.tests.map((r) => r.answers.map((a) => [a.votes, a.meanSigmoidQ]))),
      ours.tasks.map((t) => t.tests.map((r) => r.answers.map((a) => [a.votes, a.meanSigmoidQ]))),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
