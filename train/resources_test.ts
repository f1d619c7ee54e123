import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { testOnBackends } from "../backends/testing.ts";
import * as hrm from "../model/mod.ts";
import type { DatasetMetadata } from "../tasks/mod.ts";
import { configFromArgs } from "./config.ts";
import { createTrainModel } from "./create_model.ts";
import {
  estimateMemory,
  formatBytes,
  largestTensor,
  type MemoryLimits,
  memoryLimits,
  resourceProblem,
  rowsWithin,
  WASM_HEAP_LIMIT,
} from "./resources.ts";

/** How far the estimate may be from tfjs' own count, either way. */
const FACTOR = 1.25;

const SMALL: Record<string, hrm.ModelConfigInput> = {
  rope: {
    batch_size: 8,
    seq_len: 24,
    vocab_size: 10,
    num_puzzle_identifiers: 5,
    puzzle_emb_ndim: 32,
    hidden_size: 32,
    num_heads: 2,
    expansion: 4,
    H_layers: 1,
    L_layers: 2,
    halt_max_steps: 2,
  },
  learned: {
    batch_size: 4,
    seq_len: 40,
    vocab_size: 50,
    num_puzzle_identifiers: 3,
    puzzle_emb_ndim: 0,
    hidden_size: 48,
    num_heads: 4,
    expansion: 2,
    H_layers: 2,
    L_layers: 1,
    halt_max_steps: 2,
    pos_encodings: "learned",
  },
  trm_mlp_ema: {
    arch: "trm",
    batch_size: 4,
    seq_len: 16,
    vocab_size: 11,
    num_puzzle_identifiers: 2,
    puzzle_emb_ndim: 32,
    puzzle_emb_len: 2,
    hidden_size: 32,
    num_heads: 2,
    expansion: 4,
    H_layers: 0,
    L_layers: 2,
    H_cycles: 2,
    L_cycles: 2,
    halt_max_steps: 2,
    mlp_t: true,
    pos_encodings: "none",
  },
};
SMALL.trm_att_ema = {
  ...SMALL.trm_mlp_ema,
  mlp_t: false,
  pos_encodings: "rope",
  seq_len: 30,
  hidden_size: 48,
  num_heads: 3,
};
/** The SMALL configs trained with an EMA shadow of the weights. */
const WITH_EMA = new Set(["trm_mlp_ema", "trm_att_ema"]);

function batchFor(c: hrm.ModelConfig, seed: number): hrm.Batch {
  const r = new hrm.Rng(seed);
  const inputs = Int32Array.from({ length: c.batch_size * c.seq_len }, () => r.int(c.vocab_size));
  return hrm.batchOf({
    inputs,
    labels: inputs.map((x) => (x + 1) % c.vocab_size),
    puzzleIdentifiers: Int32Array.from(
      { length: c.batch_size },
      () => r.int(c.num_puzzle_identifiers),
    ),
  });
}

/** Peak tfjs bytes (tf.profile) of `fn` above `base` (profile() reuses its result object). */
async function peakOf(base: number, fn: () => Promise<void>): Promise<number> {
  const info = await tf.profile(async () => {
    await fn();
    return tf.scalar(0);
  });
  const peak = Math.max(info.peakBytes, tf.memory().numBytes) - base;
  (info.result as tf.Tensor).dispose();
  return peak;
}

for (const [name, input] of Object.entries(SMALL)) {
  testOnBackends(
    `resources: the estimate is within ${FACTOR}x of tfjs' memory (${name})`,
    async () => {
      const c = hrm.parseModelConfig(input);
      const ema = WITH_EMA.has(name);
      const e = estimateMemory(c, { ema });
      const base = tf.memory().numBytes;
      const model = hrm.createModel(c, 1);
      const trainer = hrm.createTrainer(model, hrm.parseOptimConfig({ ema }), 1);
      let carry = hrm.initialCarry(model, c.batch_size);
      const held = tf.memory().numBytes - base;
      const train = await peakOf(base, async () => {
        const r = await hrm.trainStep(trainer, carry, batchFor(c, 1), {
          lr: 1e-4,
          puzzleEmbLr: 1e-2,
        }, {
          guardNonFinite: true,
        });
        carry = r.carry;
      });
      const evaluate = await peakOf(base, async () => {
        await hrm.evaluateBatch(model, batchFor(c, 2));
      });
      hrm.disposeCarry(carry);
      hrm.disposeTrainer(trainer);
      hrm.disposeState(model);
      const within = (est: number, got: number, what: string) =>
        assert.ok(
          est / got <= FACTOR && got / est <= FACTOR,
          `${what}: estimated ${est}, measured ${got} (ratio ${(est / got).toFixed(3)})`,
        );
      within(e.params + e.moments + e.ema + e.carry, held, "weights, moments, EMA, carry");
      within(e.train, train, "train");
      within(e.eval, evaluate, "eval");
    },
  );
}

const paperSudoku = hrm.parseModelConfig({
  batch_size: 768,
  seq_len: 81,
  vocab_size: 11,
  num_puzzle_identifiers: 1001,
});
const paperArc = hrm.parseModelConfig({
  batch_size: 768,
  seq_len: 900,
  vocab_size: 12,
  num_puzzle_identifiers: 1_000_000,
});
const TIB = 2 ** 40;
const limitsOf = (backend: string, extra: Partial<MemoryLimits> = {}): MemoryLimits => ({
  ...memoryLimits(backend),
  system: TIB,
  ...extra,
});

/** A refusal is one line that names a size, a limit and a setting to lower. */
function assertRefusal(line: string | undefined, re: RegExp): void {
  assert.ok(line, "expected a refusal");
  assert.ok(!line.includes("\n"), `not one line: ${line}`);
  assert.match(line, re);
}

Deno.test("resources: wasm refuses the paper Sudoku batch with the need, the 4 GiB heap and the batch that fits", () => {
  const line = resourceProblem({ cfg: paperSudoku, workers: 2, limits: limitsOf("wasm") });
  assertRefusal(
    line,
    /^training at global_batch_size 768 \(384 rows per worker, 2 workers\) needs about [\d.]+ GiB per worker \(weights 104 MiB, optimizer 104 MiB, activations [\d.]+ GiB\); the wasm backend's heap is 4\.0 GiB per process: lower global_batch_size to at most (\d+) \(or train on a GPU: backend=webgpu\)$/,
  );
  const fit = Number(/at most (\d+)/.exec(line!)![1]);
  const at = (b: number) => estimateMemory({ ...paperSudoku, batch_size: b }, { workers: 2 }).train;
  assert.ok(at(fit) <= WASM_HEAP_LIMIT && at(fit + 2) > WASM_HEAP_LIMIT, `fit ${fit}`);
  assert.equal(
    resourceProblem({
      cfg: { ...paperSudoku, batch_size: fit },
      workers: 2,
      limits: limitsOf("wasm"),
    }),
    undefined,
  );
  // The paper's Maze model at batch 1 (docs/benchmarks.md: "needs most of wasm's 4 GB") fits.
  const maze = hrm.parseModelConfig({
    batch_size: 1,
    seq_len: 900,
    vocab_size: 6,
    num_puzzle_identifiers: 1,
  });
  const m = estimateMemory(maze).train;
  assert.ok(m > 2.5 * 2 ** 30 && m < WASM_HEAP_LIMIT, formatBytes(m));
});

Deno.test("resources: WebGPU refuses a tensor beyond its binding limit (paper ARC's attention scores)", () => {
  assertRefusal(
    resourceProblem({ cfg: paperArc, workers: 1, limits: limitsOf("webgpu") }),
    /^training at global_batch_size 768 needs a 18\.6 GiB tensor \(attention scores \[B\*heads, T, T\]\); WebGPU's limit is 2\.0 GiB per tensor \(tfjs-webgpu's ~2 GiB per tensor\): lower global_batch_size to at most 82 \(training steps are not split into micro-batches/,
  );
  // A device limit below 2 GiB is the one used.
  assertRefusal(
    resourceProblem({
      cfg: paperSudoku,
      workers: 1,
      limits: limitsOf("webgpu", {
        gpuTensor: 128 * 2 ** 20,
        gpuTensorSource: "the device's max buffer binding",
      }),
    }),
    /needs a 738 MiB tensor \(MLP gate\/up \[B\*T, 2\*inner\]\); WebGPU's limit is 128 MiB per tensor \(the device's max buffer binding\): lower global_batch_size to at most 133 /,
  );
  // Evaluation splits its batches instead (82 rows per call), so it is not refused.
  assert.equal(
    resourceProblem({ cfg: paperArc, workers: 1, purpose: "eval", limits: limitsOf("webgpu") }),
    undefined,
  );
  assert.equal(rowsWithin(paperArc, 2 * 2 ** 30), 82);
  assert.ok(largestTensor(paperArc, 82).bytes <= 2 * 2 ** 30);
  assert.ok(largestTensor(paperArc, 83).bytes > 2 * 2 ** 30);
  assert.equal(rowsWithin(paperSudoku, 2 * 2 ** 30), 768);
  assert.equal(rowsWithin(paperArc, 1000), 0);
  // The paper Sudoku batch is for a GPU: no single tensor is near 2 GiB.
  assert.equal(
    resourceProblem({ cfg: paperSudoku, workers: 1, limits: limitsOf("webgpu") }),
    undefined,
  );
});

Deno.test("resources: the machine's memory, the puzzle table, and models too big at one row", () => {
  const gib = 2 ** 30;
  assertRefusal(
    resourceProblem({
      cfg: paperSudoku,
      workers: 2,
      limits: limitsOf("cpu", { system: 16 * gib }),
    }),
    /^training at global_batch_size 768 \(384 rows per worker, 2 workers\) needs about [\d.]+ GiB of memory in 2 processes \(.*\); this machine has 16\.0 GiB: lower global_batch_size to at most \d+$/,
  );
  const arcSmall = { ...paperArc, batch_size: 1, seq_len: 30, hidden_size: 64, num_heads: 2 };
  assertRefusal(
    resourceProblem({ cfg: arcSmall, workers: 1, limits: limitsOf("wasm", { system: gib }) }),
    /needs about [\d.]+ GiB of memory \(.*; the puzzle-embedding table is 1\.9 GiB per process\); this machine has 1\.0 GiB: lower arch\.puzzle_emb_ndim$/,
  );
  const wide = hrm.parseModelConfig({
    batch_size: 1,
    seq_len: 8,
    vocab_size: 10,
    num_puzzle_identifiers: 1,
    hidden_size: 8192,
    num_heads: 16,
  });
  assertRefusal(
    resourceProblem({ cfg: wide, workers: 1, limits: limitsOf("wasm") }),
    /needs about [\d.]+ GiB \(weights [\d.]+ GiB, .*\); the wasm backend's heap is 4\.0 GiB per process: lower arch\.hidden_size or the layers \(arch\.H_layers, arch\.L_layers\)/,
  );
  const long = hrm.parseModelConfig({
    batch_size: 1,
    seq_len: 8000,
    vocab_size: 10,
    num_puzzle_identifiers: 1,
  });
  assertRefusal(
    resourceProblem({ cfg: long, workers: 1, limits: limitsOf("wasm") }),
    /heap is 4\.0 GiB per process: lower the sequence length \(the dataset's seq_len\) or arch\.hidden_size/,
  );
  // Evaluating needs less than training.
  const e = estimateMemory(paperSudoku);
  assert.ok(e.eval < e.train);
  assert.equal(e.logits, 768 * 81 * 11 * 4);
});

testOnBackends(
  "resources: createTrainModel refuses before allocating anything",
  async (backend) => {
    const meta = { seq_len: 81, vocab_size: 11, num_puzzle_identifiers: 2 } as DatasetMetadata;
    const config = configFromArgs([
      "data_path=unused",
      `backend=${backend}`,
      "workers=1",
      "global_batch_size=200000",
    ]);
    const tensors = tf.memory().numTensors;
    const start = performance.now();
    await assert.rejects(
      () => createTrainModel(config, meta),
      (err: Error) => {
        assert.ok(!err.message.includes("\n"), err.message);
        assert.match(
          err.message,
          /^training at global_batch_size 200000 needs about .*: lower global_batch_size to at most \d+/,
        );
        return true;
      },
    );
    assert.ok(performance.now() - start < 1000, "refused at once");
    assert.equal(tf.memory().numTensors, tensors);
  },
  { only: ["cpu", "wasm"] },
);
