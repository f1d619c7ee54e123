/**
 * The official Sudoku-Extreme CSV format (`source,question,answer,rating`,
 * `.` for blanks): a streaming reader that reports malformed rows by line
 * number, and a writer for our own builds (so each puzzle's rating is stored
 * the way the official data stores it).
 * @module
 */
import { isCompleteSolution } from "./grid.ts";

/** One row of the official CSV. */
export interface CsvRow {
  source: string;
  /** Digits 0-9 (0 = blank). */
  question: Uint8Array;
  answer: Uint8Array;
  rating: number;
}

/** A malformed row: 1-based line number and what is wrong. */
export interface CsvProblem {
  line: number;
  message: string;
}

/** Yields the lines of a text file without loading it whole. */
async function* lines(path: string): AsyncGenerator<string> {
  const file = await Deno.open(path);
  const decoder = new TextDecoder();
  let rest = "";
  try {
    for await (const chunk of file.readable) {
      rest += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = rest.indexOf("\n")) >= 0) {
        yield rest.slice(0, nl).replace(/\r$/, "");
        rest = rest.slice(nl + 1);
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.BadResource)) throw err;
  }
  rest += decoder.decode();
  if (rest.length) yield rest.replace(/\r$/, "");
}

function digits(text: string, blanks: boolean): Uint8Array | string {
  if (text.length !== 81) return `has ${text.length} characters, expected 81`;
  const out = new Uint8Array(81);
  for (let i = 0; i < 81; i++) {
    const ch = text[i];
    if (blanks && ch === ".") continue;
    if (ch < "1" || ch > "9") {
      return `character '${ch}' at position ${i + 1} is outside ${blanks ? "'.', " : ""}1-9`;
    }
    out[i] = ch.charCodeAt(0) - 48;
  }
  return out;
}

/** Checks one data line; returns the row or a problem description. */
export function parseCsvLine(text: string): CsvRow | string {
  const fields = text.split(",");
  if (fields.length !== 4) {
    return `expected 4 fields (source,question,answer,rating), got ${fields.length}`;
  }
  const [source, q, a, r] = fields;
  const question = digits(q, true);
  if (typeof question === "string") return `question ${question}`;
  const answer = digits(a, false);
  if (typeof answer === "string") return `answer ${answer}`;
  for (let i = 0; i < 81; i++) {
    if (question[i] && question[i] !== answer[i]) {
      return `answer has ${answer[i]} at position ${i + 1} where the question gives ${question[i]}`;
    }
  }
  if (!isCompleteSolution(answer)) return "answer is not a valid completed grid";
  if (!/^\d+$/.test(r.trim())) return `rating '${r}' is not a non-negative integer`;
  return { source, question, answer, rating: Number(r.trim()) };
}

/**
 * Reads an official CSV, calling `onRow` for each well-formed row with its
 * 1-based line number. Malformed rows are collected (or, with `strict`, thrown
 * at the first one).
 */
export async function readOfficialCsv(
  path: string,
  onRow: (row: CsvRow, line: number) => void,
  strict = false,
): Promise<CsvProblem[]> {
  const problems: CsvProblem[] = [];
  let n = 0;
  try {
    await Deno.stat(path);
  } catch {
    throw new Error(`${path}: file not found`);
  }
  for await (const text of lines(path)) {
    n++;
    if (n === 1) {
      if (text.trim() !== "source,question,answer,rating") {
        throw new Error(`${path}: line 1: expected header 'source,question,answer,rating'`);
      }
      continue;
    }
    if (text.trim() === "") continue;
    const row = parseCsvLine(text);
    if (typeof row === "string") {
      if (strict) throw new Error(`${path}: line ${n}: ${row}`);
      problems.push({ line: n, message: row });
    } else {
      onRow(row, n);
    }
  }
  return problems;
}

/**
 * Sums up the bad rows of a file in one line: the count, the first line
 * numbers, and the first problem, e.g. `train.csv: 4 bad rows (lines 4, 5, 7,
 * 8): line 4: question has 80 characters, expected 81`.
 */
export function badRowsLine(path: string, problems: CsvProblem[], shown = 5): string {
  const first = problems.slice(0, shown).map((p) => p.line).join(", ");
  const more = problems.length > shown ? ", ..." : "";
  const rows = problems.length === 1 ? "row" : "rows";
  return `${path}: ${problems.length} bad ${rows} (line${problems.length === 1 ? "" : "s"} ` +
    `${first}${more}): line ${problems[0].line}: ${problems[0].message}`;
}

/** Formats rows as the official CSV text. */
export function formatOfficialCsv(rows: Iterable<CsvRow>): string {
  const out = ["source,question,answer,rating"];
  for (const r of rows) {
    let q = "", a = "";
    for (let i = 0; i < 81; i++) {
      q += r.question[i] ? String(r.question[i]) : ".";
      a += String(r.answer[i]);
    }
    out.push(`${r.source},${q},${a},${r.rating}`);
  }
  return out.join("\n") + "\n";
}
