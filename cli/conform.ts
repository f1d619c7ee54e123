/**
 * `deno task conform <case-dir> [--backend cpu|wasm|webgpu|auto]`: runs the
 * model on a reference case folder and compares every dumped tensor.
 * Prints one row per tensor group (or per tensor with --verbose) with its max
 * scaled error and the rule that set its bound (`scale`: 1e-3 of scale;
 * `floor`: FLOOR_FACTOR x the golden's float32 noise floor, from
 * eval64.safetensors; `exact`: integers), then
 * `conform <case>: max_err=<x> PASS|FAIL`. Exit 0 only on PASS.
 * @module
 */
import { Command, Option } from "@commander-js/extra-typings";
import { describeBackend, parseBackend, useBackend } from "../backends/mod.ts";
import { FLOOR_FACTOR, loadCase, runCase, TOLERANCE } from "../conformance/mod.ts";
import { runCli } from "../util/mod.ts";

const program = new Command()
  .name("conform")
  .description(
    "Compare the TensorFlow.js HRM or TRM with tensors dumped from the official PyTorch code",
  )
  .argument("<case-dir>", "folder with config.json, params/batches/eval/train.safetensors")
  .addOption(
    new Option("--backend <name>", "tfjs backend").choices(["auto", "webgpu", "wasm", "cpu"])
      .default("auto"),
  )
  .option("--eval-only", "only the evaluation unroll")
  .option("--train-only", "only the training steps")
  .option("--verbose", "one row per tensor instead of per group");

async function main(): Promise<number> {
  program.parse();
  const [dir] = program.args;
  const opts = program.opts();
  const c = await loadCase(dir.replace(/\/+$/, ""));
  const info = await useBackend(parseBackend(opts.backend));
  console.log(describeBackend(info));
  const started = performance.now();
  // Progress on stderr (a slow backend can take minutes); the report stays on stdout.
  const progress = (msg: string) =>
    console.error(`  [${((performance.now() - started) / 1000).toFixed(1)} s] ${msg}`);
  const report = await runCase(c, { eval: !opts.trainOnly, train: !opts.evalOnly, progress });
  const fmt = (x: number) => (x === 0 ? "0" : Number.isFinite(x) ? x.toExponential(2) : "inf");
  if (opts.verbose) {
    for (const cmp of report.comparisons) {
      const floor = cmp.floor === undefined ? "" : ` floor=${fmt(cmp.floor)}`;
      console.log(
        `  ${cmp.key.padEnd(72)} ${cmp.exact ? "exact" : fmt(cmp.err).padStart(8)} ${
          cmp.pass ? "ok" : "FAIL"
        } rule: ${cmp.rule}${cmp.exact ? "" : ` bound=${fmt(cmp.bound)}${floor}`}${
          cmp.note ? `  (${cmp.note})` : ""
        }`,
      );
    }
  } else {
    for (const g of report.groups) {
      console.log(
        `  ${g.group.padEnd(44)} n=${String(g.count).padStart(3)} max_err=${
          fmt(g.maxErr).padStart(8)
        } ${g.pass ? "ok" : "FAIL"} rule: ${g.rules.join("+")}`,
      );
      for (const n of g.notes) console.log(`      note: ${n}`);
    }
  }
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `tolerance: max|ours-ref| <= max(${TOLERANCE}, ${FLOOR_FACTOR} * floor) * max|ref| (floats; ` +
      `floor = max|eval64-eval|/max|eval| where eval64 exists, else 0), exact (integers); ${secs} s`,
  );
  console.log(`conform ${c.name}: max_err=${fmt(report.maxErr)} ${report.pass ? "PASS" : "FAIL"}`);
  return report.pass ? 0 : 1;
}

if (import.meta.main) {
  await runCli(main);
}
