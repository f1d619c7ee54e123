/**
 * The one formatter of schema (zod) errors: every config, fixture, dataset
 * and command-line check reports its problem as one line,
 * `<where>: <field>: <message>`, naming the field the way its reader knows it
 * (a dotted key, `field 'x'`, a `--flag`).
 * @module
 */

/** The part of a zod error used here (zod 4's `ZodError`). */
export interface SchemaError {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}

/** How to name things in the line. */
export interface IssueLineOptions {
  /** What was checked (a file, "model config"); omitted from the line when absent. */
  where?: string;
  /** The field's name from its dotted path ("" at the root); default: the path, or "(root)". */
  field?: (path: string) => string;
  /** Every issue, joined with "; " (default: the first only). */
  all?: boolean;
}

/**
 * One line describing a schema error.
 *
 * ```ts
 * import { issueLine } from "./zod_error.ts";
 * const error = { issues: [{ path: ["arch", "hidden_size"], message: "expected number" }] };
 * const line = issueLine(error, { where: "config.json", field: (p) => `field '${p}'` });
 * if (line !== "config.json: field 'arch.hidden_size': expected number") throw new Error(line);
 * ```
 */
export function issueLine(error: SchemaError, opts: IssueLineOptions = {}): string {
  const name = opts.field ?? ((p: string) => p || "(root)");
  const issues = opts.all ? error.issues : error.issues.slice(0, 1);
  const parts = issues.map((i) => `${name(i.path.map(String).join("."))}: ${i.message}`);
  const body = parts.join("; ");
  return opts.where ? `${opts.where}: ${body}` : body;
}

/** Names a field `field 'a.b'` (`field '(root)'` at the root): the file readers' style. */
export const quotedField = (p: string): string => `field '${p || "(root)"}'`;
