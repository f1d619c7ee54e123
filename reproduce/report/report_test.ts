import assert from "node:assert/strict";
import { join } from "node:path";
import { downsample, lastValue, parseMetricsJsonl } from "./metrics.ts";
import {
  cellStatus,
  type ModelResult,
  type RunManifest,
  statusText,
  stripVolatile,
  type TaskRecord,
  TaskReportSchema,
} from "./schema.ts";
import { checkRunInside, writeRunReports } from "./write.ts";
import { comparisonPairs, notRunResult } from "./build.ts";
import { mdCode, mdText } from "./markdown.ts";
import { acquireRunLock } from "../../io/mod.ts";
import { wilson } from "../stats.ts";

const ENV = {
  backend: "cpu",
  adapter: null,
  deno: "2.9.6",
  typescript: "5",
  v8: "13",
  tfjs: "4.22.0",
  os: "linux",
  cpus: 2,
};

function record(task: "sudoku" | "maze", models: string[][]): TaskRecord {
  return {
    task,
    label: task === "sudoku" ? "Sudoku (synthetic)" : "Maze (synthetic)",
    taskModule: task,
    build: ["--out", `data/x/${task}`],
    dataDir: `data/x/${task}`,
    datasetDigest: "ab".repeat(32),
    models: models.map(([id, paperModel]) => ({
      id,
      label: id.toUpperCase(),
      paperModel,
      overrides: [`data_path=data/x/${task}`],
    })),
    differences: [{ setting: "hidden size", paper: "512", ours: "64" }],
    dataSeconds: 1.5,
  };
}

function result(model: string, exact: number): ModelResult {
  return {
    ...notRunResult(model, ""),
    status: "done",
    reason: undefined,
    metrics: { exact_accuracy: exact, accuracy: 0.9, steps: 16, count: 100 },
    actCurve: [{ segments: 1, exact_accuracy: exact / 2 }, { segments: 2, exact_accuracy: exact }],
    haltingSteps: [{ steps: 1, count: 3 }, { steps: 2, count: 5 }],
    examples: [{
      input: [2, 1, ...Array(79).fill(1)],
      label: [2, 3, ...Array(79).fill(4)],
      prediction: [2, 5, ...Array(79).fill(4)],
      name: "row 0",
    }],
    trainSteps: 10,
    parameters: 1234,
    checkpoint: "x.safetensors",
    trainSeconds: 3,
    evalSeconds: 1,
  };
}

async function syntheticRun(): Promise<string> {
  const dir = await Deno.makeTempDir();
  const manifest: RunManifest = {
    run: "synth",
    profile: "smoke",
    tasks: ["sudoku", "maze", "arc1"],
    checkpoints: {},
    seed: 0,
    startedAt: "2026-01-01T00:00:00Z",
    environment: ENV,
  };
  await Deno.writeTextFile(join(dir, "run.json"), JSON.stringify(manifest));
  for (const t of ["sudoku", "maze"] as const) {
    await Deno.mkdir(join(dir, t, "hrm"), { recursive: true });
    await Deno.mkdir(join(dir, t, "direct_pred"), { recursive: true });
    await Deno.mkdir(join(dir, t, "trm"), { recursive: true });
    const trm = t === "sudoku" ? "trm_mlp" : "trm_att";
    await Deno.writeTextFile(
      join(dir, t, "task.json"),
      JSON.stringify(record(t, [["hrm", "hrm"], ["direct_pred", "direct_pred"], ["trm", trm]])),
    );
  }
  await Deno.writeTextFile(
    join(dir, "sudoku/trm/result.json"),
    JSON.stringify(result("trm", 0.86)),
  );
  await Deno.writeTextFile(
    join(dir, "sudoku/hrm/result.json"),
    JSON.stringify(result("hrm", 0.53)),
  );
  await Deno.writeTextFile(
    join(dir, "sudoku/direct_pred/result.json"),
    JSON.stringify(result("direct_pred", 0.031)),
  );
  await Deno.writeTextFile(join(dir, "maze/hrm/result.json"), JSON.stringify(result("hrm", 0.5)));
  const lines = [];
  for (let s = 1; s <= 5; s++) {
    lines.push(JSON.stringify({ step: s, "train/lm_loss": 2 / s, "train/exact_accuracy": s / 10 }));
  }
  lines.push(JSON.stringify({ step: 5, "all/exact_accuracy": 0.53 }));
  await Deno.writeTextFile(join(dir, "sudoku/hrm/metrics.jsonl"), lines.join("\n") + "\n");
  return dir;
}

Deno.test("cell status follows the tolerance, both sides inclusive", () => {
  assert.equal(cellStatus(53, 55, 2), "reproduced");
  assert.equal(cellStatus(57, 55, 2), "reproduced");
  assert.equal(cellStatus(52.9, 55, 2), "below");
  assert.equal(cellStatus(3.1, 0, 2), "above");
  assert.equal(cellStatus(null, 55, 2), "not_run");
  // Only the paper profile reproduces: a scaled-down run within tolerance says so.
  assert.equal(cellStatus(53, 55, 2, "cpu"), "within_tolerance_scaled_down");
  assert.equal(cellStatus(53, 55, 2, "smoke"), "within_tolerance_scaled_down");
  assert.equal(cellStatus(53, 55, 2, "paper"), "reproduced");
  // A paper-size run scored on a sample is never plainly reproduced.
  assert.equal(cellStatus(53, 55, 2, "paper", true), "consistent_on_sample");
  assert.equal(cellStatus(53, 55, 2, "cpu", true), "within_tolerance_scaled_down");
  assert.equal(cellStatus(50, 55, 2, "paper", true), "below");
});

Deno.test("metrics.jsonl: flat, split and nested lines, torn last line", () => {
  const text = [
    `{"step":1,"train/lm_loss":2.5,"train/count":8}`,
    `{"step":2,"split":"eval","exact_accuracy":0.25}`,
    `{"step":3,"train":{"lm_loss":1.5},"eval":{"exact_accuracy":0.5}}`,
    `{"step":4,"all/exact_accuracy":0.75,"maze/valid":0.5}`,
    `{"kind":"eval","set":"all","step":6,"exact_accuracy":0.8}`,
    `{"kind":"eval","set":"hard","step":6,"exact_accuracy":0.1}`,
    `{"step":5,"train/lm`,
  ].join("\n");
  const points = parseMetricsJsonl(text);
  assert.equal(points.length, 9);
  assert.equal(lastValue(points, "train", "lm_loss"), 1.5);
  assert.equal(lastValue(points, "eval", "exact_accuracy"), 0.8);
  assert.equal(lastValue(points, "eval", "hard/exact_accuracy"), 0.1);
  assert.equal(lastValue(points, "eval", "maze/valid"), 0.5);
  assert.throws(() => parseMetricsJsonl("{bad\n{}\n{}\n"), /line 1: not JSON/);
  const many = Array.from(
    { length: 1000 },
    (_, i) => ({ step: i, split: "train" as const, metric: "m", value: i }),
  );
  const kept = downsample(many, 10);
  assert.equal(kept.length, 10);
  assert.equal(kept[0].step, 0);
  assert.equal(kept[9].step, 999);
});

Deno.test("reports from a synthetic saved run: tables, statuses, plots, determinism", async () => {
  const dir = await syntheticRun();
  try {
    const reports = await writeRunReports(dir);
    assert.equal(reports.length, 2);
    const sudoku = TaskReportSchema.parse(
      JSON.parse(await Deno.readTextFile(join(dir, "sudoku/report.json"))),
    );
    assert.deepEqual(
      sudoku.cells.map((c) => [c.model, c.paper, c.ours, c.status]),
      [
        ["hrm", 55, 53, "within_tolerance_scaled_down"],
        ["direct_pred", 0, 3.1, "above"],
        ["trm", 87.4, 86, "within_tolerance_scaled_down"],
      ],
    );
    // Each model against its own paper.
    assert.deepEqual(sudoku.cells.map((c) => c.citation?.slice(0, 9)), [
      "HRM paper",
      "HRM paper",
      "TRM paper",
    ]);
    assert.match(sudoku.paperSource, /^HRM paper .*Figure 1.*; TRM paper .*Table 4/);
    assert.equal(sudoku.curves.hrm.length, 11);
    assert.equal(sudoku.timing.wallSeconds, 1.5 + 4 + 4 + 4);
    const maze = TaskReportSchema.parse(
      JSON.parse(await Deno.readTextFile(join(dir, "maze/report.json"))),
    );
    assert.deepEqual(maze.cells.map((c) => c.status), ["below", "not_run", "not_run"]);
    assert.deepEqual(maze.cells.map((c) => c.paper), [74.5, 0, 85.3]);
    const md = await Deno.readTextFile(join(dir, "sudoku/report.md"));
    assert.match(
      md,
      /\| hrm \| exact_accuracy \| hrm, HRM paper \(Wang et al\. 2025, arXiv 2506\.21734\) \| 55\.0 \| 53\.0 \\\[43\.3, 62\.5\\\] \| 1 \| ±2 \| within tolerance, scaled-down run \|/,
    );
    assert.match(md, /\| trm \| exact_accuracy \| trm_mlp, TRM paper [^|]* \| 87\.4 \| 86\.0 /);
    assert.match(md, /\| hidden size \| 512 \| 64 \|/);
    assert.match(md, /\*\*not\*\* comparable/);
    const summary = await Deno.readTextFile(join(dir, "summary.md"));
    assert.match(
      summary,
      /\| HRM \(27M\) \| 40\.3 \| not run \| 5\.0 \| not run \| 55\.0 \| 53\.0 \\\[43\.3, 62\.5\\\] \(within tolerance, scaled-down run\) \| 74\.5 \| 50\.0 \\\[40\.4, 59\.6\\\] \(below\) \|/,
    );
    assert.match(summary, /\| o3-mini-high \| 34\.5 \| n\/a \|/);
    // The TRM paper's table: our TRM under TRM-MLP on Sudoku (its row there), under TRM-Att
    // elsewhere; the rows it cites from the HRM paper show the same cells as HRM's own rows.
    assert.match(summary, /## TRM paper \(Jolicoeur-Martineau 2025, arXiv 2510\.04871\)/);
    assert.match(
      summary,
      /\| TRM-MLP [^|]* \| 29\.6 \| not run \| 2\.4 \| not run \| 87\.4 \| 86\.0 \\\[[\d., ]+\\\] \(within tolerance, scaled-down run\) \| 0\.0 \| see trm_att \|/,
    );
    assert.match(
      summary,
      /\| TRM-Att [^|]* \| 44\.6 \| not run \| 7\.8 \| not run \| 74\.7 \| see trm_mlp \| 85\.3 \| not run \|/,
    );
    assert.match(
      summary,
      /\| HRM \(27M\), as cited by the TRM paper \| 40\.3 \| not run \| 5\.0 \| not run \| 55\.0 \| 53\.0 /,
    );
    const html = await Deno.readTextFile(join(dir, "sudoku/report.html"));
    assert.ok(!html.includes("<script"), "report.html must be self-contained, no scripts");
    // Every metric by name, as report.md's "All measurements".
    assert.match(html, /<h2>All measurements<\/h2>.*<td>exact_accuracy<\/td><td>53\.00%<\/td>/s);
    assert.ok((html.match(/<svg/g) ?? []).length >= 5 + 2, "5 plots and 2 example pictures");
    assert.match(html, /Seeds and 95% intervals/);
    assert.equal(sudoku.models[0].seeds?.[0].correct, 53);
    assert.deepEqual(sudoku.cells[0].ci95?.map((x) => Math.round(x * 10) / 10), [43.3, 62.5]);
    assert.equal((html.match(/fill="#fdd"/g) ?? []).length, 3, "one wrong cell per model marked");
    const index = await Deno.readTextFile(join(dir, "index.html"));
    assert.match(index, /href="sudoku\/report\.html"/);
    assert.match(index, /<h2>TRM paper \(Jolicoeur-Martineau 2025, arXiv 2510\.04871\)<\/h2>/);
    // Rebuilding gives the same bytes (no timestamps in reports).
    const before = await Deno.readTextFile(join(dir, "sudoku/report.json"));
    const htmlBefore = html;
    await writeRunReports(dir);
    assert.equal(await Deno.readTextFile(join(dir, "sudoku/report.json")), before);
    assert.equal(await Deno.readTextFile(join(dir, "sudoku/report.html")), htmlBefore);
    const stripped = stripVolatile(sudoku) as Record<string, unknown>;
    assert.equal(stripped.environment, undefined);
    assert.equal(stripped.timing, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a folder without run.json is refused with a one-line error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(writeRunReports(dir), /not a reproduce run folder \(no run\.json\)/);
  } finally {
    await Deno.remove(dir);
  }
});

Deno.test("status wording: only the paper profile calls a cell reproduced", () => {
  assert.equal(statusText("reproduced", "paper"), "reproduced (within tolerance)");
  assert.equal(statusText("reproduced", "smoke"), "within tolerance, scaled-down run");
  assert.equal(statusText("reproduced", "cpu"), "within tolerance, scaled-down run");
  assert.equal(statusText("below", "cpu"), "below");
  assert.equal(statusText("not_run", "paper"), "not run");
  assert.equal(
    statusText("consistent_on_sample", "paper", { sample: "1,000 test puzzles", ci95: [52, 58] }),
    "consistent with the paper on a sample of 1,000 test puzzles (95% interval [52.0, 58.0])",
  );
});

Deno.test("a paper-size run scored on a sample of ARC tasks: its own status, tasks as the units", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const manifest: RunManifest = {
      run: "sampled",
      profile: "paper",
      tasks: ["arc1"],
      checkpoints: {},
      seed: 0,
      evalSample: { size: 10, seed: 1 },
      startedAt: "2026-01-01T00:00:00Z",
      environment: ENV,
    };
    await Deno.writeTextFile(join(dir, "run.json"), JSON.stringify(manifest));
    const models = [["hrm", "hrm"], ["direct_pred", "direct_pred"]];
    await Deno.mkdir(join(dir, "arc1"), { recursive: true });
    await Deno.writeTextFile(
      join(dir, "arc1/task.json"),
      JSON.stringify({
        ...record("sudoku", models),
        task: "arc1",
        label: "ARC",
        taskModule: "arc",
      }),
    );
    const names = Array.from({ length: 10 }, (_, i) => `task${i}`);
    // 80 rows (8 per task); HRM counts tasks 0-3 (40%), the baseline tasks 0 and 9 (20%).
    const arc = (model: string, solved: number[]): ModelResult => {
      const c = solved.reduce((a, b) => a + b, 0);
      return {
        ...result(model, 0.5),
        metrics: { exact_accuracy: 0.5, count: 80, "pass@2_all_tests": c / 10 },
        headlineMetric: "pass@2_all_tests",
        headlineUnits: { unit: "tasks", names, solved },
        sample: {
          size: 10,
          population: 400,
          seed: 1,
          unit: "puzzle groups",
          rows: 80,
          correct: 40,
          ci95: wilson(40, 80),
          text: "10 of 400 test puzzle groups, seed 1 (80 test rows)",
          headline: {
            metric: "pass@2_all_tests",
            unit: "tasks",
            n: 10,
            correct: c,
            ci95: wilson(c, 10),
          },
        },
      };
    };
    for (
      const [model, solved] of [["hrm", [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]], ["direct_pred", [
        1,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        1,
      ]]] as const
    ) {
      await Deno.mkdir(join(dir, "arc1", model), { recursive: true });
      await Deno.writeTextFile(
        join(dir, "arc1", model, "result.json"),
        JSON.stringify(arc(model, [...solved])),
      );
    }
    await writeRunReports(dir);
    const report = TaskReportSchema.parse(
      JSON.parse(await Deno.readTextFile(join(dir, "arc1/report.json"))),
    );
    const hrm = report.cells[0];
    assert.equal(hrm.status, "consistent_on_sample");
    assert.equal(hrm.sample, "10 test tasks");
    const [lo, hi] = wilson(4, 10);
    assert.deepEqual(hrm.ci95, [Math.round(lo * 1e8) / 1e6, Math.round(hi * 1e8) / 1e6]);
    assert.equal(report.cells[1].status, "consistent_on_sample", "20% vs 21.0");
    assert.deepEqual(report.models[0].seeds?.[0].headline_ci95, [lo, hi]);
    assert.equal(
      report.models[0].summary?.method,
      "Wilson interval of 4/10 tasks (one seed: test tasks only)",
    );
    assert.ok(!("headlineUnits" in report.models[0]), "per-task lists stay in result.json");
    // Paired by task under the all-tests rule: 3 tasks HRM only, 1 the baseline only.
    const c = report.comparisons![0];
    assert.equal(c.metric, "pass@2_all_tests");
    assert.deepEqual([c.per_seed[0].n, c.per_seed[0].a_only, c.per_seed[0].b_only], [10, 3, 1]);
    assert.match(c.method, /3 vs 1 discordant tasks/);
    const text = "consistent with the paper on a sample of 10 test tasks (95% interval [" +
      `${(lo * 100).toFixed(1)}, ${(hi * 100).toFixed(1)}])`;
    for (const file of ["arc1/report.md", "arc1/report.html", "summary.md"]) {
      // Markdown escapes brackets.
      const body = (await Deno.readTextFile(join(dir, file))).replace(/\\([[\]])/g, "$1");
      assert.ok(body.includes(text), `${file} says ${text}`);
      assert.ok(!body.includes("reproduced (within tolerance)"), file);
    }
    const md = (await Deno.readTextFile(join(dir, "arc1/report.md"))).replace(/\\([[\]])/g, "$1");
    assert.ok(md.includes("pass@2_all_tests 40.0% [16.8, 68.7] (4/10 tasks)"), "seed row");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Every file below `dir`, relative, with its bytes (to show nothing changed). */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (rel: string) => {
    for await (const e of Deno.readDir(join(dir, rel))) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) await walk(p);
      else out.set(p, e.isFile ? await Deno.readTextFile(join(dir, p)) : "(link)");
    }
  };
  await walk("");
  return out;
}

const HOSTILE =
  "a|b `c` <script>alert(1)</script> [x](javascript:y) *e* _f_ $g$ ~h~ &lt;\n# i\r\nj";

Deno.test("mdText and mdCode: hostile text stays text, ordinary names are unchanged", () => {
  for (
    const plain of ["hrm", "direct_pred", "exact_accuracy", "HRM (27M)", "pass@2", "30x30 > 4"]
  ) {
    assert.equal(mdText(plain), plain);
    assert.equal(mdCode(plain), `\`${plain}\``);
  }
  assert.equal(
    mdText(HOSTILE),
    "a\\|b \\`c\\` &lt;script>alert(1)&lt;/script> \\[x\\](javascript:y) \\*e\\* \\_f\\_ " +
      "\\$g\\$ \\~h\\~ &amp;lt; # i j",
  );
  assert.equal(mdText("a\\|b"), "a\\\\\\|b", "a backslash cannot un-escape the pipe");
  assert.equal(mdCode("a ` b"), "``a ` b``");
  assert.equal(mdCode("`x``"), "``` `x`` ```");
  assert.equal(mdCode("line\nbreak"), "`line break`");
});

/** A saved run whose names, labels, reasons and metric keys are hostile. */
async function hostileRun(): Promise<string> {
  const dir = await Deno.makeTempDir();
  const manifest: RunManifest = {
    run: "r`|<b>\n# x",
    profile: "smoke",
    tasks: ["maze", "arc1"],
    checkpoints: {},
    seed: 0,
    startedAt: "2026-01-01T00:00:00Z",
    environment: { ...ENV, adapter: "gpu | <i>\nx", os: "linux`" },
  };
  await Deno.writeTextFile(join(dir, "run.json"), JSON.stringify(manifest));
  const maze = record("maze", [["hrm", "hrm"], ["direct_pred", "direct_pred"]]);
  maze.label = `Maze ${HOSTILE}`;
  maze.models[0].label = `HRM ${HOSTILE}`;
  maze.models[0].overrides.push("x=`y`");
  maze.build.push("--name", "a`b|c\nd");
  maze.differences.push({ setting: HOSTILE, paper: "p|q", ours: "<img src=x onerror=y>" });
  const arc = { ...record("maze", [["hrm", "hrm"]]), task: "arc1" as const, taskModule: "arc" };
  for (const [t, rec] of [["maze", maze], ["arc1", arc]] as const) {
    for (const m of rec.models) await Deno.mkdir(join(dir, t, m.id), { recursive: true });
    await Deno.writeTextFile(join(dir, t, "task.json"), JSON.stringify(rec));
  }
  const hrm = { ...result("hrm", 0.5), examples: [], metrics: { exact_accuracy: 0.5 } };
  (hrm.metrics as Record<string, number>)[`set ${HOSTILE}/accuracy`] = 0.25;
  await Deno.writeTextFile(join(dir, "maze/hrm/result.json"), JSON.stringify(hrm));
  await Deno.writeTextFile(
    join(dir, "maze/direct_pred/result.json"),
    JSON.stringify(notRunResult(`javascript:alert(1)//${HOSTILE}`, `reason ${HOSTILE}`)),
  );
  await Deno.writeTextFile(
    join(dir, "arc1/hrm/result.json"),
    JSON.stringify({ ...hrm, model: "javascript:alert(1)//" }),
  );
  return dir;
}

/** The number of unescaped `|` on a Markdown line. */
const pipes = (line: string) => (line.replace(/\\\\/g, "").match(/(?<!\\)\|/g) ?? []).length;

Deno.test("reports escape hostile names: Markdown tables keep their columns, no tags or links", async () => {
  const dir = await hostileRun();
  try {
    await writeRunReports(dir);
    for (const file of ["maze/report.md", "arc1/report.md", "summary.md"]) {
      const md = await Deno.readTextFile(join(dir, file));
      // Code spans show their text as is; outside them no tag may start.
      const text = md.replace(/(?<!\\)(`+)[^\n]*?(?<!`)\1(?!`)/g, "");
      assert.ok(!/<(script|img|b|i)\b/i.test(text), `${file}: a raw HTML tag`);
      assert.ok(!/(?<!\\)\]\(javascript:/.test(text), `${file}: a link from data`);
      const lines = md.split("\n");
      assert.equal(lines.filter((l) => l.startsWith("# ")).length, 1, `${file}: one title`);
      // Each table keeps its column count on every row (header, rule, data).
      let columns = -1;
      for (const line of lines) {
        if (!line.startsWith("|")) {
          columns = -1;
          continue;
        }
        if (columns < 0) columns = pipes(line);
        assert.equal(pipes(line), columns, `${file}: ${line}`);
      }
    }
    const md = await Deno.readTextFile(join(dir, "maze/report.md"));
    assert.match(md, /^# Maze a\\\|b \\`c\\` &lt;script>alert\(1\)&lt;\/script> /m);
    assert.match(md, /^\| \\\[x\\\]\(javascript:y\)|\| set a\\\|b /m);
    assert.match(md, /^- data: ``deno task data maze .* --name a`b\|c d``$/m);
    assert.match(md, /^Not run: reason a\\\|b /m);
    assert.match(md, /^- backend: cpu \(gpu \\\| &lt;i> x\); .* linux\\`, 2 CPUs$/m);
    for (const file of ["maze/report.html", "arc1/report.html", "index.html"]) {
      const html = await Deno.readTextFile(join(dir, file));
      assert.ok(!/<(script|img|i>)/i.test(html.replace(/<svg[\s\S]*?<\/svg>/g, "")), file);
      assert.ok(!/href="javascript:/i.test(html), `${file}: a javascript: link`);
    }
    const arcHtml = await Deno.readTextFile(join(dir, "arc1/report.html"));
    assert.match(arcHtml, /href="javascript%3Aalert\(1\)%2F%2F\/arc_score\/score\.md"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a rebuild outside the runs' folder is refused before anything is written", async () => {
  const base = await Deno.makeTempDir();
  try {
    const root = join(base, "reports");
    const outside = await syntheticRun();
    const before = await snapshot(outside);
    await Deno.mkdir(root);
    await Deno.symlink(outside, join(root, "link"));
    const cases: [string, RegExp][] = [
      [outside, /is not inside the runs' folder .*\(--reports\)/],
      [join(root, "..", "..", "etc"), /is not inside the runs' folder/],
      [join(root, "a", "..", "..", "b"), /is not inside the runs' folder/],
      [root, /is not inside the runs' folder/],
      [join(root, "link"), /leads to .*, outside the runs' folder .*; refusing to write there/],
    ];
    for (const [dir, message] of cases) {
      const err = await writeRunReports(dir, { reportsDir: root, what: "run 'x'" }).then(
        () => undefined,
        (e: Error) => e,
      );
      assert.ok(err, `${dir}: not refused`);
      assert.match(err.message, /^run 'x': /);
      assert.match(err.message, message);
      assert.ok(!err.message.includes("\n"), "one line");
    }
    await assert.rejects(
      checkRunInside("", "x", "--resume 'x'"),
      /runs' folder \(--reports\) is empty/,
    );
    assert.deepEqual(await snapshot(outside), before, "nothing written outside");
    assert.deepEqual([...(await snapshot(root)).keys()], ["link"]);
    await Deno.remove(outside, { recursive: true });
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("a rebuild is refused while the run's writer holds its lock", async () => {
  const root = await Deno.makeTempDir();
  try {
    const dir = await syntheticRun();
    const run = join(root, "r");
    await Deno.rename(dir, run);
    const lock = await acquireRunLock(run, "reproduce run r");
    try {
      await assert.rejects(
        writeRunReports(run, { reportsDir: root, refuseLocked: true }),
        /\.lock: locked by pid \d+ \(reproduce run r\) since .*; refusing to rebuild its reports while it runs$/,
      );
      await assert.rejects(Deno.stat(join(run, "sudoku", "report.json")), Deno.errors.NotFound);
    } finally {
      await lock.release();
    }
    assert.equal((await writeRunReports(run, { reportsDir: root, refuseLocked: true })).length, 2);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("paired comparisons: HRM against the others, TRM against HRM and the baseline", () => {
  const spec = (id: string, compareWith?: string[]) => ({
    id,
    label: id,
    paperModel: null,
    overrides: [],
    ...(compareWith ? { compareWith } : {}),
  });
  assert.deepEqual(comparisonPairs([spec("hrm"), spec("direct_pred")]), [["hrm", "direct_pred"]]);
  assert.deepEqual(
    comparisonPairs([spec("hrm"), spec("direct_pred"), spec("trm", ["hrm", "direct_pred"])]),
    [["hrm", "direct_pred"], ["trm", "hrm"], ["trm", "direct_pred"]],
  );
  // A model named in compareWith that the task lacks is skipped; the ACT baseline keeps HRM's pair.
  assert.deepEqual(
    comparisonPairs([spec("hrm"), spec("trm", ["hrm", "direct_pred"]), spec("direct_pred_act")]),
    [["hrm", "direct_pred_act"], ["trm", "hrm"]],
  );
  assert.deepEqual(comparisonPairs([]), []);
});
