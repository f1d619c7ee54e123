/**
 * `deno task eval checkpoint=...`: evaluates a checkpoint (a training
 * checkpoint of this project, or reference-named weights such as
 * `deno task convert` writes from the released official checkpoints) on a
 * dataset's test split, as the reference's evaluate.py: prints and saves the
 * per-set metrics and, when asked, the per-example outputs.
 * @module
 */
import { describeBackend, useBackend } from "../backends/mod.ts";
import { writeJsonAtomic } from "../io/mod.ts";
import { configFromArgs, resolvedConfig } from "./config.ts";
import { savedConfigFor } from "./args.ts";
import { readCheckpoint } from "./checkpoint.ts";
import { checkModelFitsData, checkSplitsAgree, openSplit, openSplitMetadata } from "./data.ts";
import { evaluateSplit, type SetMetrics } from "./evaluate.ts";
import { createTrainModel } from "./create_model.ts";
import { MetricsLog, type MetricsRecord } from "./metrics_log.ts";
import { CORE_OUTPUTS, outputsToCollect, saveEvalOutputs } from "./save_outputs.ts";
import { Progress } from "../util/mod.ts";
import {
  type EvalSampleInfo,
  type EvalSampleRequest,
  sampleSplit,
  sampleText,
} from "./eval_sample.ts";
import { evaluationWeights, nonFiniteWeights } from "./exported_state.ts";

/** What to evaluate. */
export interface EvalRequest {
  checkpoint: string;
  /** `key=value` overrides of the saved config (data_path, global_batch_size, backend, arch.halt_max_steps, run_dir, ...). */
  overrides?: readonly string[];
  /**
   * Outputs to save (inputs, labels, puzzle_identifiers, preds, logits, q_halt_logits,
   * q_continue_logits); default: the scorer's four; `[]`: none.
   */
  saveOutputs?: readonly string[];
  quiet?: boolean;
  tty?: boolean;
  /** Progress label (default `eval`). */
  label?: string;
  onRecord?: (r: MetricsRecord) => void;
  /**
   * Score a seeded random sample of whole test groups instead of the whole
   * split (eval_sample.ts); files then carry a `_sample<N>_seed<S>` suffix.
   */
  sample?: EvalSampleRequest;
}

/** What {@link runEvaluation} returns. */
export interface EvalSummary {
  sets: Record<string, SetMetrics>;
  step: number;
  /** Where `eval_step_<N>.json` (and outputs) were written. */
  outDir: string;
  outputsDir?: string;
  backend: string;
  /** What was scored when {@link EvalRequest.sample} was given. */
  sample?: EvalSampleInfo;
}

function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i);
}

/** Runs the evaluation; one-line errors for missing files, bad configs, mismatched data. */
export async function runEvaluation(req: EvalRequest): Promise<EvalSummary> {
  const path = req.checkpoint;
  const ckpt = await readCheckpoint(path);
  // NaN/inf weights would give NaN metrics and exit 0: refuse them before anything runs.
  const { count: nonFinite, first: firstBad } = nonFiniteWeights(ckpt.tensors);
  if (nonFinite) {
    throw new Error(
      `${path}: ${nonFinite} non-finite weight value(s) (NaN or infinity), the first in ` +
        `${JSON.stringify(firstBad)}; expected finite weights, refusing to evaluate`,
    );
  }
  const saved = await savedConfigFor(path);
  const overrides = req.overrides ?? [];
  if (!saved && !overrides.some((a) => a.startsWith("data_path="))) {
    throw new Error(
      `${path}: no config found (checkpoint metadata, all_config.yaml or config.json beside ` +
        `it); pass data_path=... and the arch.* keys the model was trained with`,
    );
  }
  const config = configFromArgs(overrides, saved?.config ?? {});
  const dir = config.data_path;
  const trainMeta = await openSplitMetadata(dir, "train");
  const full = await openSplit(dir, "test");
  checkSplitsAgree(dir, trainMeta, full.metadata);
  const sampled = req.sample ? sampleSplit(full, req.sample, `${dir}/test`) : undefined;
  const test = sampled?.split ?? full;
  const tag = req.sample ? `_sample${req.sample.size}_seed${req.sample.seed}` : "";
  if (ckpt.meta) checkModelFitsData(ckpt.meta.model_config as never, trainMeta, path);

  const backend = await useBackend(config.backend);
  const model = await createTrainModel(config, trainMeta, "eval");
  const progress = req.quiet ? undefined : new Progress({
    total: 1,
    label: req.label ?? "eval",
    tty: req.tty,
  });
  try {
    // The EMA shadow where the checkpoint has one (ema=true), as the trainer evaluates.
    await model.loadWeights(evaluationWeights(ckpt.tensors), path);
    const step = ckpt.meta?.step ?? Number(/step_(\d+)/.exec(path)?.[1] ?? 0);
    progress?.log(
      (req.label ? `${req.label}: ` : "") +
        `${describeBackend(backend)}; evaluating ${path} (step ${step}) on ${dir}/test` +
        (saved ? ` with the config from ${saved.source}` : "") +
        (sampled ? `; a sample: ${sampleText(sampled.info)}` : ""),
    );
    const outDir = config.run_dir ??
      (ckpt.meta && dirname(path).endsWith("/checkpoints")
        ? dirname(dirname(path))
        : dirname(path));
    await Deno.mkdir(outDir, { recursive: true });
    // As evaluate.py, outputs are saved by default (the scorer's four fields).
    const save = outputsToCollect(
      req.saveOutputs ??
        (config.eval_save_outputs.length ? config.eval_save_outputs : CORE_OUTPUTS),
    );
    const pass = await evaluateSplit(model, test, config.global_batch_size, {
      saveOutputs: save,
      onBatch: (done, total) => {
        if (done === 1) progress?.setTotal(total);
        progress?.update(done);
      },
    });
    const records: MetricsRecord[] = Object.entries(pass.sets).map(([set, m]) => ({
      kind: "eval",
      step,
      set,
      ...m,
      eval_s: pass.seconds,
      backend: backend.backend,
      ...(sampled
        ? {
          sample_size: sampled.info.size,
          sample_population: sampled.info.population,
          sample_seed: sampled.info.seed,
        }
        : {}),
    }));
    const log = await MetricsLog.open(`${outDir}/eval_step_${step}${tag}.jsonl`);
    for (const r of records) {
      log.write(r);
      req.onRecord?.(r);
    }
    log.close();
    await writeJsonAtomic(`${outDir}/eval_step_${step}${tag}.config.json`, {
      checkpoint: path,
      ...(sampled ? { sample: sampled.info } : {}),
      config: resolvedConfig(config),
      model_config: model.modelConfig,
    });
    let outputsDir: string | undefined;
    if (save.length) {
      outputsDir = `${outDir}/eval_outputs/step_${step}${tag}`;
      await saveEvalOutputs(outputsDir, pass.outputs, test, {
        step: String(step),
        checkpoint: path,
        dataset: dir,
        ...(sampled ? { sample: JSON.stringify(sampled.info) } : {}),
      });
    }
    return {
      sets: pass.sets,
      step,
      outDir,
      outputsDir,
      backend: backend.backend,
      ...(sampled ? { sample: sampled.info } : {}),
    };
  } finally {
    progress?.stop();
    await model.dispose();
  }
}
