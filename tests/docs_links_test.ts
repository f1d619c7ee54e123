/**
 * Every relative link in README.md and docs/**\/*.md points to a file or
 * folder that exists (anchors are not checked). Code blocks and code spans
 * are skipped: paths there are commands, not links.
 * @module
 */
import { pathExists } from "../io/mod.ts";
import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";

const ROOT = normalize(join(dirname(new URL(import.meta.url).pathname), ".."));
const LINK = /\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g;

async function markdownFiles(dir: string, out: string[]): Promise<void> {
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) await markdownFiles(path, out);
    else if (e.isFile && e.name.endsWith(".md")) out.push(path);
  }
}

/** The text of a markdown file without fenced code blocks and inline code spans. */
function prose(text: string): string {
  return text.replace(/^```[^\n]*\n[\s\S]*?^```[^\n]*$/gm, "").replace(/`[^`\n]*`/g, "");
}

/** Every broken relative link under `root`, as `file: target` lines. */
export async function brokenLinks(root = ROOT): Promise<string[]> {
  const files = [join(root, "README.md")];
  await markdownFiles(join(root, "docs"), files);
  const bad: string[] = [];
  for (const file of files) {
    for (const m of prose(await Deno.readTextFile(file)).matchAll(LINK)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("#")) continue;
      const path = decodeURIComponent(target.split("#")[0]);
      if (!(await pathExists(join(dirname(file), path)))) {
        bad.push(`${relative(root, file)}: ${target}`);
      }
    }
  }
  return bad.sort();
}

Deno.test("every relative link in README.md and docs/ resolves to a file", async () => {
  assert.deepEqual(await brokenLinks(), []);
});

Deno.test("the docs link check catches a broken link and ignores code", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(dir, "docs"));
    await Deno.writeTextFile(join(dir, "README.md"), "[ok](docs/a.md) [web](https://x.org)\n");
    await Deno.writeTextFile(
      join(dir, "docs/a.md"),
      "[self](a.md#top) [gone](missing.md)\n`[code](nope.md)`\n```\n[block](nope2.md)\n```\n",
    );
    assert.deepEqual(await brokenLinks(dir), ["docs/a.md: missing.md"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
