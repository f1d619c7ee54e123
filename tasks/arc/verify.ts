/**
 * `deno task data verify DIR` for ARC builds: re-reads the compact form (every
 * index, range and offset is checked while reading), checks that each
 * puzzle's identifier names its task and augmentation, and with `--all`
 * expands every example and compares it with the `.npy` layout when present.
 * @module
 */
import { readReferenceSplit, type SplitName } from "../dataset.ts";
import type { VerifyReport } from "../task.ts";
import { parseAugmentName } from "./augment.ts";
import { type CompactSet, openCompactSplit } from "./compact.ts";
import { SEQ_LEN } from "./encode.ts";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Verifies an ARC build folder. */
export async function verifyArc(dir: string, options: { all?: boolean }): Promise<VerifyReport> {
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
      const dense = await exists(`${dir}/${split}/all__inputs.npy`)
        ? (await readReferenceSplit(dir, split)).sets.get("all")
        : undefined;
      const di = new Int32Array(SEQ_LEN), dl = new Int32Array(SEQ_LEN);
      let mismatches = 0;
      for (let i = 0; i < set.numExamples; i++) {
        set.fill(i, inputs, labels, 0);
        if (dense) {
          dense.fill(i, di, dl, 0);
          if (inputs.some((v, k) => v !== di[k]) || labels.some((v, k) => v !== dl[k])) {
            mismatches++;
          }
        }
      }
      if (dense) {
        lines.push(
          `${split}: every example expanded; .npy layout ${mismatches ? "DIFFERS" : "matches"}`,
        );
        if (mismatches) {
          problems.push(`${split}: ${mismatches} examples differ from the .npy layout`);
        }
      } else lines.push(`${split}: every example expanded`);
    }
  }
  lines.push(`identifiers: ${names.length} (including <blank>)`);
  for (const p of problems) lines.push(`problem: ${p}`);
  return { ok: problems.length === 0, lines };
}
