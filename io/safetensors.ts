/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header
 * `name -> {dtype, shape, data_offsets}` (plus optional `__metadata__`), then
 * packed little-endian data. Small enough to own, strict enough to fuzz.
 * @module
 */
import { quote } from "./quote.ts";
import {
  decodeLittleEndian,
  type DType,
  DTYPE_SIZE,
  type HostTensor,
  numel,
  typedArrayBytes,
} from "./dtypes.ts";
import { writeFileAtomic } from "./atomic.ts";
import { readInputFile } from "./read.ts";

const ST_TO_DTYPE: Record<string, DType> = {
  F64: "f64",
  F32: "f32",
  BF16: "bf16",
  F16: "f16",
  I64: "i64",
  I32: "i32",
  I16: "i16",
  I8: "i8",
  U8: "u8",
  BOOL: "bool",
};
const DTYPE_TO_ST = Object.fromEntries(
  Object.entries(ST_TO_DTYPE).map(([s, d]) => [d, s]),
) as Record<DType, string>;

/** A parsed safetensors file. */
export interface SafeTensors {
  /** Tensors by name, in file order. */
  tensors: Map<string, HostTensor>;
  /** The header's `__metadata__` strings. */
  metadata: Record<string, string>;
}

/** Largest JSON header accepted (the format's own reference caps it at 100 MB). */
const MAX_HEADER = 100_000_000;

/** Parses safetensors bytes; `name` appears in error messages. */
export function parseSafetensors(bytes: Uint8Array, name = "<safetensors>"): SafeTensors {
  try {
    return parseChecked(bytes, name);
  } catch (err) {
    if (err instanceof SafetensorsError) throw err;
    // Defence in depth: any other failure (a RangeError, say) still means a damaged file.
    const why = (err instanceof Error ? err.message : String(err)).split("\n")[0];
    throw new SafetensorsError(`${name}: not a valid safetensors file (${why})`);
  }
}

/** Thrown for malformed safetensors data; the message is one line and names the file. */
export class SafetensorsError extends Error {}

function parseChecked(bytes: Uint8Array, name: string): SafeTensors {
  const fail = (why: string): never => {
    throw new SafetensorsError(`${name}: not a valid safetensors file: ${why}`);
  };
  if (bytes.length < 8) fail("shorter than the 8-byte header length");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getBigUint64(0, true);
  if (headerLen > BigInt(Math.min(MAX_HEADER, bytes.length - 8))) {
    fail(`header length ${headerLen} exceeds the file size`);
  }
  const n = Number(headerLen);
  let header: unknown;
  let text = "";
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
    header = JSON.parse(text);
  } catch {
    return fail("header is not valid UTF-8 JSON");
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    fail("header is not a JSON object");
  }
  // JSON.parse keeps the last of two equal keys; the format allows each key once.
  const dup = duplicateKey(text);
  if (dup) fail(`duplicate key ${quote(dup.key)} in ${dup.where} (each key may appear once)`);
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  let metadata: Record<string, string> = {};
  const found: { key: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];
  for (const [key, entry] of Object.entries(header as Record<string, unknown>)) {
    if (key === "__metadata__") {
      metadata = checkMetadata(entry, fail);
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== "object" || e === null) fail(`entry ${quote(key)} is not an object`);
    const stName = String(e.dtype);
    if (!Object.hasOwn(ST_TO_DTYPE, stName)) {
      fail(`tensor ${quote(key)} has unsupported dtype ${quote(JSON.stringify(e.dtype) ?? "")}`);
    }
    const dtype = ST_TO_DTYPE[stName];
    const shape = e.shape;
    if (
      !Array.isArray(shape) ||
      !shape.every((d) => Number.isSafeInteger(d) && d >= 0)
    ) fail(`tensor ${quote(key)} has an invalid shape`);
    const offs = e.data_offsets;
    if (
      !Array.isArray(offs) || offs.length !== 2 ||
      !offs.every((o) => Number.isSafeInteger(o) && o >= 0) || offs[0] > offs[1] ||
      offs[1] > dataLen
    ) fail(`tensor ${quote(key)} has data_offsets outside the data section`);
    const count = numel(shape as number[]);
    const [begin, end] = offs as [number, number];
    if (count * DTYPE_SIZE[dtype] !== end - begin) {
      fail(
        `tensor ${quote(key)} is ${stName} of shape [${shape}], which needs ` +
          `${count * DTYPE_SIZE[dtype]} bytes, but its data_offsets span ${end - begin}`,
      );
    }
    found.push({ key, dtype, shape: [...shape as number[]], begin, end });
  }
  checkLayout(found, dataLen, fail);
  const tensors = new Map<string, HostTensor>();
  for (const { key, dtype, shape, begin } of found) {
    tensors.set(key, {
      dtype,
      shape,
      data: decodeLittleEndian(bytes, dataStart + begin, dtype, numel(shape)),
    });
  }
  return { tensors, metadata };
}

/** `__metadata__` is a string-to-string map; anything else is refused, not stringified. */
function checkMetadata(entry: unknown, fail: (why: string) => never): Record<string, string> {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    fail("__metadata__ is not an object of strings");
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
    if (typeof v !== "string") {
      const kind = v === null
        ? "null"
        : Array.isArray(v)
        ? "an array"
        : typeof v === "object"
        ? "an object"
        : `a ${typeof v}`;
      fail(`__metadata__ value of ${quote(k)} is ${kind}, expected a string`);
    }
    out[k] = v as string;
  }
  return out;
}

/**
 * The tensors' byte ranges, in offset order, must tile the data section exactly:
 * the first starts at 0, each starts where the one before ends (no gap, no
 * overlap, no two tensors sharing bytes) and the last ends at the end of the file.
 */
function checkLayout(
  found: { key: string; begin: number; end: number }[],
  dataLen: number,
  fail: (why: string) => never,
): void {
  const sorted = [...found].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let prev: { key: string; begin: number; end: number } | undefined;
  for (const t of sorted) {
    const span = `data_offsets [${t.begin},${t.end}]`;
    if (t.begin < at) {
      fail(
        `tensor ${quote(t.key)} ${span} overlap tensor ${quote(prev!.key)} ` +
          `[${prev!.begin},${prev!.end}] (expected contiguous, non-overlapping offsets)`,
      );
    }
    if (t.begin > at) {
      fail(
        `tensor ${quote(t.key)} ${span} leave bytes ${at}..${t.begin} unused ` +
          `(expected contiguous offsets starting at 0)`,
      );
    }
    at = t.end;
    prev = t;
  }
  if (at !== dataLen) {
    fail(
      `the tensors cover ${at} of the ${dataLen} data bytes ` +
        `(expected the data section to be covered exactly)`,
    );
  }
}

/**
 * The first key that appears twice in one object of `text` (valid JSON), with
 * where it is. Keys are compared decoded, so `"w"` and `"\u0077"` are the same.
 */
function duplicateKey(text: string): { key: string; where: string } | undefined {
  // One frame per open container; objects carry their keys so far and their name.
  const stack: { keys?: Set<string>; name: string; last: string }[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (expectKey && top?.keys) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) {
          const where = !top.name
            ? "the header"
            : top.name === "__metadata__"
            ? "__metadata__"
            : `the entry of ${quote(top.name)}`;
          return { key, where };
        }
        top.keys.add(key);
        top.last = key;
        expectKey = false;
      }
      i = j;
    } else if (c === "{" || c === "[") {
      const name = stack.length === 0 ? "" : top.keys ? top.last : top.name;
      stack.push({ keys: c === "{" ? new Set() : undefined, name, last: "" });
      expectKey = c === "{";
    } else if (c === "}" || c === "]") {
      stack.pop();
    } else if (c === ",") {
      expectKey = top?.keys !== undefined;
    }
  }
  return undefined;
}

/** Reads a safetensors file; errors name the path. */
export async function readSafetensors(path: string): Promise<SafeTensors> {
  const bytes = await readInputFile(path);
  return parseSafetensors(bytes, path);
}

/** Serialises tensors (in insertion order, 8-byte aligned header) with optional metadata. */
export function encodeSafetensors(
  tensors: Map<string, HostTensor> | Record<string, HostTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const [key, t] of entries) {
    if (key === "__metadata__") throw new Error("'__metadata__' cannot name a tensor");
    if (numel(t.shape) !== t.data.length) {
      throw new Error(
        `tensor ${quote(key)}: shape [${t.shape}] does not match ${t.data.length} elements`,
      );
    }
    const size = t.data.byteLength;
    header[key] = {
      dtype: DTYPE_TO_ST[t.dtype],
      shape: t.shape,
      data_offsets: [offset, offset + size],
    };
    offset += size;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const [, t] of entries) {
    out.set(typedArrayBytes(t.data), pos);
    pos += t.data.byteLength;
  }
  return out;
}

/** Writes a safetensors file atomically. */
export function writeSafetensors(
  path: string,
  tensors: Map<string, HostTensor> | Record<string, HostTensor>,
  metadata?: Record<string, string>,
): Promise<void> {
  return writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}
