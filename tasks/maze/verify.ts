/**
 * `deno task data verify DIR` for a maze folder: re-checks every example
 * from the files alone. Each original maze (first example of its group) must
 * have one S, one G, no path in the question, a label that is a valid shortest
 * path longer than the build's minimum, and (for generated data) exactly the
 * path the labelling rule picks. Augmented examples must be the dihedral
 * transforms 0..7 of their group's original. Train and test layouts must be
 * disjoint, and the files must match the digests in build.json.
 * @module
 */
import { DenseSet, readReferenceSplit, type SplitName } from "../dataset.ts";
import type { VerifyReport } from "../task.ts";
import { assertFinishedBuild } from "../../io/mod.ts";
import { type BuildSummary, DATA_FILES, fileDigest, layoutKey } from "./build.ts";
import { solve } from "./bfs.ts";
import { dihedral, GOAL, VOCAB_SIZE } from "./grid.ts";
import { checkPath } from "./score.ts";
import { formatSummary, summarize } from "./stats.ts";

const MAX_PROBLEMS = 20;

/** Reads `<dir>/build.json` when present (null otherwise). */
export async function readBuildSummary(dir: string): Promise<BuildSummary | null> {
  const path = `${dir}/build.json`;
  try {
    const raw = JSON.parse(await Deno.readTextFile(path));
    if (raw?.task !== "maze") {
      throw new Error(`${path}: not a maze build summary (task '${raw?.task}')`);
    }
    return raw as BuildSummary;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    if (err instanceof SyntaxError) throw new Error(`${path}: not valid JSON`);
    throw err;
  }
}

function equalRows(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Verifies a built maze folder. Bad examples become problems in the report;
 * unreadable or malformed files throw with a one-line message.
 */
export async function verifyMaze(dir: string): Promise<VerifyReport> {
  await assertFinishedBuild(dir); // an interrupted build is refused, not half-checked
  const lines: string[] = [];
  const problems: string[] = [];
  const problem = (msg: string) => problems.push(msg);
  const summary = await readBuildSummary(dir);
  const generated = summary?.source === "generated";
  const minPath = summary?.args.minPath ?? null;
  if (!summary) lines.push("no build.json: checking path validity only");
  const layouts: Record<SplitName, Set<string>> = { train: new Set(), test: new Set() };

  for (const split of ["train", "test"] as const) {
    const data = await readReferenceSplit(dir, split);
    const meta = data.metadata;
    const set = data.sets.get("all");
    if (!(set instanceof DenseSet)) {
      problem(`${split}: expected one set named 'all', got ${[...data.sets.keys()].join(", ")}`);
      continue;
    }
    if (meta.vocab_size !== VOCAB_SIZE) {
      problem(`${split}: vocab_size ${meta.vocab_size}, expected 6`);
    }
    for (
      const [field, want] of [
        ["pad_id", 0],
        ["ignore_label_id", 0],
        ["num_puzzle_identifiers", 1],
      ] as const
    ) {
      if (meta[field] !== want) {
        problem(`${split}/dataset.json: field '${field}' is ${meta[field]}, expected ${want}`);
      }
    }
    const n = Math.round(Math.sqrt(meta.seq_len));
    if (n * n !== meta.seq_len) {
      problem(`${split}: seq_len ${meta.seq_len} is not a square grid`);
      continue;
    }
    const cells = meta.seq_len;
    const row = (a: Int32Array, e: number) => a.subarray(e * cells, (e + 1) * cells);
    const lengths: number[] = [];
    let valid = 0;
    let ruleMatches = 0;
    let duplicates = 0;
    const groups = set.groupIndices.length - 1;
    for (let g = 0; g < groups; g++) {
      const where = `${split} maze ${g}`;
      const p0 = set.groupIndices[g];
      const p1 = set.groupIndices[g + 1];
      const e0 = set.puzzleIndices[p0];
      const eEnd = set.puzzleIndices[p1];
      const variants = eEnd - e0;
      if (variants !== 1 && variants !== 8) {
        problem(`${where}: group has ${variants} examples, expected 1 or 8`);
        continue;
      }
      if (p1 - p0 !== variants) {
        problem(
          `${where}: group has ${p1 - p0} puzzles for ${variants} examples, expected one each`,
        );
        continue;
      }
      const q = row(set.inputs, e0);
      const a = row(set.labels, e0);
      const bad = q.findIndex((v) => v < 1 || v > GOAL);
      if (bad >= 0) {
        problem(`${where}: question token ${q[bad]} at cell ${bad} (expected 1..4: # SG)`);
        continue;
      }
      const verdict = checkPath(q, a, n);
      if (verdict.verdict !== "valid") {
        problem(`${where}: label is not a valid shortest path (${verdict.verdict})`);
        continue;
      }
      valid++;
      lengths.push(verdict.length);
      if (minPath !== null && verdict.length <= minPath) {
        problem(`${where}: shortest path ${verdict.length} is not longer than ${minPath}`);
      }
      const sol = solve(Uint8Array.from(q), n);
      if (sol && equalRows(sol.answer, a)) ruleMatches++;
      else if (generated) problem(`${where}: label is not the path the labelling rule picks`);
      const key = layoutKey(Uint8Array.from(q));
      if (layouts[split].has(key)) duplicates++;
      layouts[split].add(key);
      if (split === "test" && layouts.train.has(key)) {
        problem(`${where}: same wall layout as a training maze`);
      }
      for (let tid = 1; tid < variants; tid++) {
        const e = e0 + tid;
        if (
          !equalRows(row(set.inputs, e), dihedral(Int32Array.from(q), n, tid)) ||
          !equalRows(row(set.labels, e), dihedral(Int32Array.from(a), n, tid))
        ) {
          problem(`${where}: example ${tid} of the group is not dihedral transform ${tid}`);
        }
      }
    }
    lines.push(
      `${split}: ${groups} mazes, ${set.numExamples} examples, ${n}x${n}; ` +
        `valid shortest-path labels ${valid}/${groups}; labelling rule picks the label ` +
        `${ruleMatches}/${groups}`,
    );
    if (duplicates) {
      (generated ? problem : (m: string) => lines.push(m))(
        `${split}: ${duplicates} repeated wall layouts`,
      );
    }
    lines.push(...formatSummary(`${split} path length (moves)`, summarize(lengths)));
    if (summary && summary.counts[split]?.mazes !== groups) {
      problem(`${split}: build.json says ${summary.counts[split]?.mazes} mazes, found ${groups}`);
    }
  }

  if (summary) {
    let mismatched = 0;
    for (const f of DATA_FILES) {
      const want = summary.files?.[f];
      let got: string;
      try {
        got = await fileDigest(`${dir}/${f}`);
      } catch {
        got = "missing";
      }
      if (want !== got) {
        mismatched++;
        problem(`${f}: digest ${got} differs from build.json`);
      }
    }
    if (!mismatched) lines.push(`files: all ${DATA_FILES.length} digests match build.json`);
  }
  for (const p of problems.slice(0, MAX_PROBLEMS)) lines.push(`problem: ${p}`);
  if (problems.length > MAX_PROBLEMS) {
    lines.push(`... and ${problems.length - MAX_PROBLEMS} more problems`);
  }
  lines.push(problems.length ? `FAILED: ${problems.length} problems` : "OK");
  return { ok: problems.length === 0, lines };
}
