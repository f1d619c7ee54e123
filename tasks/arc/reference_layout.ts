/**
 * Writes a split in the reference's `.npy` layout from any PuzzleSet (here the
 * compact ARC set), streaming the [N, 900] uint8 inputs and labels in chunks
 * so that a large build never holds them in memory.
 * @module
 */
import { npyHeader, writeJsonAtomic, writeNpy } from "../../io/mod.ts";
import { type DatasetMetadata, DatasetMetadataSchema, type SplitName } from "../dataset.ts";
import type { CompactSet } from "./compact.ts";
import type { Progress } from "../../util/mod.ts";

const CHUNK = 4096;

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) done += await file.write(bytes.subarray(done));
}

/** Streams `inputs` and `labels` of a set as uint8 `.npy` files (temp names, then rename). */
async function writeTokens(base: string, set: CompactSet, seqLen: number, progress: Progress) {
  const n = set.numExamples;
  const paths = [`${base}inputs.npy`, `${base}labels.npy`];
  const tmps = paths.map((p) => `${p}.${Deno.pid}.tmp`);
  const files = await Promise.all(
    tmps.map((t) => Deno.open(t, { write: true, create: true, truncate: true })),
  );
  try {
    for (const f of files) await writeAll(f, npyHeader("u8", [n, seqLen]));
    const inputs = new Uint8Array(CHUNK * seqLen), labels = new Uint8Array(CHUNK * seqLen);
    for (let start = 0; start < n; start += CHUNK) {
      const count = Math.min(CHUNK, n - start);
      for (let k = 0; k < count; k++) set.fillAny(start + k, inputs, labels, k * seqLen);
      await writeAll(files[0], inputs.subarray(0, count * seqLen));
      await writeAll(files[1], labels.subarray(0, count * seqLen));
      progress.update(start + count);
    }
  } catch (err) {
    for (const f of files) f.close();
    for (const t of tmps) await Deno.remove(t).catch(() => {});
    throw err;
  }
  for (const f of files) f.close();
  for (let k = 0; k < 2; k++) await Deno.rename(tmps[k], paths[k]);
}

/** Writes `<dir>/<split>/` in the reference layout (dataset.json last). */
export async function writeReferenceLayout(
  dir: string,
  split: SplitName,
  metadata: DatasetMetadata,
  sets: Map<string, CompactSet>,
  progress: Progress,
): Promise<void> {
  await Deno.mkdir(`${dir}/${split}`, { recursive: true });
  for (const [name, set] of sets) {
    const base = `${dir}/${split}/${name}__`;
    await writeTokens(base, set, metadata.seq_len, progress);
    const index = {
      puzzle_identifiers: set.puzzleIdentifiers,
      puzzle_indices: set.puzzleIndices,
      group_indices: set.groupIndices,
    };
    for (const [field, data] of Object.entries(index)) {
      await writeNpy(`${base}${field}.npy`, { dtype: "i32", shape: [data.length], data });
    }
  }
  await writeJsonAtomic(`${dir}/${split}/dataset.json`, DatasetMetadataSchema.parse(metadata));
}
