/**
 * The examples in the documentation comments run: every TypeScript code block
 * in a JSDoc comment of the project's source (test files aside) is type-checked and executed
 * (`deno test --doc`), so an example cannot drift from the API it shows.
 * And the public entry points pass `deno doc --lint` (every export documented,
 * with an explicit type).
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";

const ROOT = normalize(join(dirname(new URL(import.meta.url).pathname), ".."));
const SKIP = new Set(["node_modules", "fixtures", "docs", "reports", "data", "runs"]);

/** Runnable examples of a source text (a ```ts block; ```ts ignore is documentation only). */
function examplesIn(text: string): number {
  return [...text.matchAll(/^\s*\* ```ts\s*$/gm)].length;
}

async function filesWithExamples(dir: string, out: string[]): Promise<void> {
  for await (const e of Deno.readDir(dir)) {
    if (e.name.startsWith(".") || SKIP.has(e.name)) continue;
    const path = join(dir, e.name);
    if (e.isDirectory) await filesWithExamples(path, out);
    else if (
      e.name.endsWith(".ts") && !e.name.endsWith("_test.ts") &&
      (await Deno.readTextFile(path)).includes(" * ```ts")
    ) {
      out.push(relative(ROOT, path));
    }
  }
}

async function deno(args: string[]): Promise<{ code: number; text: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, text: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

Deno.test({
  name: "every documentation example type-checks and runs (deno test --doc)",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const files: string[] = [];
    await filesWithExamples(ROOT, files);
    assert.ok(files.includes("model/mod.ts") && files.includes("train/mod.ts"), files.join(", "));
    let expected = 0;
    for (const f of files) expected += examplesIn(await Deno.readTextFile(join(ROOT, f)));
    const r = await deno(["test", "-A", "--doc", ...files.sort()]);
    assert.equal(r.code, 0, r.text.slice(-4000));
    const last = r.text.split("\n").findLast((l) => /\d+ passed/.test(l)) ?? "";
    assert.equal(Number(/(\d+) passed/.exec(last)?.[1]), expected, last);
  },
});

Deno.test({
  name: "the public entry points pass deno doc --lint",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const r = await deno(["doc", "--lint", "mod.ts"]);
    assert.equal(r.code, 0, r.text.slice(-4000));
  },
});
