import assert from "node:assert/strict";
import { NumpyLegacyRandom } from "./mt19937.ts";

// Expected values printed by NumPy 2.4 (legacy np.random).
Deno.test("mt19937: raw outputs equal np.random.seed(s) + randint(0, 2**32, dtype=uint32)", () => {
  const r42 = new NumpyLegacyRandom(42);
  assert.deepEqual(
    [r42.nextUint32(), r42.nextUint32(), r42.nextUint32(), r42.nextUint32(), r42.nextUint32()],
    [1608637542, 3421126067, 4083286876, 787846414, 3143890026],
  );
  const r0 = new NumpyLegacyRandom(0);
  assert.deepEqual([r0.nextUint32(), r0.nextUint32(), r0.nextUint32()], [
    2357136044,
    2546248239,
    3071714933,
  ]);
});

Deno.test("mt19937: randint and permutation follow NumPy's masked rejection sampling", () => {
  const r = new NumpyLegacyRandom(123);
  const ints = Array.from({ length: 10 }, () => r.randint(0, 8));
  assert.deepEqual(ints, [6, 5, 6, 2, 4, 2, 6, 1, 3, 2]);
  const perm = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  r.shuffle(perm);
  assert.deepEqual([...perm], [5, 4, 3, 9, 6, 8, 1, 2, 7]);
  // Python list shuffle after 5 raw draws and 700 randints (seed 42), as NumPy printed.
  const s = new NumpyLegacyRandom(42);
  for (let i = 0; i < 5; i++) s.nextUint32();
  for (let i = 0; i < 700; i++) s.randint(0, 8 + (i % 23));
  const p = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  s.shuffle(p);
  const l = ["a", "b", "c", "d", "e", "f", "g"];
  s.shuffle(l);
  assert.deepEqual(l, ["g", "a", "d", "b", "e", "c", "f"]);
});

Deno.test("mt19937: randint over one value draws nothing; bad seeds are refused", () => {
  const a = new NumpyLegacyRandom(9), b = new NumpyLegacyRandom(9);
  assert.equal(a.randint(3, 4), 3);
  assert.equal(a.nextUint32(), b.nextUint32());
  assert.throws(() => new NumpyLegacyRandom(-1), /seed/);
  assert.throws(() => new NumpyLegacyRandom(2 ** 32), /seed/);
  assert.throws(() => a.randint(2, 2), /high/);
});
