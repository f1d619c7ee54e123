/**
 * A restricted, data-only unpickler. It understands the pickle opcodes that
 * `torch.save` emits for state dicts (protocols 0-5, minus object construction
 * by class) and nothing else. A pickle can name any Python callable through
 * GLOBAL / STACK_GLOBAL and call it with REDUCE, which is how malicious pickles
 * run code; here every global must be in the caller's allowlist and "calling"
 * one runs the caller's own TypeScript function. Nothing from the file is ever
 * executed, and every length, index and count is checked against the bytes
 * that are actually there before anything is allocated.
 * @module
 */
import { describe, PickleError, PyGlobal, PyTuple, type PyValue } from "./pickle_values.ts";
import { quote } from "./quote.ts";

export * from "./pickle_values.ts";

/** How the caller restricts and extends the unpickler. */
export interface UnpickleOptions {
  /** File name used in error messages. */
  name: string;
  /** Allowed globals by `module.name`; any other global is refused. */
  globals: ReadonlyMap<string, PyGlobal>;
  /** Explains the allowlist in the refusal message, e.g. "only state-dict globals are allowed". */
  allowlistNote: string;
  /** Resolves a persistent id (BINPERSID / PERSID); without it they are errors. */
  persistentLoad?: (pid: PyValue) => PyValue;
}

const MARK = Symbol("mark");
type StackItem = PyValue | typeof MARK;

const utf8 = new TextDecoder("utf-8", { fatal: true });
const latin1 = new TextDecoder("latin1");

/** Unpickles `bytes` under the restrictions of `opts`. */
export function unpickle(bytes: Uint8Array, opts: UnpickleOptions): PyValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: StackItem[] = [];
  const memo = new Map<number, PyValue>();
  let pos = 0;
  let opPos = 0;

  const fail = (why: string): never => {
    throw new PickleError(`${opts.name}: corrupt pickle: ${why} (at byte ${opPos})`);
  };
  const need = (n: number): number => {
    if (!Number.isSafeInteger(n) || n < 0 || pos + n > bytes.length) {
      fail(`length ${n} runs past the end of the ${bytes.length}-byte pickle`);
    }
    const at = pos;
    pos += n;
    return at;
  };
  const take = (n: number): Uint8Array => {
    const at = need(n);
    return bytes.subarray(at, at + n);
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail("unterminated text line");
    const s = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s.endsWith("\r") ? s.slice(0, -1) : s;
  };
  const text = (b: Uint8Array): string => {
    try {
      return utf8.decode(b);
    } catch {
      return fail("string is not valid UTF-8");
    }
  };
  const pop = (): PyValue => {
    if (stack.length === 0) fail("stack underflow");
    const v = stack.pop()!;
    if (v === MARK) fail("unexpected MARK");
    return v as PyValue;
  };
  const top = (): PyValue => {
    if (stack.length === 0) fail("stack underflow");
    const v = stack[stack.length - 1];
    if (v === MARK) fail("unexpected MARK");
    return v as PyValue;
  };
  const popMark = (): PyValue[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) fail("no MARK on the stack");
    const items = stack.splice(at) as PyValue[];
    items.shift();
    return items;
  };
  const push = (v: PyValue): void => {
    stack.push(v);
  };
  const memoGet = (i: number): PyValue => {
    if (!memo.has(i)) fail(`memo entry ${i} was never stored`);
    return memo.get(i)!;
  };
  const resolveGlobal = (module: string, name: string): PyGlobal => {
    const g = opts.globals.get(`${module}.${name}`);
    if (!g) {
      throw new PickleError(
        `${opts.name}: refusing to load: pickle references global ${quote(`${module}.${name}`)} ` +
          `(${opts.allowlistNote})`,
      );
    }
    return g;
  };
  const call = (fn: PyValue, args: PyValue): PyValue => {
    if (!(fn instanceof PyGlobal) || !fn.call) return fail(`cannot call ${describe(fn)}`);
    if (!(args instanceof PyTuple)) return fail(`arguments of ${fn.qualname} are not a tuple`);
    return fn.call(args.items);
  };
  const setItems = (d: PyValue, kv: PyValue[]): void => {
    if (!(d instanceof Map)) fail(`SETITEM(S) on ${describe(d)}, expected a dict`);
    if (kv.length % 2) fail("SETITEMS with an odd number of items");
    for (let i = 0; i < kv.length; i += 2) (d as Map<PyValue, PyValue>).set(kv[i], kv[i + 1]);
  };
  const appendItems = (l: PyValue, items: PyValue[]): void => {
    if (!Array.isArray(l)) fail(`APPEND(S) on ${describe(l)}, expected a list`);
    for (const x of items) (l as PyValue[]).push(x);
  };
  const decodeLong = (b: Uint8Array): number | bigint => {
    if (b.length === 0) return 0;
    let hex = "";
    for (let i = b.length - 1; i >= 0; i--) hex += b[i].toString(16).padStart(2, "0");
    let v = BigInt("0x" + hex);
    if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
    return toInt(v);
  };
  const parseIntText = (s: string): number | bigint => {
    const t = s.endsWith("L") ? s.slice(0, -1) : s;
    if (!/^[+-]?\d+$/.test(t)) fail(`bad integer literal ${quote(s.slice(0, 20))}`);
    return toInt(BigInt(t));
  };

  while (true) {
    opPos = pos;
    const op = bytes[need(1)];
    switch (op) {
      case 0x80: // PROTO
        if (bytes[need(1)] > 5) fail(`unsupported pickle protocol ${bytes[pos - 1]}`);
        break;
      case 0x95: // FRAME: an 8-byte length hint; the frame's contents follow inline
        need(8);
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) fail(`STOP with ${stack.length} items on the stack`);
        return pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x30: // POP
        if (stack.length === 0) fail("stack underflow");
        stack.pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        push(top());
        break;
      case 0x4e: // NONE
        push(null);
        break;
      case 0x88: // NEWTRUE
        push(true);
        break;
      case 0x89: // NEWFALSE
        push(false);
        break;
      case 0x49: { // INT (text; "00"/"01" are protocol-0 booleans)
        const s = line();
        push(s === "00" ? false : s === "01" ? true : parseIntText(s));
        break;
      }
      case 0x4c: // LONG (text)
        push(parseIntText(line()));
        break;
      case 0x4a: // BININT
        push(view.getInt32(need(4), true));
        break;
      case 0x4b: // BININT1
        push(bytes[need(1)]);
        break;
      case 0x4d: // BININT2
        push(view.getUint16(need(2), true));
        break;
      case 0x8a: // LONG1
        push(decodeLong(take(bytes[need(1)])));
        break;
      case 0x8b: // LONG4
        push(decodeLong(take(view.getInt32(need(4), true))));
        break;
      case 0x46: { // FLOAT (text)
        const s = line().trim();
        const v = Number(s);
        if (s === "" || (Number.isNaN(v) && !/^[+-]?nan$/i.test(s))) fail(`bad float ${quote(s)}`);
        push(v);
        break;
      }
      case 0x47: // BINFLOAT (big-endian double)
        push(view.getFloat64(need(8), false));
        break;
      case 0x58: // BINUNICODE
        push(text(take(view.getUint32(need(4), true))));
        break;
      case 0x8c: // SHORT_BINUNICODE
        push(text(take(bytes[need(1)])));
        break;
      case 0x8d: // BINUNICODE8
        push(text(take(u64(view, need(8)))));
        break;
      case 0x54: // BINSTRING (Python 2 str, read as latin-1)
        push(latin1.decode(take(view.getInt32(need(4), true))));
        break;
      case 0x55: // SHORT_BINSTRING
        push(latin1.decode(take(bytes[need(1)])));
        break;
      case 0x42: // BINBYTES
        push(take(view.getUint32(need(4), true)).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        push(take(bytes[need(1)]).slice());
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        push(take(u64(view, need(8))).slice());
        break;
      case 0x29: // EMPTY_TUPLE
        push(new PyTuple([]));
        break;
      case 0x74: // TUPLE
        push(new PyTuple(popMark()));
        break;
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: { // TUPLE3
        const n = op - 0x84;
        if (stack.length < n) fail("stack underflow");
        const items: PyValue[] = [];
        for (let i = 0; i < n; i++) items.unshift(pop());
        push(new PyTuple(items));
        break;
      }
      case 0x5d: // EMPTY_LIST
        push([]);
        break;
      case 0x6c: // LIST
        push(popMark());
        break;
      case 0x61: { // APPEND
        const x = pop();
        appendItems(top(), [x]);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x7d: // EMPTY_DICT
        push(new Map());
        break;
      case 0x64: { // DICT
        const d = new Map<PyValue, PyValue>();
        setItems(d, popMark());
        push(d);
        break;
      }
      case 0x73: { // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: { // SETITEMS
        const kv = popMark();
        setItems(top(), kv);
        break;
      }
      case 0x70: // PUT (text index)
        memo.set(Number(parseIntText(line())), top());
        break;
      case 0x71: // BINPUT
        memo.set(bytes[need(1)], top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(view.getUint32(need(4), true), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x67: // GET (text index)
        push(memoGet(Number(parseIntText(line()))));
        break;
      case 0x68: // BINGET
        push(memoGet(bytes[need(1)]));
        break;
      case 0x6a: // LONG_BINGET
        push(memoGet(view.getUint32(need(4), true)));
        break;
      case 0x63: { // GLOBAL "module\nname\n"
        const module = line();
        push(resolveGlobal(module, line()));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") {
          fail("STACK_GLOBAL needs two strings");
        }
        push(resolveGlobal(module as string, name as string));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        push(call(pop(), args));
        break;
      }
      case 0x81: { // NEWOBJ: cls.__new__(cls, *args), only for allowlisted callables
        const args = pop();
        push(call(pop(), args));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        build(top(), state, fail);
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!opts.persistentLoad) fail("persistent ids are not allowed here");
        push(opts.persistentLoad!(pid));
        break;
      }
      case 0x50: { // PERSID (text)
        const pid = line();
        if (!opts.persistentLoad) fail("persistent ids are not allowed here");
        push(opts.persistentLoad!(pid));
        break;
      }
      default: {
        const known = REFUSED_OPCODES[op];
        fail(
          known
            ? `opcode ${known} is not supported by this data-only loader`
            : `unknown opcode 0x${op.toString(16).padStart(2, "0")}`,
        );
      }
    }
  }
}

/** Opcodes that exist but are refused (object construction, extensions, out-of-band data). */
const REFUSED_OPCODES: Record<number, string> = {
  0x69: "INST",
  0x6f: "OBJ",
  0x92: "NEWOBJ_EX",
  0x82: "EXT1",
  0x83: "EXT2",
  0x84: "EXT4",
  0x97: "NEXT_BUFFER",
  0x98: "READONLY_BUFFER",
  0x8f: "EMPTY_SET",
  0x90: "ADDITEMS",
  0x91: "FROZENSET",
  0x53: "STRING",
  0x56: "UNICODE",
};

/**
 * BUILD sets attributes on an object. The only object a state dict builds is its
 * OrderedDict, whose `_metadata` attribute (module versions) we do not need:
 * accept a dict state (or a (dict, slots) pair) on a dict and drop it.
 */
function build(obj: PyValue, state: PyValue, fail: (why: string) => never): void {
  const isAttrs = (s: PyValue) => s === null || s instanceof Map;
  const ok = isAttrs(state) ||
    (state instanceof PyTuple && state.items.length === 2 && state.items.every(isAttrs));
  if (!(obj instanceof Map) || !ok) {
    fail(`BUILD of ${describe(obj)} with ${describe(state)} is not supported`);
  }
}

function u64(view: DataView, at: number): number {
  const v = view.getBigUint64(at, true);
  // Anything past 2^53 cannot fit in the file anyway; `take` reports it as running past the end.
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER + 1 : Number(v);
}

function toInt(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : v;
}
