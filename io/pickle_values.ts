/**
 * The values our restricted unpickler (io/pickle.ts) produces: Python's data types
 * mapped onto plain TypeScript ones, plus wrappers for allowlisted globals and for
 * objects that their TypeScript stand-ins build.
 * @module
 */
import { quote } from "./quote.ts";

/** A Python tuple (kept distinct from a list). */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** A reference to an allowed Python global, optionally callable through REDUCE. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly call?: (args: PyValue[]) => PyValue,
  ) {}
  /** `module.name`, as Python would print it. */
  get qualname(): string {
    return `${this.module}.${this.name}`;
  }
}

/** Base class for values that allowlisted callables build (tensors, storages, ...). */
export abstract class PyOpaque {
  /** A short type name for error messages. */
  abstract readonly pyType: string;
}

/**
 * What an unpickled value can be. Python ints become numbers when they are safe
 * integers, bigints otherwise; dicts (and OrderedDicts) become Maps; lists arrays.
 */
export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyTuple
  | PyValue[]
  | Map<PyValue, PyValue>
  | PyGlobal
  | PyOpaque;

/** Thrown for any malformed or refused pickle; the message is one line and names the file. */
export class PickleError extends Error {}

/** A short, non-recursive description of a value for error messages. */
export function describe(v: PyValue): string {
  if (v === null) return "None";
  if (Array.isArray(v)) return `list of ${v.length}`;
  if (v instanceof PyTuple) return `tuple of ${v.items.length}`;
  if (v instanceof Map) return `dict of ${v.size}`;
  if (v instanceof Uint8Array) return `bytes of ${v.length}`;
  if (v instanceof PyGlobal) return `global ${v.qualname}`;
  if (v instanceof PyOpaque) return v.pyType;
  if (typeof v === "string") return `str ${quote(v, 40)}`;
  if (typeof v === "boolean") return v ? "True" : "False";
  return `${typeof v === "bigint" || Number.isInteger(v) ? "int" : "float"} ${String(v)}`;
}
