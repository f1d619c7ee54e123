/**
 * `deno task eval-arc --outputs FILE|DIR --data DIR --out DIR [--ks 1,2,10,100,1000] [--no-render]`:
 * scores saved evaluation outputs (format in io/eval_outputs.ts) against a
 * built ARC folder; prints the overall table and writes score.json, score.md,
 * index.html and tasks/*.svg.
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { DEFAULT_KS, evaluateArc } from "../tasks/arc/mod.ts";
import { parseCli, runCli } from "../util/mod.ts";

function parseKs(v: string): number[] {
  const ks = v.split(",").map((s) => s.trim());
  if (!ks.length || ks.some((k) => !/^[1-9]\d*$/.test(k))) {
    throw new Error(`--ks must be a comma-separated list of positive integers, got '${v}'`);
  }
  return ks.map(Number);
}

async function main(args: string[]): Promise<void> {
  const cmd = new Command("eval-arc")
    .description("Score saved ARC evaluation outputs (votes over augmentations, pass@k)")
    .requiredOption("--outputs <path>", "eval outputs: a .safetensors file or a folder of them")
    .requiredOption("--data <dir>", "the built ARC folder the outputs were computed on")
    .requiredOption("--out <dir>", "report folder")
    .option("--ks <list>", "k values of pass@k", parseKs, DEFAULT_KS)
    .option("--no-render", "skip the HTML page and SVGs");
  if (!parseCli(cmd, args)) return; // --help
  const o = cmd.opts();
  const score = await evaluateArc({
    outputs: o.outputs,
    data: o.data,
    out: o.out,
    ks: o.ks,
    render: o.render,
  });
  const line = score.ks.map((k) => `pass@${k} ${(100 * score.overall[k]).toFixed(2)}%`).join("  ");
  console.log(`${score.tasks.length} tasks: ${line}`);
  console.log(`report written to ${o.out}/score.json, score.md${o.render ? ", index.html" : ""}`);
}

if (import.meta.main) {
  await runCli(() => main(Deno.args));
}
