/**
 * A dataset digest: sha256 over every file under a folder, sorted by
 * relative path, each contributing `path\0sha256(bytes)\n`. Two folders with
 * the same digest hold the same files with the same bytes.
 * @module
 */
import { join, relative } from "node:path";

async function hex(data: Uint8Array): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function listFiles(root: string, dir: string, out: string[]): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) await listFiles(root, path, out);
    else if (entry.isFile && !entry.name.endsWith(".tmp")) out.push(relative(root, path));
  }
}

/** The digest of a folder (files named `*.tmp` are ignored). */
export async function digestDir(
  dir: string,
  skip: (rel: string) => boolean = () => false,
): Promise<string> {
  const files: string[] = [];
  await listFiles(dir, dir, files);
  files.sort();
  const lines: string[] = [];
  for (const rel of files) {
    if (skip(rel)) continue;
    lines.push(`${rel}\0${await hex(await Deno.readFile(join(dir, rel)))}\n`);
  }
  return await hex(new TextEncoder().encode(lines.join("")));
}
