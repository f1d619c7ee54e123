/**
 * `deno task data verify DIR` for ARC builds: re-reads the compact form (every
 * index, range and offset is checked while reading), checks that each
 * puzzle's identifier names its task and augmentation, and with `--all`
 * expands every example and compares it with the `.npy` layout when present.
 * @module
 */
import { type SplitName } from "../dataset.ts";
import { assertFinishedBuild, pathExists, readNpy } from "../../io/mod.ts";
import type { VerifyReport } from "../task.ts";
import { parseAugmentName } from "./augment.ts";
import { type CompactSet, openCompactSplit } from "./compact.ts";
import { SEQ_LEN } from "./encode.ts";

/** Verifies an ARC build folder. */
export async function verifyArc(dir: string, options: { all?: boolean }): Promise<VerifyReport> {
  await assertFinishedBuild(dir); // an interrupted build is refused, not half-checked
  const lines: string[] = [];
  const problems: string[] = [];
  let names: string[];
  try {
    names = JSON.parse(await Deno.readTextFile(`${dir}/identifiers.json`));
  } catch {
    return { ok: false, lines: [`${dir}/identifiers.json: missing or not JSON`] };
  }
  if (names[0] !== "<blank>") problems.push("identifiers.json: entry 0 is not <blank>");
  if (new Set(names).size !== names.length) problems.push("identifiers.json: duplicate names");
  for (const split of ["train", "test"] as SplitName[]) {
    let set: CompactSet;
    let numIds: number;
    try {
      const s = await openCompactSplit(dir, split);
      set = s.sets.get("all") as CompactSet;
      numIds = s.metadata.num_puzzle_identifiers;
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
      continue;
    }
    if (numIds !== names.length) {
      problems.push(
        `${split}: num_puzzle_identifiers ${numIds} but identifiers.json has ${names.length}`,
      );
    }
    const a = set.arrays;
    const gi = set.groupIndices;
    for (let g = 0; g + 1 < gi.length; g++) {
      let stem = "";
      for (let p = gi[g]; p < gi[g + 1]; p++) {
        const name = names[a.puzzleIdentifiers[p]] ?? "";
        const { stem: s, aug } = parseAugmentName(name);
        if (p === gi[g]) {
          stem = s;
          if (name !== s) problems.push(`${split}: group ${g} does not start with its original`);
        }
        const mapOk = aug.map.every((v, k) => v === a.puzzleColourMap[10 * p + k]);
        if (s !== stem || aug.d !== a.puzzleDihedral[p] || !mapOk) {
          problems.push(`${split}: puzzle ${p} '${name}' does not match its stored augmentation`);
          if (problems.length > 20) break;
        }
      }
    }
    lines.push(
      `${split}: ${
        gi.length - 1
      } groups, ${a.puzzleIdentifiers.length} puzzles, ${set.numExamples} examples`,
    );
    if (options.all) {
      const inputs = new Int32Array(SEQ_LEN), labels = new Int32Array(SEQ_LEN);
      for (let i = 0; i < set.numExamples; i++) set.fill(i, inputs, labels, 0);
      lines.push(`${split}: every example expanded`);
    }
    if (await pathExists(`${dir}/${split}/all__inputs.npy`)) {
      // The reference layout: every example with --all, else the first, the last and a sample.
      const sample = options.all ? null : sampleExamples(set.numExamples, NPY_SAMPLE);
      const bad = await compareWithNpy(`${dir}/${split}/all__`, set, sample);
      const what = sample ? `${sample.length} sampled examples` : "every example";
      lines.push(`${split}: .npy layout ${bad.length ? "DIFFERS" : "matches"} (${what})`);
      problems.push(...bad);
    }
  }
  lines.push(`identifiers: ${names.length} (including <blank>)`);
  for (const p of problems) lines.push(`problem: ${p}`);
  return { ok: problems.length === 0, lines };
}

/** Examples of the `.npy` layout compared without --all. */
const NPY_SAMPLE = 2000;

/** Up to `n` example indices, sorted: the first, the last and evenly spread ones between. */
function sampleExamples(total: number, n: number): number[] {
  if (total <= n) return Array.from({ length: total }, (_, i) => i);
  return Array.from({ length: n }, (_, k) => Math.round((k * (total - 1)) / (n - 1)));
}

/** Reads the header of a uint8 [N, 900] `.npy` file; returns N and the data offset. */
async function npyTokensHeader(file: Deno.FsFile, path: string): Promise<[number, number]> {
  const head = new Uint8Array(4096);
  const got = await file.read(head) ?? 0;
  const text = new TextDecoder("latin1").decode(head.subarray(0, got));
  const major = head[6];
  const len = major === 1 ? head[8] | (head[9] << 8) : new DataView(head.buffer).getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const shape = /'shape':\s*\((\d+),\s*(\d+)\)/.exec(text);
  if (
    head[0] !== 0x93 || !text.startsWith("NUMPY", 1) || !/'descr':\s*'\|u1'/.test(text) || !shape
  ) {
    throw new Error(`${path}: expected a uint8 .npy of shape (N, ${SEQ_LEN})`);
  }
  if (Number(shape[2]) !== SEQ_LEN) {
    throw new Error(`${path}: rows of ${shape[2]} tokens, expected ${SEQ_LEN}`);
  }
  return [Number(shape[1]), start + len];
}

/**
 * Compares the `.npy` files at `base` with `set`: the index arrays, the
 * example count, and every example (inputs, labels streamed in chunks: a
 * materialised arc1 build is 7 GB) or only those in `sample`; returns the
 * problems found.
 */
async function compareWithNpy(
  base: string,
  set: CompactSet,
  sample: number[] | null,
): Promise<string[]> {
  const problems: string[] = [];
  for (
    const [field, mine] of [
      ["puzzle_identifiers", set.puzzleIdentifiers],
      ["puzzle_indices", set.puzzleIndices],
      ["group_indices", set.groupIndices],
    ] as const
  ) {
    const t = await readNpy(`${base}${field}.npy`);
    if (t.data.length !== mine.length || mine.some((v, k) => Number(t.data[k]) !== v)) {
      problems.push(`${base}${field}.npy differs from the compact store`);
    }
  }
  const files = await Promise.all(["inputs", "labels"].map((f) => Deno.open(`${base}${f}.npy`)));
  try {
    const heads = await Promise.all(
      files.map((f, k) => npyTokensHeader(f, `${base}${["inputs", "labels"][k]}.npy`)),
    );
    if (heads.some(([n]) => n !== set.numExamples)) {
      return [
        ...problems,
        `${base}inputs/labels.npy: example count differs from the compact store`,
      ];
    }
    if (sample) return [...problems, ...await compareRows(base, files, heads, set, sample)];
    const CHUNK = 2048;
    const ours = [new Uint8Array(CHUNK * SEQ_LEN), new Uint8Array(CHUNK * SEQ_LEN)];
    const theirs = [new Uint8Array(CHUNK * SEQ_LEN), new Uint8Array(CHUNK * SEQ_LEN)];
    let mismatches = 0;
    for (let k = 0; k < 2; k++) await files[k].seek(heads[k][1], Deno.SeekMode.Start);
    for (let start = 0; start < set.numExamples; start += CHUNK) {
      const count = Math.min(CHUNK, set.numExamples - start);
      for (let i = 0; i < count; i++) set.fillAny(start + i, ours[0], ours[1], i * SEQ_LEN);
      for (let k = 0; k < 2; k++) {
        const want = theirs[k].subarray(0, count * SEQ_LEN);
        let off = 0;
        while (off < want.length) {
          const n = await files[k].read(want.subarray(off));
          if (n === null) throw new Error(`${base}: .npy file ends early`);
          off += n;
        }
      }
      for (let i = 0; i < count; i++) {
        const a = i * SEQ_LEN, b = a + SEQ_LEN;
        for (let t = a; t < b; t++) {
          if (ours[0][t] !== theirs[0][t] || ours[1][t] !== theirs[1][t]) {
            mismatches++;
            break;
          }
        }
      }
    }
    if (mismatches) problems.push(`${base}: ${mismatches} examples differ from the .npy layout`);
  } finally {
    for (const f of files) f.close();
  }
  return problems;
}

/** Compares the rows `sample` of the open inputs/labels `.npy` files with `set`'s examples. */
async function compareRows(
  base: string,
  files: Deno.FsFile[],
  heads: [number, number][],
  set: CompactSet,
  sample: number[],
): Promise<string[]> {
  const ours = [new Uint8Array(SEQ_LEN), new Uint8Array(SEQ_LEN)];
  const theirs = new Uint8Array(SEQ_LEN);
  const differ: number[] = [];
  for (const i of sample) {
    set.fillAny(i, ours[0], ours[1], 0);
    let same = true;
    for (let k = 0; k < 2 && same; k++) {
      await files[k].seek(heads[k][1] + i * SEQ_LEN, Deno.SeekMode.Start);
      let off = 0;
      while (off < SEQ_LEN) {
        const n = await files[k].read(theirs.subarray(off));
        if (n === null) throw new Error(`${base}: .npy file ends early`);
        off += n;
      }
      same = theirs.every((v, t) => v === ours[k][t]);
    }
    if (!same) differ.push(i);
  }
  if (!differ.length) return [];
  return [
    `${base}: ${differ.length} of ${sample.length} sampled examples differ from the compact ` +
    `form (first: example ${differ[0]})`,
  ];
}
