/**
 * Standalone entry for the maze task:
 *   deno run -A cli/data_maze.ts build --out DIR [--seed S] [--train N] [--test M] ...
 *   deno run -A cli/data_maze.ts verify DIR
 *   deno run -A cli/data_maze.ts render DIR [--split test] [--index 0] [--out FILE]
 * (`deno task data maze ...` and `deno task data verify DIR` reach the same code
 * through the task registry.)
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { readReferenceSplit } from "../tasks/mod.ts";
import { writeFileAtomic } from "../io/mod.ts";
import { checkPath, mazeTask, renderMazeSvg } from "../tasks/maze/mod.ts";
import { runCli } from "../util/mod.ts";

async function render(
  dir: string,
  opts: { split: string; index: string; out?: string },
): Promise<void> {
  if (opts.split !== "train" && opts.split !== "test") {
    throw new Error(`--split must be train or test, got '${opts.split}'`);
  }
  const index = Number(opts.index);
  const data = await readReferenceSplit(dir, opts.split);
  const set = data.sets.get("all");
  if (!set) throw new Error(`${dir}/${opts.split}: no set named 'all'`);
  if (!Number.isInteger(index) || index < 0 || index >= set.numExamples) {
    throw new Error(`--index must be an integer in 0..${set.numExamples - 1}, got '${opts.index}'`);
  }
  const s = data.metadata.seq_len;
  const input = new Int32Array(s);
  const label = new Int32Array(s);
  set.fill(index, input, label, 0);
  const n = Math.round(Math.sqrt(s));
  const v = checkPath(input, label, n);
  const svg = renderMazeSvg({
    input,
    label,
    title: `${opts.split} example ${index}: shortest path ${v.length} moves`,
  });
  const out = opts.out ?? `${opts.split}_${index}.svg`;
  await writeFileAtomic(out, svg);
  console.log(`wrote ${out}`);
}

const program = new Command()
  .name("data_maze")
  .description("Maze-Hard dataset: build, verify, render");
program.command("build")
  .description("build a maze folder (see --help)")
  .allowUnknownOption()
  .helpOption(false)
  .argument("[args...]")
  .action(async (args) => {
    await mazeTask.build(args);
  });
program.command("verify")
  .description("re-check a built folder")
  .argument("<dir>")
  .action(async (dir) => {
    const report = await mazeTask.verify(dir, {});
    for (const line of report.lines) console.log(line);
    if (!report.ok) Deno.exit(1);
  });
program.command("render")
  .description("render one example of a built folder as SVG")
  .argument("<dir>")
  .option("--split <split>", "train or test", "test")
  .option("--index <i>", "example index", "0")
  .option("--out <file>", "output SVG (default <split>_<index>.svg)")
  .action(render);

await runCli(() => program.parseAsync(Deno.args, { from: "user" }));
