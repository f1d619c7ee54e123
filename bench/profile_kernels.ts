/**
 * Per-kernel time of one training step and one evaluation segment (tf.profile),
 * to find what to optimise next:
 *
 *   deno run -A bench/profile_kernels.ts [config] [batch] [backend]
 *
 * Prints the kernels sorted by total time, with call counts.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

type ProfileInfo = Awaited<ReturnType<typeof tf.profile>>;
import {
  createTrainer,
  disposeCarry,
  disposeState,
  disposeTrainer,
  evalStep,
  initialCarry,
  initModel,
  parseModelConfig,
  parseOptimConfig,
  trainStep,
} from "../model/mod.ts";
import { type BackendName, useBackend, wasmMatMulStats } from "../backends/mod.ts";
import { getBenchConfig } from "./configs.ts";
import { BENCH_OPTIM, randomBatch } from "./model_bench.ts";

/** Kernel name -> [total ms, calls], from a tf.profile result. */
export function kernelTotals(info: ProfileInfo): Map<string, [number, number]> {
  const totals = new Map<string, [number, number]>();
  for (const k of info.kernels) {
    const t = totals.get(k.name) ?? [0, 0];
    t[0] += typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
    t[1] += 1;
    totals.set(k.name, t);
  }
  return totals;
}

function print(title: string, wallMs: number, info: ProfileInfo): void {
  const totals = [...kernelTotals(info)].sort((a, b) => b[1][0] - a[1][0]);
  const kernelMs = totals.reduce((s, [, [ms]]) => s + ms, 0);
  console.log(
    `\n${title}: wall ${wallMs.toFixed(0)} ms, kernels ${kernelMs.toFixed(0)} ms, ` +
      `${info.kernels.length} kernel calls`,
  );
  for (const [name, [ms, calls]] of totals.slice(0, 20)) {
    console.log(
      `  ${name.padEnd(24)} ${ms.toFixed(0).padStart(7)} ms ${
        (100 * ms / kernelMs).toFixed(1).padStart(5)
      }%  ${String(calls).padStart(6)} calls`,
    );
  }
}

if (import.meta.main) {
  const [name = "sudoku-paper", batchArg, backend = "wasm"] = Deno.args;
  const config = getBenchConfig(name);
  const batch = batchArg ? Number(batchArg) : config.batch;
  await useBackend(backend as BackendName);
  const model = initModel(parseModelConfig({ ...config.model, batch_size: batch }), 0);
  const trainer = createTrainer(model, parseOptimConfig({ ...BENCH_OPTIM, ...config.optim }), 0);
  let carry = initialCarry(model, batch);
  const data = randomBatch(config, batch, 1);
  const lrs = { lr: 1e-4, puzzleEmbLr: 1e-4 };
  carry = (await trainStep(trainer, carry, data, lrs)).carry; // warm-up
  wasmMatMulStats(true);
  let t = performance.now();
  const train = await tf.profile(async () => {
    carry = (await trainStep(trainer, carry, data, lrs)).carry;
  });
  print(`${name} batch ${batch} ${backend}: training step`, performance.now() - t, train);
  console.log("  fast matmul split (ms):", JSON.stringify(wasmMatMulStats(true)));
  t = performance.now();
  const ev = await tf.profile(async () => {
    carry = (await evalStep(model, carry, data)).carry;
  });
  print(`${name} batch ${batch} ${backend}: evaluation segment`, performance.now() - t, ev);
  console.log("  fast matmul split (ms):", JSON.stringify(wasmMatMulStats(true)));
  disposeCarry(carry);
  disposeTrainer(trainer);
  disposeState(model);
}
