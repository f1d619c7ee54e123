/**
 * `deno task eval-arc --outputs FILE|DIR --data DIR --out DIR [--ks 1,2,10,100,1000] [--no-render]
 * [--write-official DIR [--step N]]`: scores saved evaluation outputs (ours,
 * io/eval_outputs.ts, or the reference's `step_N_all_preds.<rank>` files, all
 * ranks merged) against a built ARC folder; prints both task rules
 * (`pass@k_all_tests`, the paper's, and `pass@k_fraction`) and writes
 * score.json, score.md, index.html and tasks/*.svg; with `--write-official`
 * also writes the outputs as the reference's rank files for its notebook.
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { DEFAULT_KS, evaluateArc, scoreLines } from "../tasks/arc/mod.ts";
import { parseCli, runCli } from "../util/mod.ts";

function parseKs(v: string): number[] {
  const ks = v.split(",").map((s) => s.trim());
  if (!ks.length || ks.some((k) => !/^[1-9]\d*$/.test(k))) {
    throw new Error(`--ks must be a comma-separated list of positive integers, got '${v}'`);
  }
  return ks.map(Number);
}

function parseStep(v: string): number {
  if (!/^\d+$/.test(v)) throw new Error(`--step must be a non-negative integer, got '${v}'`);
  return Number(v);
}

async function main(args: string[]): Promise<void> {
  const cmd = new Command("eval-arc")
    .description("Score saved ARC evaluation outputs (votes over augmentations, pass@k)")
    .requiredOption(
      "--outputs <path>",
      "eval outputs: a .safetensors file or a folder of them, or the reference's " +
        "step_N_all_preds.<rank> file (all ranks of its step are read) or a folder of them",
    )
    .requiredOption("--data <dir>", "the built ARC folder the outputs were computed on")
    .requiredOption("--out <dir>", "report folder")
    .option("--ks <list>", "k values of pass@k", parseKs, DEFAULT_KS)
    .option("--no-render", "skip the HTML page and SVGs")
    .option(
      "--write-official <dir>",
      "also write the outputs as the reference's step_N_all_preds.<rank> files (for arc_eval.ipynb)",
    )
    .option(
      "--step <n>",
      "step number in those file names (default: the outputs' step, else 0)",
      parseStep,
    );
  if (!parseCli(cmd, args)) return; // --help
  const o = cmd.opts();
  const score = await evaluateArc({
    outputs: o.outputs,
    data: o.data,
    out: o.out,
    ks: o.ks,
    render: o.render,
    writeOfficial: o.writeOfficial ? { dir: o.writeOfficial, step: o.step } : undefined,
  });
  for (const line of scoreLines(score)) console.log(line);
  console.log(`report written to ${o.out}/score.json, score.md${o.render ? ", index.html" : ""}`);
  if (o.writeOfficial) {
    console.log(`reference-format outputs written to ${o.writeOfficial}/step_*_all_preds.*`);
  }
}

if (import.meta.main) {
  await runCli(() => main(Deno.args));
}
