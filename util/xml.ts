/**
 * Escaping text for SVG/HTML output.
 * @module
 */

/** Escapes `< > & " '` as numeric character references (safe in text and attributes). */
export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
