/**
 * Element types shared by the `.npy` and safetensors readers/writers.
 * @module
 */

/** Element types this project reads and writes. */
export type DType = "f64" | "f32" | "bf16" | "f16" | "i64" | "i32" | "i16" | "i8" | "u8" | "bool";

/** A typed array for each dtype; 64-bit integers are BigInt64Array, bf16/f16 raw Uint16Array. */
export type TypedArray =
  | Float64Array
  | Float32Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | Uint16Array;

/** Bytes per element of each dtype. */
export const DTYPE_SIZE: Record<DType, number> = {
  f64: 8,
  f32: 4,
  bf16: 2,
  f16: 2,
  i64: 8,
  i32: 4,
  i16: 2,
  i8: 1,
  u8: 1,
  bool: 1,
};

/** A dense tensor on the host: row-major data plus shape. */
export interface HostTensor {
  /** Element type. */
  dtype: DType;
  /** Dimensions, outermost first. */
  shape: number[];
  /** The elements, row-major, in the typed array of `dtype`. */
  data: TypedArray;
}

/** Number of elements of a shape (1 for a scalar). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Copies `count` little-endian elements starting at `byteOffset` into a fresh,
 * aligned typed array (the source offset may be unaligned).
 */
export function decodeLittleEndian(
  bytes: Uint8Array,
  byteOffset: number,
  dtype: DType,
  count: number,
): TypedArray {
  const size = DTYPE_SIZE[dtype];
  const copy = bytes.slice(byteOffset, byteOffset + count * size);
  return viewTypedArray(dtype, copy.buffer);
}

/** Views a whole (aligned) buffer as the typed array of `dtype` (bf16/f16 as raw Uint16). */
export function viewTypedArray(dtype: DType, buf: ArrayBuffer): TypedArray {
  switch (dtype) {
    case "f64":
      return new Float64Array(buf);
    case "f32":
      return new Float32Array(buf);
    case "i64":
      return new BigInt64Array(buf);
    case "i32":
      return new Int32Array(buf);
    case "i16":
      return new Int16Array(buf);
    case "i8":
      return new Int8Array(buf);
    case "bf16":
    case "f16":
      return new Uint16Array(buf);
    case "u8":
    case "bool":
      return new Uint8Array(buf);
  }
}

/** The raw little-endian bytes of a typed array (this project only runs on little-endian hosts). */
export function typedArrayBytes(data: TypedArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Converts any numeric host tensor to Float32Array (bf16 widened exactly, i64 via Number). */
export function toFloat32(t: HostTensor): Float32Array {
  const n = t.data.length;
  const out = new Float32Array(n);
  if (t.dtype === "bf16") {
    const u32 = new Uint32Array(out.buffer);
    const src = t.data as Uint16Array;
    for (let i = 0; i < n; i++) u32[i] = src[i] << 16;
    return out;
  }
  if (t.dtype === "f16") {
    const src = t.data as Uint16Array;
    for (let i = 0; i < n; i++) out[i] = halfToFloat(src[i]);
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = Number(t.data[i]);
  return out;
}

/**
 * How many elements of a float tensor are NaN or infinite (0 for integer and
 * bool tensors). bf16/f16 are judged by their exponent bits, without widening.
 */
export function countNonFinite(t: HostTensor): number {
  let n = 0;
  if (t.dtype === "f32" || t.dtype === "f64") {
    const d = t.data as Float32Array | Float64Array;
    for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) n++;
  } else if (t.dtype === "bf16" || t.dtype === "f16") {
    const mask = t.dtype === "bf16" ? 0x7f80 : 0x7c00;
    const d = t.data as Uint16Array;
    for (let i = 0; i < d.length; i++) if ((d[i] & mask) === mask) n++;
  }
  return n;
}

/** IEEE half precision bits to a number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** Rounds float32 values to bfloat16 (round to nearest even), returned widened to float32. */
export function roundToBfloat16(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  const src = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const dst = new Uint32Array(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const x = src[i];
    if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) {
      dst[i] = (x | 0x400000) & 0xffff0000; // keep NaN a NaN
      continue;
    }
    const rounded = x + 0x7fff + ((x >>> 16) & 1);
    dst[i] = rounded & 0xffff0000;
  }
  return out;
}
