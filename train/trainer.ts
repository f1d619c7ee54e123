/**
 * The training loop, nanoGPT-style: read it top to bottom.
 *
 * 1. open the data (reference layout or compact) and check it fits;
 * 2. work out the schedule as the reference does (iterations of
 *    `eval_interval` epochs, total steps = epochs * groups * mean examples /
 *    batch, warm-up + cosine LR for both optimizers);
 * 3. build the model (or restore one from a checkpoint: weights, optimizer
 *    moments, carry, RNG, sampler position, metrics line count);
 * 4. for each iteration: one ACT segment + one update per batch with the
 *    persistent carry, a metrics line every `log_every` steps, a checkpoint
 *    every `checkpoint_every` steps; then evaluate, log, checkpoint.
 * A NaN/inf loss leaves the update unapplied, saves that last good state and
 * stops with an error naming the step.
 * @module
 */
import { type BackendInfo, describeBackend, useBackend } from "../backends/mod.ts";
import { cosineLr } from "../model/mod.ts";
import { acquireRunLock, digestDir, removeStaleTemps, writeJsonAtomic } from "../io/mod.ts";

import { resolvedConfig, type TrainConfig } from "./config.ts";
import { checkModelFitsData, checkSplitsAgree, openSplit } from "./data.ts";
import { totalSteps as countTotalSteps, type TrainPosition, TrainSampler } from "./sampler.ts";
import { MetricsLog, type MetricsRecord } from "./metrics_log.ts";
import {
  checkpointDir,
  type CheckpointMeta,
  type LoadedCheckpoint,
  loadResumeCheckpoint,
  writeCheckpoint,
} from "./checkpoint.ts";
import { evaluateSplit, type SetMetrics } from "./evaluate.ts";
import { outputsToCollect, saveEvalOutputs } from "./save_outputs.ts";
import { createTrainModel } from "./create_model.ts";
import type { StepResult } from "./model_adapter.ts";
import { Progress } from "../util/mod.ts";

/** Callbacks and switches for {@link runTraining}. */
export interface TrainOptions {
  /** Every metrics record as it is written (train and eval lines). */
  onRecord?: (record: MetricsRecord) => void;
  /** Abort to stop at the next step boundary after writing a checkpoint (Ctrl-C). */
  signal?: AbortSignal;
  /** No progress bar or lines (records still go to metrics.jsonl). */
  quiet?: boolean;
  /** Force the terminal bar on/off (default: stdout is a TTY). */
  tty?: boolean;
  /** Progress label (default `train`); names the run when several train at once. */
  label?: string;
}

/** What {@link runTraining} returns. */
export interface TrainSummary {
  runDir: string;
  /** Optimizer steps done (including those before a resume). */
  steps: number;
  totalSteps: number;
  /** The last train record written, if any. */
  lastTrain?: MetricsRecord;
  /** The last evaluation, per set. */
  lastEval?: Record<string, SetMetrics>;
  /** The newest checkpoint written. */
  checkpoint?: string;
  backend: BackendInfo;
  /** True when stopped through `signal`. */
  interrupted: boolean;
  /**
   * What the run had to say about its folder (also printed): a stale lock taken
   * over, leftover temp files removed, a damaged checkpoint skipped, changed keys.
   */
  notes: string[];
}

/**
 * Training stopped on a non-finite loss: the update was not applied and the
 * last good state (step `lastGoodStep`) is saved in `checkpoint`.
 */
export class NonFiniteLossError extends Error {
  /** The message names the step, the loss and where the last good state is. */
  constructor(
    message: string,
    /** The step whose loss was not finite. */
    readonly step: number,
    /** Steps done before it (the saved state's step). */
    readonly lastGoodStep: number,
    /** The checkpoint holding the last good state. */
    readonly checkpoint: string,
  ) {
    super(message);
    this.name = "NonFiniteLossError";
  }
}

/** The run folder: run_dir, else checkpoint_path, else runs/<run_name or data name + time>. */
export function resolveRunDir(config: TrainConfig): string {
  if (config.run_dir) return config.run_dir;
  if (config.checkpoint_path) return config.checkpoint_path;
  if (config.resume === true) {
    throw new Error("resume=true needs run_dir=<run folder> (or give resume=<folder or file>)");
  }
  const base = config.data_path.replace(/\/+$/, "").split("/").at(-1) || "run";
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `runs/${config.run_name ?? `${base}-${stamp}`}`;
}

/** Trains HRM as configured; returns the summary (throws one-line errors on bad input). */
export async function runTraining(
  config: TrainConfig,
  options: TrainOptions = {},
): Promise<TrainSummary> {
  // ---- 1. data
  const dir = config.data_path;
  const train = await openSplit(dir, "train");
  const test = await openSplit(dir, "test");
  checkSplitsAgree(dir, train.metadata, test.metadata);
  const meta = train.metadata;

  // ---- 2. schedule (pretrain.py: iterations of eval_interval epochs)
  const B = config.global_batch_size;
  const epochsPerIter = config.eval_interval ?? config.epochs;
  if (config.epochs % epochsPerIter !== 0) {
    throw new Error(
      `eval_interval ${epochsPerIter} must divide epochs ${config.epochs} (as in the reference)`,
    );
  }
  const totalIters = config.epochs / epochsPerIter;
  const totalSteps = countTotalSteps(meta, config.epochs, B);
  if (totalSteps < 1) {
    throw new Error(
      `${dir}/train: ${config.epochs} epochs of ${meta.total_groups} groups x ` +
        `${meta.mean_puzzle_examples} examples make no full batch of global_batch_size ${B}`,
    );
  }
  const stopAt = Math.min(totalSteps, config.max_steps ?? Infinity);
  const lrAt = (step: number, base: number) =>
    cosineLr(step, base, Math.round(config.lr_warmup_steps), totalSteps, config.lr_min_ratio);
  const sampler = new TrainSampler(train, { seed: config.seed, globalBatchSize: B, epochsPerIter });

  // ---- 3. run folder (locked: one writer), backend, model (fresh or restored)
  const runDir = resolveRunDir(config);
  const notes: string[] = [];
  let progress: Progress | undefined;
  // Notes are printed with the run's first lines (or to stderr when quiet or if it fails first).
  let shown = 0;
  const showNotes = () => {
    for (; shown < notes.length; shown++) {
      const line = options.label ? `${options.label}: ${notes[shown]}` : notes[shown];
      if (progress) progress.log(line);
      else console.error(line);
    }
  };
  let noteNow = false;
  const note = (line: string) => {
    notes.push(line);
    if (noteNow) showNotes();
  };
  const lock = await acquireRunLock(runDir, config.resume === false ? "train" : "resume training", {
    onStale: note,
  });
  try {
    const removed = [runDir, checkpointDir(runDir), `${runDir}/eval_outputs`].map((d, i) =>
      removeStaleTemps(d, { recursive: i === 2 })
    );
    const leftovers = (await Promise.all(removed)).flat();
    if (leftovers.length) {
      note(
        `removed ${leftovers.length} temporary file(s) left by a killed write: ` +
          leftovers.map((p) => p.slice(runDir.length + 1)).join(", "),
      );
    }
    const resume = config.resume === false
      ? undefined
      : await loadResumeCheckpoint(config.resume, runDir, note);
    if (!resume) await refuseExistingRun(runDir);
    const fingerprint = await digestDir(dir);
    const resolved = resolvedConfig(config);
    if (resume) {
      checkResumeMatches(resume.path, resume.checkpoint, meta, resolved, fingerprint, note);
    }
    await Deno.mkdir(checkpointDir(runDir), { recursive: true });
    const backend = await useBackend(config.backend);
    const model = await createTrainModel(config, meta);
    let step = 0;
    let epoch = 0;
    let position: TrainPosition = { iteration: 0, set: 0, batch: 0 };
    let log: MetricsLog;
    try {
      if (resume) {
        const ckpt = resume.checkpoint;
        await model.importState({ tensors: ckpt.tensors, state: ckpt.meta.state }, resume.path);
        ({ step, epoch, position } = ckpt.meta);
        log = await MetricsLog.open(`${runDir}/metrics.jsonl`, ckpt.meta.metrics_lines);
      } else {
        log = await MetricsLog.open(`${runDir}/metrics.jsonl`);
      }
    } catch (err) {
      await model.dispose();
      throw err;
    }
    await writeJsonAtomic(`${runDir}/config.json`, {
      config: resolved,
      model_config: model.modelConfig,
      num_params: model.numParams,
      total_steps: totalSteps,
      backend: backend.backend,
      workers: model.workers,
    }, { durable: true });

    progress = options.quiet ? undefined : new Progress({
      total: stopAt,
      label: options.label ?? "train",
      tty: options.tty,
    });
    // With a label (several runs at once), every line says whose it is.
    const say = (line: string) =>
      progress ? progress.log(options.label ? `${options.label}: ${line}` : line) : undefined;
    const placement = model.workers > 1 ? `; ${model.workers} workers (data-parallel)` : "";
    say(
      `${describeBackend(backend)}${placement}; ${model.numParams} parameters; ` +
        `${totalSteps} total steps`,
    );
    if (resume) say(`resumed from ${resume.path} at step ${step}`);
    noteNow = true;
    showNotes();

    const record = (r: MetricsRecord) => {
      log.write(r);
      options.onRecord?.(r);
    };
    const summary: TrainSummary = {
      runDir,
      steps: step,
      totalSteps,
      backend,
      interrupted: false,
      notes,
    };
    const save = async (kind: CheckpointMeta["kind"]) => {
      const path = kind === "periodic"
        ? `${checkpointDir(runDir)}/latest.safetensors`
        : `${checkpointDir(runDir)}/step_${step}.safetensors`;
      const exported = await model.exportState();
      await log.sync(); // the lines the checkpoint counts are on disk before it is
      await writeCheckpoint(path, exported.tensors, {
        format: "hrm-ts-checkpoint",
        version: 1,
        kind,
        config: resolved,
        model_config: model.modelConfig,
        step,
        total_steps: totalSteps,
        epoch,
        position,
        state: exported.state,
        metrics_lines: log.lineCount,
        backend: backend.backend,
        dataset_fingerprint: fingerprint,
      });
      summary.checkpoint = path;
    };
    const evaluate = async () => {
      let lastLine = performance.now();
      const pass = await evaluateSplit(model, test, B, {
        saveOutputs: outputsToCollect(config.eval_save_outputs),
        // A long evaluation (e.g. ARC's test split) still shows it is alive.
        onBatch: (done, total) => {
          if (performance.now() - lastLine > 10_000 && done < total) {
            lastLine = performance.now();
            say(`eval step ${step}: ${done}/${total} batches`);
          }
        },
      });
      for (const [set, m] of Object.entries(pass.sets)) {
        record({
          kind: "eval",
          step,
          epoch,
          set,
          ...m,
          eval_s: pass.seconds,
          backend: backend.backend,
        });
        say(
          `eval step ${step} [${set}]: exact_accuracy ${m.exact_accuracy.toFixed(4)} ` +
            `accuracy ${m.accuracy.toFixed(4)} steps ${m.steps.toFixed(2)}`,
        );
      }
      if (config.eval_save_outputs.length) {
        await saveEvalOutputs(`${runDir}/eval_outputs/step_${step}`, pass.outputs, test, {
          step: String(step),
          dataset: dir,
        });
      }
      summary.lastEval = pass.sets;
    };

    // ---- 4. the loop
    if (step >= stopAt) {
      say(`already at step ${step} of ${stopAt}: nothing to do`);
      progress?.stop();
      log.close();
      await model.dispose();
      return summary;
    }
    try {
      let windowStart = performance.now();
      let windowSteps = 0;
      const t0 = performance.now();
      while (position.iteration < totalIters) {
        let completed = true; // false when the iteration is cut short (stop step, Ctrl-C)
        for (const item of sampler.iteration(position)) {
          if (step >= stopAt) {
            completed = false;
            break;
          }
          if (options.signal?.aborted) {
            await save("periodic");
            summary.interrupted = true;
            summary.steps = step;
            say(`interrupted at step ${step}; resume with resume=true run_dir=${runDir}`);
            return summary;
          }
          const lr = lrAt(step + 1, config.lr);
          const embLr = lrAt(step + 1, config.puzzle_emb_lr);
          const out: StepResult = await model.trainStep(item.batch, lr, embLr);
          if (!out.finite) {
            await save("nonfinite");
            throw new NonFiniteLossError(
              `step ${step + 1}: loss is ${out.loss} (not finite); stopped. The last good state ` +
                `(step ${step}) is saved in ${summary.checkpoint}`,
              step + 1,
              step,
              summary.checkpoint!,
            );
          }
          step++;
          windowSteps++;
          position = item.next;
          epoch = item.epoch;
          if (step % config.log_every === 0 || step === stopAt) {
            const secs = (performance.now() - windowStart) / 1000;
            const r = trainRecord(out, {
              step,
              epoch,
              lr,
              embLr,
              B,
              backend: backend.backend,
            });
            r.steps_per_s = windowSteps / secs;
            r.examples_per_s = windowSteps * B / secs;
            r.elapsed_s = (performance.now() - t0) / 1000;
            record(r);
            summary.lastTrain = r;
            windowStart = performance.now();
            windowSteps = 0;
          }
          progress?.update(step, {
            loss: out.loss / B,
            exact: out.metrics.count ? out.metrics.exact_accuracy / out.metrics.count : 0,
            lr,
          });
          if (config.checkpoint_every > 0 && step % config.checkpoint_every === 0) {
            await save("periodic");
          }
        }
        // End of the iteration (or of the run): evaluate, then checkpoint. A run cut
        // short keeps its mid-iteration position, so a longer resumed run continues it.
        if (completed) position = { iteration: position.iteration + 1, set: 0, batch: 0 };
        await evaluate();
        const last = step >= stopAt || position.iteration >= totalIters;
        if (config.checkpoint_every_eval || last) await save(last ? "final" : "eval");
        if (last) break;
      }
    } finally {
      progress?.stop();
      log.close();
      await model.dispose();
    }
    summary.steps = step;
    return summary;
  } finally {
    showNotes();
    await lock.release();
  }
}

/** Keys a resume may change freely: where things go, how often they are logged, how far to go. */
export const RESUME_FREE_KEYS: readonly string[] = [
  "data_path", // the dataset itself is checked by its fingerprint
  "run_dir",
  "checkpoint_path",
  "project_name",
  "run_name",
  "resume",
  "resume_override",
  "max_steps",
  "log_every",
  "checkpoint_every",
  "checkpoint_every_eval",
  "eval_save_outputs",
  "backend",
  "workers",
];

/** Leaves of a nested config as dotted keys (`arch.loss.loss_type`). */
function flatten(obj: Record<string, unknown>, prefix = "", out = new Map<string, unknown>()) {
  for (const [k, v] of Object.entries(obj)) {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      flatten(v as Record<string, unknown>, `${prefix}${k}.`, out);
    } else out.set(`${prefix}${k}`, v);
  }
  return out;
}

/**
 * A resume must continue the run it was started as: the checkpoint must fit the
 * data, the keys that shape the trajectory must be the checkpoint's, and the
 * dataset's fingerprint the one it was trained on; otherwise one line listing
 * what changed, unless `resume_override=true` (then it is noted and goes on).
 */
function checkResumeMatches(
  path: string,
  ckpt: LoadedCheckpoint & { meta: CheckpointMeta },
  data: Parameters<typeof checkModelFitsData>[1],
  resolved: Record<string, unknown>,
  fingerprint: string,
  note: (line: string) => void,
): void {
  checkModelFitsData(ckpt.meta.model_config as never, data, path);
  const before = flatten(ckpt.meta.config);
  const now = flatten(resolved);
  const changed: string[] = [];
  const free: string[] = [];
  for (const [key, value] of now) {
    if (key === "resume" || key === "resume_override" || !before.has(key)) continue;
    const old = before.get(key);
    if (JSON.stringify(old) === JSON.stringify(value)) continue;
    const line = `${key} ${JSON.stringify(old)} -> ${JSON.stringify(value)}`;
    (RESUME_FREE_KEYS.includes(key) ? free : changed).push(line);
  }
  const was = ckpt.meta.dataset_fingerprint;
  if (was === undefined) {
    note(`resume: ${path} has no dataset fingerprint (an older checkpoint); dataset not checked`);
  } else if (was !== fingerprint) {
    changed.push(
      `dataset fingerprint ${was.slice(0, 16)} -> ${fingerprint.slice(0, 16)} ` +
        `(${String(now.get("data_path"))} holds other data)`,
    );
  }
  if (free.length) note(`resume: changed keys: ${free.join(", ")}`);
  if (!changed.length) return;
  if (!resolved.resume_override) {
    throw new Error(
      `resume: ${path} was trained with another config or dataset (${changed.join("; ")}); ` +
        `resume with the checkpoint's values, or add resume_override=true to continue anyway`,
    );
  }
  note(
    `resume: continuing with resume_override=true despite: ${changed.join("; ")} ` +
      `(the continuation differs from any uninterrupted run)`,
  );
}

/** A fresh run never overwrites another run's metrics or checkpoints. */
async function refuseExistingRun(runDir: string): Promise<void> {
  const found: string[] = [];
  const metrics = await Deno.stat(`${runDir}/metrics.jsonl`).catch(() => undefined);
  if (metrics && metrics.size > 0) found.push("metrics.jsonl");
  try {
    for (const e of Deno.readDirSync(checkpointDir(runDir))) {
      if (e.name.endsWith(".safetensors")) {
        found.push("checkpoints/");
        break;
      }
    }
  } catch { /* no checkpoint folder */ }
  if (found.length) {
    throw new Error(
      `run_dir ${runDir} already holds a run (${found.join(", ")}); continue it with ` +
        `resume=true, or choose another run_dir`,
    );
  }
}

/** The reference's reduction: losses / batch size, counts-based metrics / max(count, 1). */
function trainRecord(
  out: StepResult,
  at: {
    step: number;
    epoch: number;
    lr: number;
    embLr: number;
    B: number;
    backend: string;
  },
): MetricsRecord {
  const m = out.metrics;
  const div = Math.max(m.count, 1);
  return {
    kind: "train",
    step: at.step,
    epoch: at.epoch,
    lr: at.lr,
    puzzle_emb_lr: at.embLr,
    loss: out.loss / at.B,
    lm_loss: m.lm_loss / at.B,
    q_halt_loss: m.q_halt_loss / at.B,
    q_continue_loss: (m.q_continue_loss ?? 0) / at.B,
    count: m.count,
    accuracy: m.accuracy / div,
    exact_accuracy: m.exact_accuracy / div,
    q_halt_accuracy: m.q_halt_accuracy / div,
    steps: m.steps / div,
    backend: at.backend,
  };
}
