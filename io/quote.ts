/**
 * Quoting of file-provided text inside error messages: names and values read
 * from a damaged file may hold newlines, control characters or megabytes of
 * junk, and an error message must stay one short line.
 * @module
 */

/**
 * `'s'` when `s` is short printable ASCII (the common case: a key or a dtype),
 * otherwise a JSON string literal with control characters escaped, cut to `max`.
 */
export function quote(s: string, max = 80): string {
  if (s.length <= max && /^[\x20-\x26\x28-\x7e]*$/.test(s)) return `'${s}'`;
  return s.length > max ? `${JSON.stringify(s.slice(0, max))}...` : JSON.stringify(s);
}
