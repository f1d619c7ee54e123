/**
 * `deno task convert <in.pt> <out.safetensors>`: converts a PyTorch checkpoint
 * written by the reference HRM trainer or TinyRecursiveModels' (both
 * `torch.save(model.state_dict(), ...)`, keys prefixed `_orig_mod.` by
 * torch.compile; TRM's file is the EMA copy of the weights when trained with
 * `ema=True`) into a safetensors file under the reference's own key names
 * (`model.inner.L_level.layers.0.mlp_t.gate_up_proj.weight`, ...), which the
 * model code loads directly. bfloat16 and
 * float16 tensors are widened to float32 exactly (no value changes); other dtypes
 * are kept. The checkpoint's pickle is read by a restricted loader that never
 * executes anything (see docs/checkpoints.md).
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import {
  COMPILE_PREFIX,
  type DType,
  type HostTensor,
  numel,
  readTorchCheckpoint,
  toFloat32,
  writeSafetensors,
} from "../io/mod.ts";
import { runCli } from "../util/mod.ts";

/** What a conversion did, for the one-line summary. */
export interface ConvertSummary {
  tensors: number;
  parameters: number;
  /** Tensor count per dtype as stored in the checkpoint. */
  sourceDtypes: Partial<Record<DType, number>>;
  /** Tensor count per dtype as written. */
  writtenDtypes: Partial<Record<DType, number>>;
  strippedPrefix: number;
  ignored: string[];
}

/** Converts `input` (.pt) to `output` (.safetensors), atomically. */
export async function convertCheckpoint(
  input: string,
  output: string,
  opts: { keepDtypes?: boolean } = {},
): Promise<ConvertSummary> {
  await refuseSameFile(input, output);
  const ckpt = await readTorchCheckpoint(input);
  if (ckpt.tensors.size === 0) throw new Error(`${input}: the checkpoint holds no tensors`);
  const out = new Map<string, HostTensor>();
  const sourceDtypes: Partial<Record<DType, number>> = {};
  const writtenDtypes: Partial<Record<DType, number>> = {};
  const widened: Record<string, string> = {};
  let parameters = 0;
  // Sorted keys: the same checkpoint always gives the same bytes.
  for (const key of [...ckpt.tensors.keys()].sort()) {
    const t = ckpt.tensors.get(key)!;
    sourceDtypes[t.dtype] = (sourceDtypes[t.dtype] ?? 0) + 1;
    parameters += numel(t.shape);
    const widen = !opts.keepDtypes && (t.dtype === "bf16" || t.dtype === "f16");
    const w: HostTensor = widen ? { dtype: "f32", shape: t.shape, data: toFloat32(t) } : t;
    if (widen) widened[key] = t.dtype;
    writtenDtypes[w.dtype] = (writtenDtypes[w.dtype] ?? 0) + 1;
    out.set(key, w);
  }
  const metadata: Record<string, string> = {
    format: "pt",
    source: input.split("/").pop() ?? input,
  };
  if (Object.keys(widened).length) metadata.widened_from = JSON.stringify(widened);
  try {
    await writeSafetensors(output, out, metadata);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Error(`${output}: cannot write: its folder does not exist`);
    }
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`${output}: cannot write (${why})`);
  }
  return {
    tensors: out.size,
    parameters,
    sourceDtypes,
    writtenDtypes,
    strippedPrefix: ckpt.strippedPrefix,
    ignored: [...ckpt.ignored.keys()],
  };
}

/** `fn()`, or undefined when the path it looks at does not exist. */
async function unlessMissing<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) {
      return undefined;
    }
    throw err;
  }
}

/**
 * Refuses, before anything is read or written, an output that is the input
 * under any spelling: `./x`, `../dir/x`, a symlinked folder or file (compared
 * as real paths), or a hard link (the same device and inode).
 */
async function refuseSameFile(input: string, output: string): Promise<void> {
  const same = () =>
    new Error(
      `${output}: refusing to write over the input checkpoint ${input} (the same file); ` +
        `expected a different output path`,
    );
  const inReal = await unlessMissing(() => Deno.realPath(input));
  if (inReal === undefined) return; // reading it reports the missing file
  const slash = output.lastIndexOf("/");
  const dir = slash < 0 ? "." : slash === 0 ? "/" : output.slice(0, slash);
  const dirReal = await unlessMissing(() => Deno.realPath(dir));
  const base = output.slice(slash + 1);
  if (dirReal !== undefined && `${dirReal.replace(/\/$/, "")}/${base}` === inReal) throw same();
  // An existing output: where it leads (a symlink to the input) and what it is (a hard link).
  if ((await unlessMissing(() => Deno.realPath(output))) === inReal) throw same();
  const [a, b] = [await Deno.stat(input), await unlessMissing(() => Deno.stat(output))];
  if (b && a.ino !== null && a.dev === b.dev && a.ino === b.ino) throw same();
}

/** The one-line report printed after a conversion. */
export function formatSummary(input: string, output: string, s: ConvertSummary): string {
  const counts = (d: Partial<Record<DType, number>>) =>
    Object.entries(d).map(([k, n]) => `${k} x${n}`).join(", ");
  let line = `converted ${input} -> ${output}: ${s.tensors} tensors, ` +
    `${s.parameters.toLocaleString("en-US")} parameters; dtypes found ${counts(s.sourceDtypes)}; ` +
    `written ${counts(s.writtenDtypes)}`;
  if (s.strippedPrefix) line += `; stripped '${COMPILE_PREFIX}' from ${s.strippedPrefix} keys`;
  if (s.ignored.length) {
    const shown = s.ignored.slice(0, 5).join(", ") + (s.ignored.length > 5 ? ", ..." : "");
    line += `; skipped ${s.ignored.length} non-tensor entries (${shown})`;
  }
  return line;
}

async function main(args: string[]): Promise<void> {
  const program = new Command()
    .name("deno task convert")
    .description(
      "Convert a PyTorch HRM or TRM checkpoint (.pt) to safetensors with reference key names.",
    )
    .argument("<input>", "checkpoint written by torch.save (zip format)")
    .argument("<output>", "safetensors file to write")
    .option("--keep-dtypes", "write bf16/f16 tensors as they are instead of widening to f32")
    .exitOverride((err) => Deno.exit(err.exitCode));
  program.parse(args, { from: "user" });
  const [input, output] = program.processedArgs;
  const summary = await convertCheckpoint(input, output, {
    keepDtypes: program.opts().keepDtypes,
  });
  console.log(formatSummary(input, output, summary));
}

if (import.meta.main) {
  await runCli(() => main(Deno.args));
}
