/**
 * Reads PyTorch checkpoints in the zip format that `torch.save` has written
 * since PyTorch 1.6: `<prefix>/data.pkl` (a pickle of the state dict whose
 * tensors point, through persistent ids, at raw storages `<prefix>/data/<key>`),
 * `<prefix>/version` and, in newer files, `<prefix>/byteorder`. The pickle is read
 * by our restricted unpickler (io/pickle.ts) with an allowlist of exactly what a
 * state dict needs; nothing in the file is ever executed.
 * @module
 */
import { quote } from "./quote.ts";
import { type DType, DTYPE_SIZE, type HostTensor, numel, viewTypedArray } from "./dtypes.ts";
import {
  describe,
  PickleError,
  PyGlobal,
  PyOpaque,
  PyTuple,
  type PyValue,
  unpickle,
} from "./pickle.ts";
import { readZipDirectory, readZipEntry, ZipError } from "./zip.ts";

/** The legacy typed storage classes that torch.save names in persistent ids. */
const STORAGE_DTYPES: Record<string, DType> = {
  FloatStorage: "f32",
  BFloat16Storage: "bf16",
  HalfStorage: "f16",
  DoubleStorage: "f64",
  LongStorage: "i64",
  IntStorage: "i32",
  ShortStorage: "i16",
  CharStorage: "i8",
  ByteStorage: "u8",
  BoolStorage: "bool",
};

/** Tensors may add up to this many times the file size (tied weights appear under two keys). */
const MAX_EXPANSION = 8;
/** Limits for nested dicts: a state dict is flat, and keys are short dotted paths. */
const MAX_DEPTH = 16;
const MAX_KEY = 4096;
/** `byteorder` holds `little` or `big`: a longer entry is not read. */
const MAX_TEXT_ENTRY = 64;

/** Prefix that `torch.compile` puts on every key of a compiled module's state dict. */
export const COMPILE_PREFIX = "_orig_mod.";

/** A loaded checkpoint: tensors by key (compile prefix removed) plus what was skipped. */
export interface TorchCheckpoint {
  tensors: Map<string, HostTensor>;
  /** Keys whose values were not tensors (numbers, strings, lists), with a short description. */
  ignored: Map<string, string>;
  /** How many keys carried the `_orig_mod.` prefix. */
  strippedPrefix: number;
}

/** Thrown for unreadable or refused checkpoints; the message is one line and names the file. */
export class CheckpointError extends Error {}

class Storage extends PyOpaque {
  readonly pyType = "storage";
  constructor(readonly dtype: DType, readonly bytes: Uint8Array, readonly numel: number) {
    super();
  }
}

class Tensor extends PyOpaque {
  readonly pyType = "tensor";
  constructor(readonly tensor: HostTensor) {
    super();
  }
}

/** Parses the bytes of a `.pt` file; `name` appears in every error message. */
export function parseTorchCheckpoint(bytes: Uint8Array, name = "<checkpoint>"): TorchCheckpoint {
  try {
    return parseChecked(bytes, name);
  } catch (err) {
    if (
      err instanceof CheckpointError || err instanceof PickleError || err instanceof ZipError
    ) throw err;
    // Anything else (a RangeError from a typed array, say) is still a damaged file: say so.
    const why = err instanceof Error ? err.message : String(err);
    throw new CheckpointError(`${name}: corrupt checkpoint (${why.split("\n")[0]})`);
  }
}

/** Reads a `.pt` checkpoint file; errors name the path. */
export async function readTorchCheckpoint(path: string): Promise<TorchCheckpoint> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new CheckpointError(`${path}: file not found`);
    throw err;
  }
  return parseTorchCheckpoint(bytes, path);
}

function parseChecked(bytes: Uint8Array, name: string): TorchCheckpoint {
  const fail = (why: string): never => {
    throw new CheckpointError(`${name}: ${why}`);
  };
  const isZip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b &&
    bytes[2] === 0x03 && bytes[3] === 0x04;
  if (!isZip) {
    if (bytes[0] === 0x80) {
      fail(
        "legacy (pre-1.6) torch.save format is not supported; " +
          "re-save it with a recent PyTorch (torch.save(torch.load(f), f))",
      );
    }
    fail("not a PyTorch checkpoint (expected a zip archive from torch.save)");
  }
  const entries = readZipDirectory(bytes, name);
  const pkls = [...entries.keys()].filter((k) => k === "data.pkl" || k.endsWith("/data.pkl"));
  if (pkls.length !== 1) fail(`expected one data.pkl in the archive, found ${pkls.length}`);
  const prefix = pkls[0].slice(0, -"data.pkl".length);
  const entryText = (key: string): string | undefined => {
    const e = entries.get(prefix + key);
    if (e && e.size > MAX_TEXT_ENTRY) {
      fail(`${quote(e.name)} declares ${e.size} bytes (expected a short text entry)`);
    }
    return e ? new TextDecoder().decode(readZipEntry(bytes, e, name)).trim() : undefined;
  };
  const byteorder = entryText("byteorder") ?? "little";
  if (byteorder !== "little" && byteorder !== "big") fail(`unknown byteorder ${quote(byteorder)}`);

  const storages = new Map<string, Storage>();
  const persistentLoad = (pid: PyValue): PyValue => {
    // ('storage', <storage class>, key, location, numel)
    const items = pid instanceof PyTuple ? pid.items : [];
    const [kind, cls, key, , count] = items;
    if (items.length !== 5 || kind !== "storage" || typeof key !== "string") {
      fail(`unsupported persistent id (${describe(pid)})`);
    }
    const k = key as string;
    const dtype = cls instanceof PyGlobal && cls.module === "torch" &&
        Object.hasOwn(STORAGE_DTYPES, cls.name)
      ? STORAGE_DTYPES[cls.name]
      : undefined;
    if (!dtype) return fail(`storage ${quote(k)} has an unsupported type (${describe(cls)})`);
    if (typeof count !== "number" || count < 0) fail(`storage ${quote(k)} has a bad element count`);
    const cached = storages.get(k);
    if (cached) return cached;
    const entry = entries.get(`${prefix}data/${k}`);
    if (!entry) return fail(`storage ${quote(k)} is missing from the archive`);
    const n = count as number;
    // torch.save writes each storage's bytes exactly; checked on the declared size, before
    // anything is inflated, so an entry cannot claim far more than the pickle asks for.
    const need = n * DTYPE_SIZE[dtype];
    if (entry.size !== need) {
      fail(
        `storage ${quote(k)} holds ${entry.size} bytes, expected ${n} x ${DTYPE_SIZE[dtype]} ` +
          `= ${need} (its element count in the pickle)`,
      );
    }
    const s = new Storage(dtype, readZipEntry(bytes, entry, name), n);
    storages.set(k, s);
    return s;
  };

  let materialized = 0;
  const rebuildTensor = (args: PyValue[]): PyValue => {
    // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks[, meta])
    const [storage, offset, size, stride] = args;
    if (args.length < 4 || !(storage instanceof Storage)) {
      return fail(`_rebuild_tensor_v2 called without a storage (${args.length} arguments)`);
    }
    const shape = intTuple(size, "size", fail);
    const strides = intTuple(stride, "stride", fail);
    if (strides.length !== shape.length) fail("tensor size and stride differ in length");
    if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0) {
      fail(`tensor storage offset ${describe(offset)} is invalid`);
    }
    const t = gather(storage, offset as number, shape, strides, byteorder, bytes, fail);
    // Each tensor is at most the file's size, but a pickle can rebuild views many times over.
    materialized += t.data.byteLength;
    if (materialized > MAX_EXPANSION * bytes.length) {
      fail(`its tensors would take more than ${MAX_EXPANSION}x the file size (repeated views?)`);
    }
    return new Tensor(t);
  };

  const globals = new Map<string, PyGlobal>();
  const allow = (module: string, nm: string, call?: (args: PyValue[]) => PyValue) =>
    globals.set(`${module}.${nm}`, new PyGlobal(module, nm, call));
  allow("collections", "OrderedDict", (args) => {
    const d = new Map<PyValue, PyValue>();
    const init = args[0];
    if (args.length > 1 || (args.length === 1 && !Array.isArray(init))) {
      fail("OrderedDict called with unsupported arguments");
    }
    for (const pair of (init as PyValue[] | undefined) ?? []) {
      if (!(pair instanceof PyTuple) || pair.items.length !== 2) fail("bad OrderedDict item");
      d.set((pair as PyTuple).items[0], (pair as PyTuple).items[1]);
    }
    return d;
  });
  allow("torch._utils", "_rebuild_tensor_v2", rebuildTensor);
  allow("torch._utils", "_rebuild_parameter", (args) => {
    // _rebuild_parameter(data, requires_grad, backward_hooks): the data is all we keep.
    if (!(args[0] instanceof Tensor)) fail("_rebuild_parameter called without a tensor");
    return args[0];
  });
  for (const cls of Object.keys(STORAGE_DTYPES)) allow("torch", cls);

  const root = unpickle(readZipEntry(bytes, entries.get(pkls[0])!, name), {
    name,
    globals,
    allowlistNote: "only state-dict globals are allowed",
    persistentLoad,
  });
  if (!(root instanceof Map)) fail(`the pickle holds a ${describe(root)}, not a state dict`);
  return collect(root as Map<PyValue, PyValue>, fail);
}

/** Flattens the (possibly nested) dict into tensors by key; strips the compile prefix. */
function collect(root: Map<PyValue, PyValue>, fail: (why: string) => never): TorchCheckpoint {
  const tensors = new Map<string, HostTensor>();
  const ignored = new Map<string, string>();
  let strippedPrefix = 0;
  const seen = new Set<Map<PyValue, PyValue>>();
  // Iterative walk (a pickle can build cyclic or deeply nested dicts).
  const todo: [string, Map<PyValue, PyValue>, number][] = [["", root, 0]];
  while (todo.length) {
    const [path, dict, depth] = todo.pop()!;
    if (depth > MAX_DEPTH) fail(`dicts nested more than ${MAX_DEPTH} levels deep`);
    if (seen.has(dict)) continue;
    seen.add(dict);
    for (const [k, v] of dict) {
      if (typeof k !== "string") fail(`state dict key ${describe(k)} is not a string`);
      let key = path + (k as string);
      if (key.startsWith(COMPILE_PREFIX)) {
        strippedPrefix++;
        while (key.startsWith(COMPILE_PREFIX)) key = key.slice(COMPILE_PREFIX.length);
      }
      if (key.length > MAX_KEY) fail(`a key is longer than ${MAX_KEY} characters`);
      if (v instanceof Map) todo.push([`${key}.`, v, depth + 1]);
      else if (v instanceof Tensor) {
        if (tensors.has(key)) fail(`two tensors map to the key ${quote(key)}`);
        tensors.set(key, v.tensor);
      } else ignored.set(key, describe(v));
    }
  }
  return { tensors, ignored, strippedPrefix };
}

function intTuple(v: PyValue, what: string, fail: (why: string) => never): number[] {
  if (!(v instanceof PyTuple)) return fail(`tensor ${what} is a ${describe(v)}, not a tuple`);
  return v.items.map((x) => {
    if (typeof x !== "number" || !Number.isSafeInteger(x) || x < 0) {
      fail(`tensor ${what} entry ${describe(x)} is invalid`);
    }
    return x as number;
  });
}

/**
 * Copies a (possibly strided) view of a storage into a dense row-major tensor.
 * Checks, before allocating, that every element lies inside the storage and that
 * the result is no larger than the file (a stride-0 view could ask for anything).
 */
function gather(
  s: Storage,
  offset: number,
  shape: number[],
  strides: number[],
  byteorder: string,
  file: Uint8Array,
  fail: (why: string) => never,
): HostTensor {
  const size = DTYPE_SIZE[s.dtype];
  const count = numel(shape);
  if (count > 0) {
    let last = offset;
    for (let d = 0; d < shape.length; d++) last += (shape[d] - 1) * strides[d];
    if (!Number.isSafeInteger(last) || last >= s.numel) {
      fail(
        `tensor of shape [${shape}] (stride [${strides}], offset ${offset}) ` +
          `reaches past its ${s.numel}-element storage`,
      );
    }
  }
  if (count * size > file.length) {
    fail(`tensor of shape [${shape}] would be larger than the whole file`);
  }
  const out = new Uint8Array(count * size);
  let contiguous = true;
  for (let d = shape.length - 1, expect = 1; d >= 0; d--) {
    if (shape[d] !== 1 && strides[d] !== expect) contiguous = false;
    expect *= shape[d];
  }
  if (contiguous) {
    out.set(s.bytes.subarray(offset * size, (offset + count) * size));
  } else {
    // Odometer over the multi-index: no recursion, one element copy per step.
    const idx = new Array(shape.length).fill(0);
    let src = offset;
    for (let i = 0; i < count; i++) {
      for (let b = 0; b < size; b++) out[i * size + b] = s.bytes[src * size + b];
      for (let d = shape.length - 1; d >= 0; d--) {
        idx[d]++;
        src += strides[d];
        if (idx[d] < shape[d]) break;
        src -= shape[d] * strides[d];
        idx[d] = 0;
      }
    }
  }
  if (byteorder === "big" && size > 1) {
    for (let i = 0; i < out.length; i += size) out.subarray(i, i + size).reverse();
  }
  return { dtype: s.dtype, shape, data: viewTypedArray(s.dtype, out.buffer) };
}
