/**
 * Test helpers: build small `torch.save`-style archives by hand (a pickle
 * written opcode by opcode, zipped with fflate the way torch stores entries:
 * uncompressed). Used by the loader's unit tests and the fuzz test; not used by
 * the loader itself.
 * @module
 */
import { zipSync } from "fflate";

/** Emits pickle opcodes into a byte buffer. */
export class PickleWriter {
  private out: number[] = [];
  /** Raw bytes (opcodes or operands). */
  raw(...b: number[]): this {
    this.out.push(...b);
    return this;
  }
  /** Raw ASCII text. */
  ascii(s: string): this {
    for (const c of s) this.out.push(c.charCodeAt(0));
    return this;
  }
  /** A little-endian unsigned 32-bit operand. */
  u32(n: number): this {
    return this.raw(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  }
  /** PROTO n. */
  proto(n = 2): this {
    return this.raw(0x80, n);
  }
  /** GLOBAL 'module name'. */
  global(module: string, name: string): this {
    return this.raw(0x63).ascii(`${module}\n${name}\n`);
  }
  /** BINUNICODE (SHORT_BINUNICODE with `short`). */
  str(s: string, short = false): this {
    const b = new TextEncoder().encode(s);
    if (short) return this.raw(0x8c, b.length, ...b);
    return this.raw(0x58).u32(b.length).raw(...b);
  }
  /** The smallest of BININT1 / BININT2 / BININT for a non-negative int. */
  int(n: number): this {
    if (n < 256) return this.raw(0x4b, n);
    if (n < 65536) return this.raw(0x4d, n & 0xff, n >> 8);
    return this.raw(0x4a).u32(n);
  }
  /** A tuple of small ints (MARK ... TUPLE, or the TUPLE1-3 short forms). */
  intTuple(xs: number[]): this {
    if (xs.length === 0) return this.raw(0x29);
    if (xs.length <= 3) {
      for (const x of xs) this.int(x);
      return this.raw(0x84 + xs.length);
    }
    this.raw(0x28);
    for (const x of xs) this.int(x);
    return this.raw(0x74);
  }
  /** The pickle bytes so far. */
  bytes(): Uint8Array {
    return new Uint8Array(this.out);
  }
}

/** One tensor of a hand-built state dict. */
export interface PtTensor {
  key: string;
  /** Storage class name, e.g. "FloatStorage". */
  storageType: string;
  /** Storage key (file name under data/). */
  storage: string;
  /** Elements in the storage. */
  storageNumel: number;
  offset: number;
  shape: number[];
  stride: number[];
}

/**
 * A pickle shaped like torch.save's for a state dict: an OrderedDict (with
 * `_metadata` set by BUILD, as `module.state_dict()` has) or a plain dict, each
 * value `_rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict())`.
 */
export function stateDictPickle(tensors: PtTensor[], ordered = true): Uint8Array {
  const w = new PickleWriter().proto(2);
  if (ordered) w.global("collections", "OrderedDict").raw(0x29, 0x52); // OrderedDict()
  else w.raw(0x7d); // EMPTY_DICT
  w.raw(0x28); // MARK
  for (const t of tensors) {
    w.str(t.key).global("torch._utils", "_rebuild_tensor_v2").raw(0x28);
    w.raw(0x28).str("storage").global("torch", t.storageType).str(t.storage).str("cpu");
    w.int(t.storageNumel).raw(0x74, 0x51); // TUPLE, BINPERSID
    w.int(t.offset).intTuple(t.shape).intTuple(t.stride).raw(0x89); // NEWFALSE
    w.global("collections", "OrderedDict").raw(0x29, 0x52); // backward hooks
    w.raw(0x74, 0x52); // TUPLE, REDUCE
  }
  w.raw(0x75); // SETITEMS
  if (ordered) {
    // BUILD {'_metadata': OrderedDict([('', {'version': 1})])}
    w.raw(0x7d).str("_metadata").global("collections", "OrderedDict").raw(0x29, 0x52);
    w.str("").raw(0x7d).str("version").int(1).raw(0x73, 0x73, 0x73, 0x62);
  }
  return w.raw(0x2e).bytes();
}

/** Zips a pickle and storages into a torch-style archive (stored entries, one prefix folder). */
export function buildPt(
  pickle: Uint8Array,
  storages: Record<string, Uint8Array>,
  opts: { prefix?: string; byteorder?: "little" | "big" } = {},
): Uint8Array {
  const prefix = opts.prefix ?? "archive";
  const files: Record<string, Uint8Array> = { [`${prefix}/data.pkl`]: pickle };
  if (opts.byteorder) files[`${prefix}/byteorder`] = new TextEncoder().encode(opts.byteorder);
  for (const [k, v] of Object.entries(storages)) files[`${prefix}/data/${k}`] = v;
  files[`${prefix}/version`] = new TextEncoder().encode("3\n");
  return zipSync(files, { level: 0 });
}

/** Little-endian float32 bytes of the given values. */
export function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}
