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
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch {
    return fail("header is not valid UTF-8 JSON");
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    fail("header is not a JSON object");
  }
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  const tensors = new Map<string, HostTensor>();
  let metadata: Record<string, string> = {};
  for (const [key, entry] of Object.entries(header as Record<string, unknown>)) {
    if (key === "__metadata__") {
      if (typeof entry !== "object" || entry === null) fail("__metadata__ is not an object");
      metadata = Object.fromEntries(
        Object.entries(entry as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
      );
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
      fail(`tensor ${quote(key)} shape [${shape}] does not match its ${end - begin} bytes`);
    }
    tensors.set(key, {
      dtype,
      shape: [...shape as number[]],
      data: decodeLittleEndian(bytes, dataStart + begin, dtype, count),
    });
  }
  return { tensors, metadata };
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
