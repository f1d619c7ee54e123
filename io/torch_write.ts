/**
 * Writes a dict of tensors the way `torch.save(dict_of_tensors, path)` does,
 * so that `torch.load` (and our reader, io/torch.ts) reads it back:
 *
 * - a zip archive whose entries sit under `<archive>/`, where `<archive>` is
 *   the file's base name up to its last dot (`step_7_all_preds.0` ->
 *   `step_7_all_preds/`), as PyTorch's file writer names it;
 * - entries in torch's order: `data.pkl`, `byteorder` (`little`, written by
 *   PyTorch 2.x; optional), `data/<k>` for each storage in string order of k,
 *   then `version` (`3\n`);
 * - every entry stored (no compression), its data aligned to 64 bytes by a
 *   `FB` extra field padded with `Z`, sizes and CRC-32 in a data descriptor
 *   after the data (none for an empty entry), zero times and dates, and a zip64 end record before the
 *   ordinary one (PyTorch's miniz writer does all of these);
 * - `data.pkl`: pickle protocol 2 of a plain dict, each value
 *   `torch._utils._rebuild_tensor_v2((persistent id ('storage', torch.<T>Storage,
 *   '<k>', 'cpu', numel)), 0, size, stride, False, OrderedDict())`, memoised as
 *   CPython's pickler memoises (BINPUT after each new object, BINGET on reuse).
 *
 * For a dict of contiguous CPU tensors the bytes equal torch 1.13's
 * `torch.save` output with `byteorder: false` (dev check in docs/checkpoints.md);
 * PyTorch 2.1+ also writes a random `.data/serialization_id` entry, which we do
 * not (it would make the bytes differ run to run; torch loads files without it).
 * @module
 */
import { basename } from "node:path";
import { type DType, type HostTensor, numel, typedArrayBytes } from "./dtypes.ts";
import { writeFileAtomic } from "./atomic.ts";
import { crc32 } from "./zip.ts";

/** The storage class torch names in the persistent id of each dtype. */
export const STORAGE_CLASS: Record<DType, string> = {
  f32: "FloatStorage",
  bf16: "BFloat16Storage",
  f16: "HalfStorage",
  f64: "DoubleStorage",
  i64: "LongStorage",
  i32: "IntStorage",
  i16: "ShortStorage",
  i8: "CharStorage",
  u8: "ByteStorage",
  bool: "BoolStorage",
};

/** Options of {@link torchSaveBytes}. */
export interface TorchSaveOptions {
  /** Folder name inside the archive (torch: the file's base name up to its last dot). */
  archiveName: string;
  /** Write the `byteorder` entry as PyTorch 2.x does (default true; torch 1.13 does not). */
  byteorder?: boolean;
}

/** Growable byte buffer. */
class Bytes {
  private buf: Uint8Array;
  length = 0;
  constructor(capacity = 1024) {
    this.buf = new Uint8Array(capacity);
  }
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  push(...b: number[]): this {
    this.room(b.length);
    for (const x of b) this.buf[this.length++] = x;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }
  u16(n: number): this {
    return this.push(n & 0xff, (n >>> 8) & 0xff);
  }
  u32(n: number): this {
    return this.push(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  }
  u64(n: number): this {
    return this.u32(n % 2 ** 32).u32(Math.floor(n / 2 ** 32));
  }
  /** The bytes written (a view: the buffer is not written again). */
  done(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

/** Pickle protocol 2 with CPython's memo: each new object is BINPUT, a reused one BINGET. */
class Pickler {
  readonly out = new Bytes();
  private memo = new Map<string, number>();
  /** Memoises the object just written (BINPUT / LONG_BINPUT). */
  put(id: string): void {
    const i = this.memo.size;
    this.memo.set(id, i);
    if (i < 256) this.out.push(0x71, i); // BINPUT
    else this.out.push(0x72).u32(i); // LONG_BINPUT
  }
  /** Emits the object `id` once; afterwards a BINGET of its memo slot. */
  private once(id: string, emit: () => void): void {
    const i = this.memo.get(id);
    if (i === undefined) {
      emit();
      this.put(id);
    } else if (i < 256) this.out.push(0x68, i); // BINGET
    else this.out.push(0x6a).u32(i); // LONG_BINGET
  }
  /** A str: BINUNICODE; `id` names the Python object (equal ids are one object). */
  str(s: string, id: string): void {
    this.once(id, () => {
      const b = new TextEncoder().encode(s);
      this.out.push(0x58).u32(b.length).bytes(b);
    });
  }
  global(module: string, name: string): void {
    this.once(`global:${module}.${name}`, () => {
      this.out.push(0x63).bytes(new TextEncoder().encode(`${module}\n${name}\n`));
    });
  }
  /** A non-negative int: BININT1 / BININT2 / BININT, else LONG1 (two's complement, minimal). */
  int(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`pickle: cannot write int ${n}`);
    if (n < 256) this.out.push(0x4b, n);
    else if (n < 65536) this.out.push(0x4d).u16(n);
    else if (n <= 0x7fffffff) this.out.push(0x4a).u32(n);
    else {
      let v = BigInt(n);
      const bytes: number[] = [];
      const count = (n.toString(2).length >> 3) + 1; // CPython: bit_length // 8 + 1
      for (let i = 0; i < count; i++, v >>= 8n) bytes.push(Number(v & 0xffn));
      this.out.push(0x8a, count, ...bytes);
    }
  }
  /** A fresh tuple of ints (EMPTY_TUPLE is not memoised; others are). */
  intTuple(xs: number[], id: string): void {
    if (xs.length === 0) {
      this.out.push(0x29);
      return;
    }
    if (xs.length > 3) this.out.push(0x28); // MARK
    for (const x of xs) this.int(x);
    this.out.push(xs.length > 3 ? 0x74 : 0x84 + xs.length); // TUPLE or TUPLE1..3
    this.put(id);
  }
  mark(): void {
    this.out.push(0x28);
  }
  /** TUPLE (from the last MARK) of a fresh tuple. */
  tuple(id: string): void {
    this.out.push(0x74);
    this.put(id);
  }
  /** REDUCE, and the result memoised. */
  reduce(id: string): void {
    this.out.push(0x52);
    this.put(id);
  }
  raw(...b: number[]): void {
    this.out.push(...b);
  }
}

/** Row-major strides of a shape as torch gives a contiguous tensor (a 0 size counts as 1). */
export function contiguousStrides(shape: readonly number[]): number[] {
  const out = new Array(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) out[d] = out[d + 1] * Math.max(1, shape[d + 1]);
  return out;
}

/** The `data.pkl` of a dict of tensors, tensor i in storage `String(i)`. */
export function torchSavePickle(tensors: [string, HostTensor][]): Uint8Array {
  if (tensors.length > 1000) throw new Error("torch writer: at most 1000 tensors in one file");
  const p = new Pickler();
  p.raw(0x80, 2); // PROTO 2
  p.raw(0x7d); // EMPTY_DICT
  p.put("dict");
  if (tensors.length > 1) p.mark();
  tensors.forEach(([key, t], i) => {
    p.str(key, `key:${i}`);
    p.global("torch._utils", "_rebuild_tensor_v2");
    p.mark(); // the arguments
    p.mark(); // the persistent id
    p.str("storage", "str:storage");
    p.global("torch", STORAGE_CLASS[t.dtype]);
    p.str(String(i), `storage-key:${i}`);
    p.str("cpu", "str:cpu");
    p.int(numel(t.shape));
    p.tuple(`pid:${i}`);
    p.raw(0x51); // BINPERSID
    p.int(0); // storage offset
    p.intTuple(t.shape, `size:${i}`);
    p.intTuple(contiguousStrides(t.shape), `stride:${i}`);
    p.raw(0x89); // NEWFALSE: requires_grad
    p.global("collections", "OrderedDict");
    p.raw(0x29); // EMPTY_TUPLE
    p.reduce(`hooks:${i}`);
    p.tuple(`args:${i}`);
    p.reduce(`tensor:${i}`);
  });
  if (tensors.length === 1) p.raw(0x73); // SETITEM
  else if (tensors.length > 1) p.raw(0x75); // SETITEMS
  p.raw(0x2e); // STOP
  return p.out.done();
}

/** Zip alignment of every entry's data, as PyTorch's writer. */
const ALIGN = 64;
const LOCAL_HEADER = 30;

/** A zip archive laid out as PyTorch's writer lays it out; records in the given order. */
export function torchZip(records: [string, Uint8Array][], archiveName: string): Uint8Array {
  const total = records.reduce((n, [name, d]) => n + d.length + name.length + 256, 512);
  if (total >= 2 ** 32) {
    throw new Error(
      `torch writer: archive of about ${total} bytes needs zip64 entries (over 4 GB)`,
    );
  }
  const out = new Bytes(total); // enough unless names are very long (it grows then)
  const central: { name: Uint8Array; crc: number; size: number; offset: number; flags: number }[] =
    [];
  const enc = new TextEncoder();
  for (const [rec, data] of records) {
    const name = enc.encode(`${archiveName}/${rec}`);
    const offset = out.length;
    const start = offset + LOCAL_HEADER + name.length + 4;
    const pad = (ALIGN - (start % ALIGN)) % ALIGN;
    const crc = crc32(data);
    // An empty entry has no data descriptor (flags: UTF-8 names only), as miniz writes it.
    const flags = data.length ? 0x0808 : 0x0800;
    out.u32(0x04034b50).u16(0).u16(flags).u16(0).u16(0).u16(0).u32(0).u32(0).u32(0);
    out.u16(name.length).u16(pad + 4).bytes(name);
    out.push(0x46, 0x42).u16(pad).bytes(new Uint8Array(pad).fill(0x5a)); // "FB" + "Z" * pad
    out.bytes(data);
    if (data.length) out.u32(0x08074b50).u32(crc).u32(data.length).u32(data.length);
    central.push({ name, crc, size: data.length, offset, flags });
  }
  const cdOffset = out.length;
  for (const e of central) {
    out.u32(0x02014b50).u16(0).u16(0).u16(e.flags).u16(0).u16(0).u16(0).u32(e.crc);
    out.u32(e.size).u32(e.size).u16(e.name.length).u16(0).u16(0).u16(0).u16(0).u32(0);
    out.u32(e.offset).bytes(e.name);
  }
  const cdSize = out.length - cdOffset;
  const eocd64 = out.length;
  const n = central.length;
  out.u32(0x06064b50).u64(44).u16(0x031e).u16(0x2d).u32(0).u32(0).u64(n).u64(n);
  out.u64(cdSize).u64(cdOffset);
  out.u32(0x07064b50).u32(0).u64(eocd64).u32(1);
  out.u32(0x06054b50).u16(0).u16(0).u16(n).u16(n).u32(cdSize).u32(cdOffset).u16(0);
  return out.done();
}

/** The bytes `torch.save(dict(tensors), path)` writes (tensors contiguous, on the CPU). */
export function torchSaveBytes(
  tensors: [string, HostTensor][],
  opts: TorchSaveOptions,
): Uint8Array {
  const keys = new Set<string>();
  for (const [key, t] of tensors) {
    if (keys.has(key)) throw new Error(`torch writer: key '${key}' appears twice`);
    keys.add(key);
    if (t.data.length !== numel(t.shape)) {
      throw new Error(
        `torch writer: '${key}' has ${t.data.length} values for shape [${t.shape}]`,
      );
    }
  }
  const records: [string, Uint8Array][] = [["data.pkl", torchSavePickle(tensors)]];
  if (opts.byteorder !== false) records.push(["byteorder", new TextEncoder().encode("little")]);
  // torch writes storages in sorted order of their (string) keys: 0, 1, 10, 11, 2, ...
  const order = tensors.map((_, i) => String(i)).sort();
  for (const k of order) records.push([`data/${k}`, typedArrayBytes(tensors[Number(k)][1].data)]);
  records.push(["version", new TextEncoder().encode("3\n")]);
  return torchZip(records, opts.archiveName);
}

/** The archive folder torch uses for a file path: its base name up to the last dot. */
export function torchArchiveName(path: string): string {
  const base = basename(path);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(0, dot) : base;
}

/** Writes `torch.save(dict(tensors), path)`'s bytes to `path`, atomically. */
export async function writeTorchSave(
  path: string,
  tensors: [string, HostTensor][],
  opts: { byteorder?: boolean } = {},
): Promise<void> {
  await writeFileAtomic(
    path,
    torchSaveBytes(tensors, { archiveName: torchArchiveName(path), ...opts }),
  );
}
