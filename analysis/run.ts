/**
 * One model's analyses end to end: loads a checkpoint and the dataset it was
 * trained on, samples test puzzles, runs the recording unroll (trained model,
 * and the same architecture at its seeded initial weights for the PR control),
 * and writes `analysis.json`, the figures and the prediction strips into the
 * output folder (and, when asked, the PR state matrices as `.npy`).
 * @module
 */
import { join } from "node:path";
import { describeBackend, useBackend } from "../backends/mod.ts";
import { writeFileAtomic, writeJsonAtomic, writeNpy } from "../io/mod.ts";
import { disposeState, initModel, type ModelState, stateFromDict } from "../model/mod.ts";
import type { EvalOutputs } from "../io/mod.ts";
import { IGNORE_LABEL_ID } from "../model/mod.ts";
import type { ScoreContext, TaskExample } from "../tasks/mod.ts";
import {
  configFromArgs,
  evaluationWeights,
  modelConfigFor,
  openSplit,
  openSplitMetadata,
  readCheckpoint,
  savedConfigFor,
} from "../train/mod.ts";
import { Progress } from "../util/mod.ts";
import { participationFigure, residualFigure, scalingFigure } from "./figures.ts";
import { changedTokens, isExact, predictionStrip } from "./intermediate.ts";
import { participationRatio, type StateMatrix } from "./participation.ts";
import { summariseResiduals } from "./residuals.ts";
import { actHalting, inferenceScaling, scoreRows } from "./scaling.ts";
import { sampleRows } from "./sample.ts";
import { type Analysis, ANALYSIS_FILE, AnalysisSchema } from "./schema.ts";
import { unroll, type UnrollRecord } from "./unroll.ts";

/** What to analyse and where to write. */
export interface AnalyzeRequest {
  /** The checkpoint (its config from its metadata, or config.json / all_config.yaml beside it). */
  checkpoint: string;
  /** The dataset folder the model was trained on (its test split is analysed). */
  dataDir: string;
  /** Folder for analysis.json and the SVGs. */
  outDir: string;
  /** Test rows to sample (default 200). */
  samples?: number;
  /** Seed of the sample and of the untrained control (default: the run's training seed). */
  seed?: number;
  /** Unroll with these cycle counts for the residuals (default: the trained ones). */
  cycles?: { H: number; L: number };
  /** Segments to unroll for inference scaling (default 2 x the trained halt_max_steps). */
  maxSegments?: number;
  /** Write z_H.npy / z_L.npy (and the untrained control's) into this folder. */
  saveStates?: string;
  /** Puzzles drawn as prediction strips (default 3). */
  examples?: number;
  /** The task's picture of one example (`Task.renderExample`). */
  render: (example: TaskExample) => string;
  /**
   * The task's extra scores of evaluation outputs (`Task.scoreOutputs`, e.g. Maze's valid-path
   * rate), computed for each segment count from in-memory outputs; only for scorers that write
   * no files.
   */
  scoreOutputs?: (outputs: EvalOutputs, at: ScoreContext) => Promise<Record<string, number>>;
  /** Title prefix of the figures, e.g. `sudoku / hrm`. */
  title: string;
  /** `auto` | `webgpu` | `wasm` | `cpu` (default `auto`). */
  backend?: string;
  /** No progress bar. */
  quiet?: boolean;
  /** Where the one-line messages go (default: console.log). */
  log?: (line: string) => void;
}

/** A sample-count ladder for PR against the number of puzzles: 1, 2, 5, 10, 20, 50, ... n. */
export function sampleLadder(n: number): number[] {
  const out: number[] = [];
  for (let k = 1; k < n; k *= 10) {
    for (const m of [1, 2, 5]) if (k * m < n) out.push(k * m);
  }
  out.push(n);
  return out;
}

/** The token-position states of an unroll as PR matrices. */
function matrices(rec: UnrollRecord): { zH: StateMatrix; zL: StateMatrix | null } {
  const s = rec.states!;
  const n = rec.n * rec.seqLen;
  return {
    zH: { data: s.zH, n, dim: s.hidden },
    zL: s.zL ? { data: s.zL, n, dim: s.hidden } : null,
  };
}

/** Loads a checkpoint's weights and config against the data folder. */
async function loadModel(checkpoint: string, dataDir: string) {
  const ckpt = await readCheckpoint(checkpoint);
  const saved = await savedConfigFor(checkpoint);
  if (!saved) {
    throw new Error(
      `${checkpoint}: no config found (checkpoint metadata, all_config.yaml or config.json ` +
        `beside it); analysis needs the arch.* keys the model was trained with`,
    );
  }
  const config = configFromArgs([`data_path=${dataDir}`], saved.config);
  const meta = await openSplitMetadata(dataDir, "train");
  const mc = modelConfigFor(config, meta);
  // The weights an evaluation uses: the EMA shadow where the checkpoint has one (TRM).
  const weights = evaluationWeights(ckpt.tensors);
  return { model: stateFromDict(mc, weights, checkpoint), config };
}

/** Runs every analysis of one model; returns the record written to `analysis.json`. */
export async function analyzeModel(req: AnalyzeRequest): Promise<Analysis> {
  const t0 = performance.now();
  const log = req.log ?? ((l: string) => console.log(l));
  const backend = await useBackend((req.backend ?? "auto") as never);
  const { model, config } = await loadModel(req.checkpoint, req.dataDir);
  const seed = req.seed ?? config.seed;
  const c = model.config;
  const trained = c.halt_max_steps;
  const segments = req.maxSegments ?? 2 * trained;
  if (segments < trained) {
    throw new Error(`--max-segments ${segments}: must be at least the trained ${trained}`);
  }
  const test = await openSplit(req.dataDir, "test");
  const sample = sampleRows(test, req.samples ?? 200, seed);
  const n = sample.index.length;
  const batchSize = Math.max(1, Math.min(config.global_batch_size, 64));
  const cycles = req.cycles ?? { H: c.H_cycles, L: c.L_cycles };
  const extraPass = cycles.H !== c.H_cycles || cycles.L !== c.L_cycles;
  const passes = 2 + (extraPass ? 1 : 0);
  log(
    `analyze ${req.title}: ${describeBackend(backend)}; ${n} of ${sample.total} test rows ` +
      `(seed ${seed}), ${segments} segments (trained ${trained}), ` +
      (c.arch !== "transformer"
        ? `cycles H=${cycles.H} L=${cycles.L}`
        : `${c.transformer_layers} Transformer blocks`),
  );
  const progress = req.quiet
    ? undefined
    : new Progress({ total: n * passes, label: `analyze ${req.title}` });
  let done = 0;
  const onProgress = (rows: number) => progress?.update(done + rows);
  let untrained: ModelState | undefined;
  try {
    // Pass 1: the trained model, 2x its segments: scaling, halting, strips, residuals, PR states.
    const rec = await unroll(model, sample.rows, {
      segments,
      batchSize,
      residuals: !extraPass,
      statesAt: trained,
      onProgress,
    });
    done += n;
    let residualCalls = rec.calls;
    let residualSegments = segments;
    if (extraPass) {
      const more = await unroll(model, sample.rows, {
        segments: trained,
        batchSize,
        residuals: true,
        cycles,
        onProgress,
      });
      done += n;
      residualCalls = more.calls;
      residualSegments = trained;
    }
    // Pass 2: the untrained control (same config, initial weights from the seed).
    untrained = initModel(c, seed);
    const ctl = await unroll(untrained, sample.rows, {
      segments: trained,
      batchSize,
      statesAt: trained,
      onProgress,
    });
    done += n;
    progress?.stop();

    const scores = rec.preds.map((p) => scoreRows(p, sample.rows.labels, n));
    const forward = summariseResiduals(residualCalls, cycles, residualSegments);
    const trainedM = matrices(rec);
    const controlM = matrices(ctl);
    const pr = (m: StateMatrix | null, rows: number) => m ? participationRatio(m, rows) : null;
    const bySamples = sampleLadder(n).map((k) => {
      const rows = k * rec.seqLen;
      return {
        samples: k,
        n_states: rows,
        z_H: pr(trainedM.zH, rows)!,
        z_L: pr(trainedM.zL, rows),
        untrained_z_H: pr(controlM.zH, rows)!,
        untrained_z_L: pr(controlM.zL, rows),
      };
    });
    const full = bySamples[bySamples.length - 1];
    let savedStates: string | null = null;
    if (req.saveStates) {
      await Deno.mkdir(req.saveStates, { recursive: true });
      const write = (name: string, m: StateMatrix | null) =>
        m
          ? writeNpy(join(req.saveStates!, name), {
            dtype: "f32",
            shape: [m.n, m.dim],
            data: m.data as Float32Array,
          })
          : Promise.resolve();
      await write("z_H.npy", trainedM.zH);
      await write("z_L.npy", trainedM.zL);
      await write("untrained_z_H.npy", controlM.zH);
      await write("untrained_z_L.npy", controlM.zL);
      savedStates = req.saveStates;
    }

    // Intermediate predictions of the first few sampled rows.
    await Deno.mkdir(req.outDir, { recursive: true });
    const seq = rec.seqLen;
    const intermediate: Analysis["intermediate"] = [];
    for (let k = 0; k < Math.min(req.examples ?? 3, n); k++) {
      const slice = (a: Int32Array) => Array.from(a.subarray(k * seq, (k + 1) * seq));
      const trace = {
        input: slice(sample.rows.inputs),
        label: slice(sample.rows.labels),
        predictions: rec.preds.map(slice),
      };
      const file = `analysis_predictions_${k + 1}.svg`;
      const title = `${req.title}: test row ${sample.index[k]}, prediction after each segment ` +
        `(trained halt_max_steps ${trained})`;
      await writeFileAtomic(join(req.outDir, file), predictionStrip(trace, req.render, title));
      intermediate.push({
        file,
        test_row: sample.index[k],
        exact_by_segment: trace.predictions.map((p) => isExact(p, trace.label)),
        changed_by_segment: changedTokens(trace),
      });
    }

    const scaling: Analysis["inference_scaling"] = inferenceScaling(scores);
    if (req.scoreOutputs) {
      // As evaluation saves them: tokens as bytes, ignored labels back to the dataset's id.
      const back = test.metadata.ignore_label_id ?? test.metadata.pad_id;
      const bytes = (a: Int32Array) => Uint8Array.from(a, (v) => v === IGNORE_LABEL_ID ? back : v);
      const inputs = bytes(sample.rows.inputs);
      const labels = bytes(sample.rows.labels);
      for (const [i, point] of scaling.entries()) {
        const outputs: EvalOutputs = {
          seqLen: seq,
          puzzleIdentifiers: sample.rows.puzzleIdentifiers,
          inputs,
          preds: bytes(rec.preds[i]),
          qHaltLogits: rec.q[i].halt,
          labels,
          metadata: { segments: String(i + 1) },
        };
        point.scores = await req.scoreOutputs(outputs, {
          outputsFile: `analysis sample of ${req.dataDir} after ${i + 1} segment(s)`,
          dataDir: req.dataDir,
          outDir: req.outDir,
        });
      }
    }
    const halting = actHalting(rec.q, scores, trained);
    const figures = {
      residuals: "analysis_residuals.svg",
      scaling: "analysis_scaling.svg",
      participation: "analysis_participation.svg",
    };
    await writeFileAtomic(
      join(req.outDir, figures.residuals),
      await residualFigure(
        forward,
        `${req.title}: forward residuals (H=${cycles.H}, L=${cycles.L}, ${residualSegments} seg.)`,
      ),
    );
    await writeFileAtomic(
      join(req.outDir, figures.scaling),
      await scalingFigure(scaling, trained, halting, `${req.title}: inference-time scaling`),
    );
    const prRows = bySamples.flatMap((b) => [
      { samples: b.samples, state: "z_H trained", pr: b.z_H },
      ...(b.z_L === null ? [] : [{ samples: b.samples, state: "z_L trained", pr: b.z_L }]),
      { samples: b.samples, state: "z_H untrained", pr: b.untrained_z_H },
      ...(b.untrained_z_L === null
        ? []
        : [{ samples: b.samples, state: "z_L untrained", pr: b.untrained_z_L }]),
    ]);
    await writeFileAtomic(
      join(req.outDir, figures.participation),
      await participationFigure(prRows, `${req.title}: participation ratio`),
    );

    const analysis: Analysis = AnalysisSchema.parse({
      version: 1,
      model: {
        arch: c.arch,
        hidden_size: c.hidden_size,
        H_cycles: c.H_cycles,
        L_cycles: c.L_cycles,
        seq_len: c.seq_len,
      },
      checkpoint: req.checkpoint,
      data: req.dataDir,
      samples: n,
      test_rows: sample.total,
      seed,
      backend: backend.backend,
      trained_halt_max_steps: trained,
      forward_residuals: forward,
      inference_scaling: scaling,
      act_halting: halting,
      participation_ratio: {
        z_H: full.z_H,
        z_L: full.z_L,
        untrained: { z_H: full.untrained_z_H, z_L: full.untrained_z_L },
        untrained_seed: seed,
        n_states: full.n_states,
        states: `final z_H / z_L after the trained ${trained} segment(s), every token position ` +
          `(puzzle-embedding positions dropped) of every sampled puzzle, one ${c.hidden_size}-dim ` +
          `state each; covariance over all of them pooled`,
        by_samples: bySamples,
        saved_states: savedStates,
      },
      intermediate,
      figures,
      seconds: (performance.now() - t0) / 1000,
    });
    await writeJsonAtomic(join(req.outDir, ANALYSIS_FILE), analysis);
    return analysis;
  } finally {
    progress?.stop();
    disposeState(model);
    if (untrained) disposeState(untrained);
  }
}
