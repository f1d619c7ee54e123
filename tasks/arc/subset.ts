/**
 * A small, deterministic selection of ARC task files for the scaled-down
 * profiles: per collection (`ARC-AGI`, `ARC-AGI-2`, `ConceptARC`, ... under
 * the source folder), its first `n` task folders by path and, in each, its
 * first `n` task files by name, copied with the same relative paths so that
 * the ARC builder reads the copy as it reads the checkouts.
 * @module
 */
import { join, relative } from "node:path";

async function leafFolders(dir: string, out: string[]): Promise<void> {
  const entries = [];
  for await (const e of Deno.readDir(dir)) entries.push(e);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (entries.some((e) => e.isFile && e.name.endsWith(".json"))) out.push(dir);
  for (const e of entries) {
    if (e.isDirectory && !e.name.startsWith(".")) await leafFolders(join(dir, e.name), out);
  }
}

/** Copies the selection from `source` to `dest` (which must not exist); returns the file count. */
export async function copyArcSubset(source: string, dest: string, n: number): Promise<number> {
  try {
    await Deno.stat(source);
  } catch {
    throw new Error(
      `ARC source folder '${source}' not found (give --arc-source DIR with the ARC checkouts)`,
    );
  }
  let copied = 0;
  const collections = [];
  for await (const e of Deno.readDir(source)) if (e.isDirectory) collections.push(e.name);
  collections.sort();
  for (const c of collections) {
    const leaves: string[] = [];
    await leafFolders(join(source, c), leaves);
    for (const leaf of leaves.slice(0, n)) {
      const files = [];
      for await (const e of Deno.readDir(leaf)) {
        if (e.isFile && e.name.endsWith(".json")) files.push(e.name);
      }
      files.sort();
      const target = join(dest, relative(source, leaf));
      await Deno.mkdir(target, { recursive: true });
      for (const f of files.slice(0, n)) {
        await Deno.copyFile(join(leaf, f), join(target, f));
        copied++;
      }
    }
  }
  return copied;
}
