import assert from "node:assert/strict";
import { PickleError, PyGlobal, PyTuple, type PyValue, unpickle } from "./pickle.ts";

/** Byte strings produced by CPython 3's `pickle.dumps` (hex), with the values they encode. */
const CPYTHON = {
  // {1: [1, -2, 3.5, None, True, False, 2**70, -2**70, (1, 2), ()], 2: {3: 4.25e-300}}
  p0: "286470300a49310a286c70310a49310a61492d320a6146332e350a614e614930310a614930300a614c3131" +
    "38303539313632303731373431313330333432344c0a614c2d3131383035393136323037313734313133" +
    "30333432344c0a612849310a49320a7470320a612874617349320a286470330a49330a46342e3235652d" +
    "3330300a73732e",
  p1: "7d7100284b015d7101284b014afeffffff47400c0000000000004e4930310a4930300a4c31313830353931" +
    "3632303731373431313330333432344c0a4c2d313138303539313632303731373431313330333432344c0a" +
    "284b014b0274710229654b027d71034b034701c6c501bf28828e73752e",
  // {'a': [1, -2, 3.5, None, True, 2**70, -2**70, (1, 2, 3, 4), 'é\n', 70000, -70000,
  //        2**31, -2**31-1], 'b': (), 'c': {'x': [[], {}]}}  (+ 'd': b'xy\0' from protocol 3)
  p2: "80027d71002858010000006171015d7102284b014afeffffff47400c0000000000004e888a09000000000000" +
    "0000408a090000000000000000c0284b014b024b034b047471035803000000c3a90a71044a701101004a90ee" +
    "feff8a0500000080008a05ffffff7fff6558010000006271052958010000006371067d710758010000007871" +
    "085d7109285d710a7d710b6573752e",
  p4: "80049580000000000000007d94288c0161945d94284b014afeffffff47400c0000000000004e888a0900000000" +
    "00000000408a090000000000000000c0284b014b024b034b0474948c03c3a90a944a701101004a90eefeff8a" +
    "0500000080008a05ffffff7fff658c016294298c0163947d948c0178945d94285d947d9465738c0164944303" +
    "78790094752e",
  // {'s': [shared, shared]} with shared = [1]: the memo must give back the same list.
  memo: "80049513000000000000007d948c0173945d94285d944b0161680365732e",
  // {'w': E()} where E.__reduce__ returns (os.system, ('echo pwned',))
  system: "80027d7100580100000077710163706f7369780a73797374656d0a7102580a0000006563686f2070776e" +
    "65647103857104527105732e",
  // [1, V()] where V.__reduce__ returns (builtins.eval, ('1+1',))
  eval: "80049525000000000000005d94284b018c086275696c74696e73948c046576616c9493948c03312b3194" +
    "85945294652e",
};

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
}

const load = (h: string, globals = new Map<string, PyGlobal>()) =>
  unpickle(hex(h), { name: "t.pkl", globals, allowlistNote: "test allowlist" });

const big = 2n ** 70n;

Deno.test("CPython protocol 0 and 1 pickles decode to the same values", () => {
  const want = new Map<PyValue, PyValue>([
    [1, [1, -2, 3.5, null, true, false, big, -big, new PyTuple([1, 2]), new PyTuple([])]],
    [2, new Map<PyValue, PyValue>([[3, 4.25e-300]])],
  ]);
  assert.deepEqual(load(CPYTHON.p0), want);
  assert.deepEqual(load(CPYTHON.p1), want);
});

Deno.test("CPython protocol 2 and 4 pickles decode: LONG1, unicode, nesting, bytes", () => {
  const list = [
    1,
    -2,
    3.5,
    null,
    true,
    big,
    -big,
    new PyTuple([1, 2, 3, 4]),
    "é\n",
    70000,
    -70000,
    2 ** 31,
    -(2 ** 31) - 1,
  ];
  const want = new Map<PyValue, PyValue>([
    ["a", list],
    ["b", new PyTuple([])],
    ["c", new Map<PyValue, PyValue>([["x", [[], new Map()]]])],
  ]);
  assert.deepEqual(load(CPYTHON.p2), want);
  want.set("d", new Uint8Array([0x78, 0x79, 0]));
  assert.deepEqual(load(CPYTHON.p4), want);
});

Deno.test("the memo returns the same object, not a copy", () => {
  const v = load(CPYTHON.memo) as Map<PyValue, PyValue>;
  const s = v.get("s") as PyValue[][];
  assert.deepEqual(s, [[1], [1]]);
  assert.equal(s[0], s[1]);
});

Deno.test("code-running pickles from CPython are refused by name", () => {
  assert.throws(() => load(CPYTHON.system), {
    message: "t.pkl: refusing to load: pickle references global 'posix.system' (test allowlist)",
  });
  assert.throws(() => load(CPYTHON.eval), {
    message: "t.pkl: refusing to load: pickle references global 'builtins.eval' (test allowlist)",
  });
  // An allowed callable is run as our own function, with the pickled arguments.
  const calls: PyValue[][] = [];
  const globals = new Map([
    ["builtins.eval", new PyGlobal("builtins", "eval", (a) => (calls.push(a), "stub"))],
  ]);
  assert.deepEqual(load(CPYTHON.eval, globals), [1, "stub"]);
  assert.deepEqual(calls, [["1+1"]]);
});

Deno.test("malformed pickles fail with one-line errors, never a RangeError", () => {
  const cases: [string, RegExp][] = [
    ["", /length 1 runs past the end of the 0-byte pickle/],
    ["8002", /length 1 runs past the end/], // no STOP
    ["5801000000", /length 1 runs past/], // BINUNICODE without its byte
    ["58ffffffff", /length 4294967295 runs past the end of the 5-byte pickle/],
    ["6affffffff2e", /memo entry 4294967295 was never stored/], // LONG_BINGET
    ["8dffffffffffffffff2e", /length 9007199254740992 runs past/], // BINUNICODE8
    ["742e", /no MARK on the stack/],
    ["612e", /stack underflow/],
    ["4e4e2e", /STOP with 2 items on the stack/],
    ["294b01612e", /APPEND\(S\) on tuple of 0, expected a list/],
    ["4b0129522e", /cannot call int 1/],
    ["8006", /unsupported pickle protocol 6/],
    ["ff", /unknown opcode 0xff/],
    ["69", /opcode INST is not supported/],
    ["5d7d622e", /BUILD of list of 0 with dict of 0 is not supported/],
    ["8c02c328", /string is not valid UTF-8/],
    ["4c31780a2e", /bad integer literal '1x'/],
    ["4e512e", /persistent ids are not allowed here/],
  ];
  for (const [h, re] of cases) {
    assert.throws(() => load(h), (err: Error) => {
      assert.ok(err instanceof PickleError, `${h}: ${err}`);
      assert.match(err.message, /^t\.pkl: corrupt pickle: /);
      assert.match(err.message, re, h);
      assert.ok(!err.message.includes("\n"));
      return true;
    });
  }
});
