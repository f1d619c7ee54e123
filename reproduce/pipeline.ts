/**
 * The real {@link Pipeline}: data through the Task modules' `build`,
 * training through the trainer's `runTraining`, evaluation through
 * `runEvaluation` (once per inference segment count, which gives the
 * accuracy-vs-segments curve and the halting-step distribution), and the
 * task's own scores of the saved outputs (`Task.scoreOutputs`).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { join, relative } from "node:path";
import { type BackendChoice, useBackend } from "../backends/mod.ts";
import { readEvalOutputs, readSafetensors, toFloat32 } from "../io/mod.ts";
import { getTask } from "../tasks/mod.ts";
import {
  checkSampleSize,
  chooseCheckpoint,
  configFromArgs,
  findLatestCheckpoint,
  NonFiniteLossError,
  openSplitMetadata,
  parseScoreRule,
  runEvaluation,
  runTraining,
  sampleText,
  type ScoredCheckpoint,
} from "../train/mod.ts";
import { runJobs } from "../util/mod.ts";
import type { TaskPlan } from "./plan.ts";
import { analyzeRun, REPRODUCE_ANALYSIS_SAMPLES } from "./analyze_run.ts";
import type { ModelContext, Pipeline } from "./reproduce.ts";
import type { Environment, Example, ModelResult, ModelSpec } from "./report/schema.ts";
import { wilson } from "./stats.ts";
import { notRunResult, readManifest } from "./report/build.ts";

/** Outputs the final evaluation keeps (for scores and example pictures). */
const FINAL_OUTPUTS = [
  "inputs",
  "labels",
  "puzzle_identifiers",
  "preds",
  "q_halt_logits",
  "q_continue_logits",
];
/** Outputs each shorter evaluation keeps (for the halting distribution). */
const SWEEP_OUTPUTS = ["q_continue_logits"];

/** Segment counts to evaluate: 1..max when cheap (max <= 8), else powers of two and max. */
export function sweepSegments(max: number): number[] {
  if (max <= 8) return Array.from({ length: max }, (_, i) => i + 1);
  const out: number[] = [];
  for (let s = 1; s < max; s *= 2) out.push(s);
  out.push(max);
  return out;
}

/**
 * For each row, the first evaluated segment count at which q_halt > q_continue
 * (what training-time ACT would pick); rows that never choose to halt count
 * at the last. `q` holds, per segment count in `segments`, the two logits.
 */
export function haltingHistogram(
  segments: number[],
  q: { halt: Float32Array; cont: Float32Array }[],
): { steps: number; count: number }[] {
  const rows = q[0]?.halt.length ?? 0;
  const counts = new Map<number, number>();
  for (let r = 0; r < rows; r++) {
    let at = segments[segments.length - 1];
    for (let i = 0; i < segments.length; i++) {
      if (q[i].halt[r] > q[i].cont[r]) {
        at = segments[i];
        break;
      }
    }
    counts.set(at, (counts.get(at) ?? 0) + 1);
  }
  return segments.filter((s) => counts.has(s)).map((s) => ({ steps: s, count: counts.get(s)! }));
}

/** The two Q logits of every row from an evaluation's saved outputs. */
async function readQ(outputsDir: string): Promise<{ halt: Float32Array; cont: Float32Array }> {
  const core = await readEvalOutputs(join(outputsDir, "all.safetensors"));
  const extra = await readSafetensors(join(`${outputsDir}_extra`, "all.safetensors"));
  const cont = extra.tensors.get("q_continue_logits");
  if (!cont) throw new Error(`${outputsDir}_extra: no q_continue_logits`);
  return { halt: core.qHaltLogits, cont: toFloat32(cont) };
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch {
    return undefined;
  }
}

/** How a pipeline shows progress. */
export interface PipelineOptions {
  /** No training/evaluation progress at all. */
  quiet?: boolean;
  /** Force the terminal bar (true) or plain lines (false); default: stdout is a TTY. */
  tty?: boolean;
}

/** The real pipeline on a given backend, one model at a time in this process. */
export function realPipeline(backend: BackendChoice, opts: PipelineOptions = {}): Pipeline {
  return {
    async environment(): Promise<Environment> {
      const info = await useBackend(backend);
      return {
        backend: info.backend,
        adapter: info.adapter ?? null,
        deno: Deno.version.deno,
        typescript: Deno.version.typescript,
        v8: Deno.version.v8,
        tfjs: tf.version.tfjs,
        os: `${Deno.build.os} ${Deno.build.arch}`,
        cpus: navigator.hardwareConcurrency ?? 0,
      };
    },

    async buildData(plan: TaskPlan, log): Promise<void> {
      const task = getTask(plan.taskModule);
      let args = plan.build;
      if (plan.sourceSubset !== undefined) {
        if (!task.copySourceSubset) {
          throw new Error(`${plan.task}: task '${task.name}' cannot select a subset of its source`);
        }
        const at = args.indexOf("--source");
        const subset = `${plan.dataDir}.source`;
        await Deno.remove(subset, { recursive: true }).catch(() => {});
        const n = await task.copySourceSubset(args[at + 1], subset, plan.sourceSubset);
        log(`${plan.task}: selected ${n} task files from ${args[at + 1]} into ${subset}`);
        args = args.map((a, i) => (i === at + 1 ? subset : a));
      }
      await task.build(args);
    },

    async runModel(plan: TaskPlan, model: ModelSpec, ctx: ModelContext): Promise<ModelResult> {
      // One process per model: --jobs runs models side by side instead, and a
      // run's numbers must not depend on how many cores the machine has.
      const common = [`backend=${backend}`, "workers=1"];
      let checkpoint = ctx.checkpoint;
      let trainSeconds = 0;
      let trainSteps = 0;
      let parameters: number | null = null;
      const config = configFromArgs([
        ...model.overrides,
        `run_dir=${ctx.outDir}`,
        `seed=${ctx.seed}`,
        ...common,
      ]);
      const rule = parseScoreRule(ctx.scoreCheckpoint ?? plan.scoreCheckpoint ?? "last");
      const where = `${plan.task}/${model.id}`;
      if (ctx.evalSample) {
        // Before any work: the sample must fit the test split.
        const test = await openSplitMetadata(plan.dataDir, "test");
        checkSampleSize(ctx.evalSample, test.total_groups, `${plan.dataDir}/test`);
      }
      const iterations = config.epochs / (config.eval_interval ?? config.epochs);
      if (!checkpoint && rule.kind === "eval" && rule.k > iterations) {
        throw new Error(
          `${where}: --score-checkpoint eval=${rule.k}: this training evaluates ` +
            `${iterations} time(s) (epochs / eval_interval)`,
        );
      }
      let scored: ScoredCheckpoint | undefined;
      let stopped: NonFiniteLossError | undefined;
      if (!checkpoint) {
        const canResume = ctx.resume && (await findLatestCheckpoint(ctx.outDir)) !== undefined;
        // Interrupted before its first checkpoint: nothing to continue, start this model over.
        if (!canResume) await Deno.remove(join(ctx.outDir, "metrics.jsonl")).catch(() => {});
        const t0 = performance.now();
        try {
          const summary = await runTraining(
            configFromArgs([
              ...model.overrides,
              `run_dir=${ctx.outDir}`,
              `seed=${ctx.seed}`,
              `resume=${canResume}`,
              // Every rule but `last` picks among the checkpoints kept at evaluations.
              ...(rule.kind === "last" ? [] : ["checkpoint_every_eval=true"]),
              ...common,
            ]),
            { quiet: opts.quiet, tty: opts.tty, label: `${where} train` },
          );
          trainSteps = summary.steps;
        } catch (err) {
          // A non-finite loss ends this model's training, not the run: its last good
          // checkpoint is scored and the result marked.
          if (!(err instanceof NonFiniteLossError)) throw err;
          stopped = err;
          trainSteps = err.lastGoodStep;
          ctx.log(`${where}: ${err.message.split(". ")[0]}; scoring the last good checkpoint`);
        }
        trainSeconds = (performance.now() - t0) / 1000;
        if (!(await findLatestCheckpoint(ctx.outDir))) {
          throw new Error(`${where}: training wrote no checkpoint`);
        }
        try {
          scored = await chooseCheckpoint(ctx.outDir, rule, stopped);
        } catch (err) {
          if (!stopped) throw err;
          // Nothing finite to score: this model is not run (said why); the run goes on.
          return {
            ...notRunResult(
              model.id,
              `training stopped: non-finite loss at step ${stopped.step}; ` +
                (err as Error).message,
              getTask(plan.taskModule).headlineMetric,
            ),
            trainSteps,
            trainSeconds,
          };
        }
        checkpoint = scored.path;
        ctx.log(`${where}: scoring ${scored.note}`);
        const saved = await readJson(join(ctx.outDir, "config.json"));
        parameters = typeof saved?.num_params === "number" ? saved.num_params : null;
      }
      const max = config.arch.halt_max_steps;
      const segments = sweepSegments(max);
      const t1 = performance.now();
      const actCurve: ModelResult["actCurve"] = [];
      const q: { halt: Float32Array; cont: Float32Array }[] = [];
      let final: Awaited<ReturnType<typeof runEvaluation>> | undefined;
      for (const k of segments) {
        const isFinal = k === max;
        const summary = await runEvaluation({
          checkpoint,
          // The plan's settings first (they make the architecture explicit for weights that
          // carry no config, e.g. converted official checkpoints), then this evaluation's.
          overrides: [
            ...model.overrides,
            `data_path=${plan.dataDir}`,
            `arch.halt_max_steps=${k}`,
            `run_dir=${join(ctx.outDir, `eval_segments_${k}`)}`,
            ...common,
          ],
          saveOutputs: isFinal ? FINAL_OUTPUTS : SWEEP_OUTPUTS,
          sample: ctx.evalSample,
          quiet: opts.quiet,
          tty: opts.tty,
          label: `${plan.task}/${model.id} eval ${k}/${max} segments`,
        });
        const all = summary.sets.all ?? Object.values(summary.sets)[0];
        actCurve.push({ segments: k, exact_accuracy: all.exact_accuracy });
        q.push(await readQ(summary.outputsDir!));
        if (isFinal) final = summary;
      }
      const evalSeconds = (performance.now() - t1) / 1000;
      const all = final!.sets.all ?? Object.values(final!.sets)[0];
      const outputsFile = join(final!.outputsDir!, "all.safetensors");
      const outputs = await readEvalOutputs(outputsFile);
      const metrics: Record<string, number> = {
        exact_accuracy: all.exact_accuracy,
        accuracy: all.accuracy,
        q_halt_accuracy: all.q_halt_accuracy,
        steps: all.steps,
        lm_loss: all.lm_loss,
        count: all.count,
      };
      const task = getTask(plan.taskModule);
      const at = { outputsFile, dataDir: plan.dataDir, outDir: ctx.outDir };
      Object.assign(metrics, await task.scoreOutputs(outputs, at));
      // The headline's own units (e.g. tasks) where they are not the test rows.
      const units = task.headlineUnits ? await task.headlineUnits(outputs, at) : undefined;
      const unitsCorrect = units?.solved.reduce((a, b) => a + b, 0) ?? 0;
      const examples: Example[] = [];
      const S = outputs.seqLen;
      const rows = outputs.puzzleIdentifiers.length;
      for (let r = 0; r < Math.min(plan.examples, rows); r++) {
        const row = (t: Uint8Array) => Array.from(t.subarray(r * S, (r + 1) * S));
        examples.push({
          input: row(outputs.inputs),
          label: outputs.labels ? row(outputs.labels) : [],
          prediction: row(outputs.preds),
          name: `test row ${r}`,
        });
      }
      return {
        model: model.id,
        status: "done",
        metrics,
        headlineMetric: task.headlineMetric,
        actCurve,
        haltingSteps: haltingHistogram(segments, q),
        examples,
        trainSteps,
        parameters,
        checkpoint,
        givenCheckpoint: ctx.checkpoint !== undefined,
        outputsFile: relative(ctx.outDir, outputsFile),
        trainSeconds,
        evalSeconds,
        ...(scored
          ? {
            scoredCheckpoint: {
              rule: scored.rule,
              step: scored.step,
              evaluation: scored.evaluation,
              evaluations: scored.evaluations,
              note: scored.note +
                (plan.scoreCheckpointWhy && !ctx.scoreCheckpoint
                  ? ` (this profile's rule for this task: ${plan.scoreCheckpointWhy})`
                  : ""),
            },
          }
          : {}),
        ...(stopped
          ? {
            training: {
              stopped: `non-finite loss at step ${stopped.step}`,
              scored_step: scored!.step,
            },
          }
          : {}),
        ...(final!.sample
          ? {
            sample: {
              ...final!.sample,
              correct: Math.round(all.exact_accuracy * all.count),
              ci95: wilson(Math.round(all.exact_accuracy * all.count), all.count),
              text: sampleText(final!.sample),
              ...(units
                ? {
                  headline: {
                    metric: task.headlineMetric,
                    unit: units.unit,
                    n: units.solved.length,
                    correct: unitsCorrect,
                    ci95: wilson(unitsCorrect, units.solved.length),
                  },
                }
                : {}),
            },
          }
          : {}),
        ...(units ? { headlineUnits: units } : {}),
      };
    },

    async analyze(runDir, plan, log): Promise<void> {
      const manifest = await readManifest(runDir);
      await analyzeRun(runDir, {
        tasks: [plan.task],
        request: {
          samples: REPRODUCE_ANALYSIS_SAMPLES[manifest.profile],
          backend,
          quiet: opts.quiet ?? false,
        },
        log,
      });
    },
  };
}

/** What the main thread sends a model worker. */
export interface ModelJob {
  backend: BackendChoice;
  quiet: boolean;
  plan: TaskPlan;
  model: ModelSpec;
  ctx: Omit<ModelContext, "log">;
}

/**
 * The real pipeline with each model trained and evaluated in its own Deno
 * Worker (its own TensorFlow.js instance: one core each on wasm), so that
 * `reproduce --jobs N` runs N models at once. Results do not depend on it:
 * each model's run is a function of its own settings and seed. Progress comes
 * as plain lines labelled by task and model (bars would overwrite each other).
 * A model's failure comes back as one line, `<task>/<model>: <message>`.
 */
export function workerPipeline(backend: BackendChoice, opts: PipelineOptions = {}): Pipeline {
  const local = realPipeline(backend, opts);
  return {
    environment: () => local.environment(),
    buildData: (plan, log) => local.buildData(plan, log),
    analyze: (runDir, plan, log) => local.analyze!(runDir, plan, log),
    async runModel(plan, model, ctx): Promise<ModelResult> {
      const { log: _log, ...rest } = ctx;
      const job: ModelJob = { backend, quiet: opts.quiet ?? false, plan, model, ctx: rest };
      const [result] = await runJobs<ModelJob, ModelResult>([job], {
        script: new URL("./model_worker.ts", import.meta.url),
        workers: 1,
        name: () => `${plan.task}/${model.id}`,
      });
      return result;
    },
  };
}
