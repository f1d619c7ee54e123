/**
 * NumPy `.npy` files (format versions 1-3), as the reference dataset builders
 * write them with `np.save`. Our own reader so that every malformed file ends in
 * one clear error (never a hang or a partial result).
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

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DESCR_TO_DTYPE: Record<string, DType> = {
  "<f8": "f64",
  "<f4": "f32",
  "<f2": "f16",
  "<i8": "i64",
  "<i4": "i32",
  "<i2": "i16",
  "|i1": "i8",
  "|u1": "u8",
  "|b1": "bool",
};
const DTYPE_TO_DESCR: Partial<Record<DType, string>> = Object.fromEntries(
  Object.entries(DESCR_TO_DTYPE).map(([d, t]) => [t, d]),
);

/** Parses `.npy` bytes. `name` is used in error messages (usually the file path). */
export function parseNpy(bytes: Uint8Array, name = "<npy>"): HostTensor {
  try {
    return parseChecked(bytes, name);
  } catch (err) {
    if (err instanceof NpyError) throw err;
    // Defence in depth: any other failure (a RangeError, say) still means a damaged file.
    throw new NpyError(`${name}: not a valid .npy file (${firstLine(err)})`);
  }
}

/** Thrown for malformed `.npy` data; the message is one line and names the file. */
export class NpyError extends Error {}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0];
}

function parseChecked(bytes: Uint8Array, name: string): HostTensor {
  const fail = (why: string): never => {
    throw new NpyError(`${name}: not a valid .npy file: ${why}`);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail("missing \\x93NUMPY magic");
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number, headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail("truncated header");
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    return fail(`unsupported format version ${major}`);
  }
  if (headerStart + headerLen > bytes.length) fail(`header length ${headerLen} exceeds file size`);
  const header = new TextDecoder().decode(bytes.subarray(headerStart, headerStart + headerLen));
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    fail("header lacks descr, fortran_order or shape");
  }
  if (!Object.hasOwn(DESCR_TO_DTYPE, descr!)) {
    fail(
      `unsupported dtype ${quote(descr!)} (expected one of ${
        Object.keys(DESCR_TO_DTYPE).join(", ")
      })`,
    );
  }
  const dtype = DESCR_TO_DTYPE[descr!];
  if (fortran === "True") fail("Fortran-order arrays are not supported (save with C order)");
  const parts = shapeText!.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  const shape = parts.map((p) => {
    if (!/^\d+$/.test(p) || !Number.isSafeInteger(Number(p))) {
      fail(`bad shape entry ${quote(p)}`);
    }
    return Number(p);
  });
  const count = numel(shape);
  const dataStart = headerStart + headerLen;
  const need = count * DTYPE_SIZE[dtype];
  if (!Number.isSafeInteger(need)) fail(`shape (${shape.join(", ")}) is too large`);
  if (dataStart + need > bytes.length) {
    fail(
      `shape (${shape.join(", ")}) needs ${need} data bytes, file has ${bytes.length - dataStart}`,
    );
  }
  return { dtype, shape, data: decodeLittleEndian(bytes, dataStart, dtype, count) };
}

/** Reads a `.npy` file; errors name the path. */
export async function readNpy(path: string): Promise<HostTensor> {
  const bytes = await readInputFile(path);
  return parseNpy(bytes, path);
}

/**
 * The version-1 `.npy` preamble (magic, version, header length, header) for
 * a C-order array of `dtype` and `shape`, as `np.save` writes it; the raw
 * little-endian data follows. Lets large arrays be streamed to disk.
 */
export function npyHeader(dtype: DType, shape: readonly number[]): Uint8Array {
  const descr = DTYPE_TO_DESCR[dtype];
  if (!descr) throw new Error(`cannot write dtype ${dtype} to .npy`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad with spaces so that magic + version + length + header + '\n' is a multiple of 64.
  const total = 10 + header.length + 1;
  header = header + " ".repeat((64 - (total % 64)) % 64) + "\n";
  const headerBytes = new TextEncoder().encode(header);
  const out = new Uint8Array(10 + headerBytes.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, headerBytes.length, true);
  out.set(headerBytes, 10);
  return out;
}

/** Serialises a host tensor as a version-1 `.npy` (C order), byte-identical to `np.save`. */
export function encodeNpy(t: HostTensor): Uint8Array {
  if (numel(t.shape) !== t.data.length) {
    throw new Error(`shape (${t.shape.join(", ")}) does not match ${t.data.length} elements`);
  }
  const head = npyHeader(t.dtype, t.shape);
  const body = typedArrayBytes(t.data);
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/** Writes a `.npy` file atomically. */
export function writeNpy(path: string, t: HostTensor): Promise<void> {
  return writeFileAtomic(path, encodeNpy(t));
}
