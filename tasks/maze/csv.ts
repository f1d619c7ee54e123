/**
 * Import of the official Maze-Hard CSV files (`train.csv`, `test.csv` of the
 * `sapientinc/maze-30x30-hard-1k` dataset; columns source, question, answer,
 * rating). Every row is checked: grid strings of the right square length,
 * only `# SGo` characters, a question with one S, one G and no path, and an
 * answer that is the question plus one valid shortest S-G path. Bad rows are
 * reported by their line number in the file.
 * @module
 */
import { encodeGrid, GOAL, PATH, sideOf, START } from "./grid.ts";
import { checkPath, type PathVerdict } from "./score.ts";
import { readInputText } from "../../io/mod.ts";

/** One parsed CSV record and the 1-based line on which it starts. */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Parses CSV text (RFC 4180: quoted fields, doubled quotes, CRLF or LF line
 * ends). Blank lines are skipped. Throws naming the line of an unclosed quote.
 */
export function parseCsv(text: string, where = "<csv>"): CsvRecord[] {
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // byte-order mark
  while (i < text.length) {
    const startLine = line;
    const fields: string[] = [];
    let field = "";
    let endOfRecord = false;
    while (!endOfRecord) {
      if (text[i] === '"') {
        const quoteLine = line;
        i++;
        for (;;) {
          if (i >= text.length) throw new Error(`${where}:${quoteLine}: unclosed quoted field`);
          const ch = text[i];
          if (ch === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === "\n") line++;
          field += ch;
          i++;
        }
      }
      while (i < text.length && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") {
        field += text[i++];
      }
      fields.push(field);
      field = "";
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "\r") i++;
      if (text[i] === "\n") {
        i++;
        line++;
      }
      endOfRecord = true;
    }
    if (!(fields.length === 1 && fields[0] === "")) records.push({ line: startLine, fields });
  }
  return records;
}

/** A bad row: where and why. */
export interface BadRow {
  line: number;
  message: string;
}

/** Mazes read from one CSV file. */
export interface ImportedSplit {
  size: number;
  questions: Uint8Array[];
  answers: Uint8Array[];
  /** Shortest path length (moves) of each kept row. */
  lengths: number[];
  /** Line number of each kept row. */
  lines: number[];
  bad: BadRow[];
}

const VERDICT_TEXT: Record<Exclude<PathVerdict, "valid">, string> = {
  altered: "answer differs from the question outside the path cells",
  through_wall: "answer path goes through a wall",
  disconnected: "answer path does not connect S to G",
  not_shortest: "answer path is longer than the shortest path",
  extra_cells: "answer marks path cells that are not on the S-G path",
  unsolvable: "question has no S-G path",
};

/** Checks one row; returns the encoded grids or why the row is bad. */
function checkRow(
  fields: string[],
  size: number | null,
): { q: Uint8Array; a: Uint8Array; n: number; length: number } | string {
  if (fields.length !== 4) {
    return `expected 4 fields (source, question, answer, rating), got ${fields.length}`;
  }
  const [, question, answer] = fields;
  if (question.length !== answer.length) {
    return `question has ${question.length} characters but answer has ${answer.length}`;
  }
  let n: number;
  try {
    n = sideOf(question.length, "question");
  } catch (err) {
    return (err as Error).message;
  }
  if (size !== null && n !== size) {
    return `question has ${question.length} characters, expected ${size * size} (${size}x${size})`;
  }
  const q = encodeGrid(question);
  if (!(q instanceof Uint8Array)) {
    return `question has unknown character ${JSON.stringify(q.char)} at cell ${q.badAt}`;
  }
  const a = encodeGrid(answer);
  if (!(a instanceof Uint8Array)) {
    return `answer has unknown character ${JSON.stringify(a.char)} at cell ${a.badAt}`;
  }
  const qPath = q.indexOf(PATH);
  if (qPath >= 0) return `question already marks a path cell 'o' at cell ${qPath}`;
  for (const [name, id] of [["S", START], ["G", GOAL]] as const) {
    const count = q.reduce((k, v) => k + (v === id ? 1 : 0), 0);
    if (count !== 1) return `question has ${count} '${name}' cells, expected 1`;
  }
  const verdict = checkPath(q, a, n);
  if (verdict.verdict !== "valid") return VERDICT_TEXT[verdict.verdict];
  return { q, a, n, length: verdict.length };
}

/**
 * Reads one official CSV file. The grid side comes from `size` when given,
 * else from the first good row; rows of another size are bad rows.
 */
export function importCsvText(text: string, where: string, size: number | null): ImportedSplit {
  const records = parseCsv(text, where);
  if (records.length === 0) throw new Error(`${where}: empty file`);
  const header = records[0].fields.map((f) => f.trim().toLowerCase());
  const expected = ["source", "question", "answer", "rating"];
  if (header.join(",") !== expected.join(",")) {
    throw new Error(`${where}:1: expected header ${expected.join(",")}, got ${header.join(",")}`);
  }
  const out: ImportedSplit = {
    size: size ?? 0,
    questions: [],
    answers: [],
    lengths: [],
    lines: [],
    bad: [],
  };
  let side = size;
  for (const rec of records.slice(1)) {
    const r = checkRow(rec.fields, side);
    if (typeof r === "string") {
      out.bad.push({ line: rec.line, message: r });
      continue;
    }
    side = r.n;
    out.questions.push(r.q);
    out.answers.push(r.a);
    out.lengths.push(r.length);
    out.lines.push(rec.line);
  }
  out.size = side ?? 0;
  return out;
}

/** Reads `<dir>/<split>.csv`; a missing file is a one-line error. */
export async function importCsvFile(
  dir: string,
  split: string,
  size: number | null,
): Promise<ImportedSplit> {
  const path = `${dir}/${split}.csv`;
  const text = await readInputText(path);
  return importCsvText(text, path, size);
}

/** Formats bad rows as `<file>:<line>: <message>` lines (at most `limit`, then a count). */
export function formatBadRows(where: string, bad: BadRow[], limit = 20): string[] {
  const lines = bad.slice(0, limit).map((b) => `${where}:${b.line}: ${b.message}`);
  if (bad.length > limit) lines.push(`... and ${bad.length - limit} more bad rows`);
  return lines;
}
