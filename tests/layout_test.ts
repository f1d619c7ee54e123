/**
 * The folder picture is the data flow: a folder imports only from folders
 * before it in {@link LAYERS} (or from itself). A new folder must be placed
 * in the list, so the order cannot be bypassed by adding one. And a folder's
 * code is reached from other folders only through its public entry points
 * (`mod.ts` files); tests may reach inside to test, and a Worker script is
 * started by URL.
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";

/** Top-level folders in data-flow order; `tests/` (end-to-end) may import anything. */
export const LAYERS = [
  "util",
  "io",
  "tasks",
  "backends",
  "model",
  "conformance",
  "train",
  "analysis",
  "reproduce",
  "bench",
  "cli",
  "dev",
  "tests",
] as const;

const ROOT = normalize(join(dirname(new URL(import.meta.url).pathname), ".."));
const SKIP = new Set(["node_modules", "fixtures", "docs", "reports", "data", "runs", ".git"]);
const SPEC = /(?:from\s+|import\s*\(\s*|import\s+|new (?:URL|Worker)\(\s*)"(\.{1,2}\/[^"]+)"/g;
/** Imports proper (not URLs of Worker scripts or data files). */
const IMPORT = /(?:from\s+|import\s*\(\s*|import\s+)"(\.{1,2}\/[^"]+)"/g;

async function tsFiles(dir: string, out: string[]): Promise<void> {
  for await (const e of Deno.readDir(dir)) {
    if (e.name.startsWith(".") || SKIP.has(e.name)) continue;
    const path = join(dir, e.name);
    if (e.isDirectory) await tsFiles(path, out);
    else if (e.isFile && e.name.endsWith(".ts")) out.push(path);
  }
}

/** The layer of a repository-relative path: its top folder, or "" for root files (mod.ts). */
function topOf(rel: string): string {
  return rel.includes("/") ? rel.split("/")[0] : "";
}

/** Every import that points up the data flow, as `file -> target` lines. */
export async function upwardImports(root = ROOT): Promise<string[]> {
  const files: string[] = [];
  await tsFiles(root, files);
  const bad: string[] = [];
  for (const file of files) {
    const rel = relative(root, file);
    const top = topOf(rel);
    if (top === "") continue; // mod.ts at the root re-exports the public API
    const rank = LAYERS.indexOf(top as typeof LAYERS[number]);
    if (rank < 0) {
      bad.push(`${rel}: folder '${top}' is not in LAYERS (tests/layout_test.ts)`);
      continue;
    }
    const text = await Deno.readTextFile(file);
    for (const m of text.matchAll(SPEC)) {
      const target = relative(root, normalize(join(dirname(file), m[1])));
      if (target.startsWith("..")) continue; // outside the repository (../shared)
      const tTop = topOf(target);
      if (tTop === "" || tTop === "fixtures" || tTop === top) continue;
      const tRank = LAYERS.indexOf(tTop as typeof LAYERS[number]);
      if (tRank > rank || tRank < 0) bad.push(`${rel} -> ${target}`);
    }
  }
  return bad.sort();
}

/** Imports of another folder's internals (not a `mod.ts`) by non-test code, as `file -> target`. */
export async function internalImports(root = ROOT): Promise<string[]> {
  const files: string[] = [];
  await tsFiles(root, files);
  const bad: string[] = [];
  for (const file of files) {
    const rel = relative(root, file);
    const top = topOf(rel);
    if (top === "" || top === "tests" || rel.endsWith("_test.ts")) continue;
    const text = await Deno.readTextFile(file);
    for (const m of text.matchAll(IMPORT)) {
      const target = relative(root, normalize(join(dirname(file), m[1])));
      const tTop = topOf(target);
      if (target.startsWith("..") || tTop === "" || tTop === top || tTop === "fixtures") continue;
      if (!target.endsWith("/mod.ts")) bad.push(`${rel} -> ${target}`);
    }
  }
  return bad.sort();
}

/** Runs `check` on a temporary tree of `files` (path -> text), then removes it. */
async function inTree<T>(
  files: Record<string, string>,
  check: (root: string) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir();
  try {
    for (const [path, text] of Object.entries(files)) {
      await Deno.mkdir(dirname(join(dir, path)), { recursive: true });
      await Deno.writeTextFile(join(dir, path), text);
    }
    return await check(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("other folders reach a folder only through its mod.ts entry points", async () => {
  assert.deepEqual(await internalImports(), []);
});

Deno.test("the entry-point check catches an import of another folder's internals", async () => {
  const found = await inTree({
    "io/a.ts": "export const a = 1;\n",
    "io/mod.ts": 'export { a } from "./a.ts";\n',
    "train/b.ts": 'import { a } from "../io/a.ts";\n',
    "train/c.ts": 'import { a } from "../io/mod.ts";\n',
    "train/c_test.ts": 'import { a } from "../io/a.ts";\n',
  }, internalImports);
  assert.deepEqual(found, ["train/b.ts -> io/a.ts"]);
});

Deno.test("no folder imports from a folder after it in the data flow", async () => {
  assert.deepEqual(await upwardImports(), []);
});

Deno.test("the layout check catches an upward import", async () => {
  const found = await inTree({
    "train/a.ts": "export const a = 1;\n",
    "io/b.ts": 'import { a } from "../train/a.ts";\n',
  }, upwardImports);
  assert.deepEqual(found, ["io/b.ts -> train/a.ts"]);
});
