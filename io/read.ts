/**
 * Reading whole input files with the project's one-line error for a missing
 * file (`<path>: file not found`) instead of Deno's NotFound stack trace.
 * @module
 */

/** Runs `read`, turning Deno's NotFound into `<path>: file not found`. */
async function orNotFound<T>(path: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new Error(`${path}: file not found`);
    throw err;
  }
}

/** The bytes of `path`; a missing file is a one-line error naming it. */
export function readInputFile(path: string): Promise<Uint8Array> {
  return orNotFound(path, () => Deno.readFile(path));
}

/** The text of `path`; a missing file is a one-line error naming it. */
export function readInputText(path: string): Promise<string> {
  return orNotFound(path, () => Deno.readTextFile(path));
}

/** Whether `path` exists (follows symlinks); errors other than NotFound are thrown. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}
