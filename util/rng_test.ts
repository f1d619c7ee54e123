import assert from "node:assert/strict";
import { deriveSeed, Rng } from "./rng.ts";

Deno.test("rng: same seed, same stream; different seeds differ", () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const xa = Array.from({ length: 8 }, () => a.nextU32());
  assert.deepEqual(xa, Array.from({ length: 8 }, () => b.nextU32()));
  assert.notDeepEqual(xa, Array.from({ length: 8 }, () => c.nextU32()));
  assert.notDeepEqual(new Rng(2 ** 32 + 1).state(), new Rng(1).state());
});

Deno.test("rng: state round-trip resumes exactly", () => {
  const a = new Rng(7);
  a.uniform();
  a.normal();
  const saved = JSON.parse(JSON.stringify(a.state()));
  const next = [a.uniform(), a.int(1000), a.normal()];
  const b = Rng.fromState(saved);
  assert.deepEqual(Rng.fromState(saved).state(), saved, "one state, one spelling");
  for (let i = 0; i < 64; i++) {
    assert.ok(a.state().every((w) => w >= 0 && w < 2 ** 32), "unsigned words");
    a.nextU32();
  }
  assert.deepEqual([b.uniform(), b.int(1000), b.normal()], next);
  assert.throws(() => Rng.fromState([1, 2, 3] as unknown as [number, number, number, number]));
});

Deno.test("rng: distributions", () => {
  const r = new Rng(1);
  const n = 20000;
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const x = r.normal();
    sum += x;
    sq += x * x;
  }
  assert.ok(Math.abs(sum / n) < 0.03);
  assert.ok(Math.abs(sq / n - 1) < 0.05);
  const counts = new Array(5).fill(0);
  for (let i = 0; i < n; i++) counts[r.int(5)]++;
  for (const c of counts) assert.ok(Math.abs(c / n - 0.2) < 0.02);
  for (let i = 0; i < 1000; i++) {
    const u = r.uniform();
    assert.ok(u >= 0 && u < 1);
  }
  const p = r.permutation(50);
  assert.deepEqual([...p].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  assert.throws(() => r.int(0), /n must be/);
});

Deno.test("rng: fork gives an independent deterministic stream", () => {
  const a = new Rng(5).fork();
  const b = new Rng(5).fork();
  assert.equal(a.nextU32(), b.nextU32());
});

Deno.test("rng: deriveSeed and fromKey are deterministic, 32-bit and key-sensitive", () => {
  assert.equal(deriveSeed(42, 1, 7), deriveSeed(42, 1, 7));
  assert.notEqual(deriveSeed(42, 1, 7), deriveSeed(42, 1, 8));
  assert.notEqual(deriveSeed(1, 2), deriveSeed(2, 1));
  const s = deriveSeed(2 ** 40 + 3);
  assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 32);
  assert.deepEqual(Rng.fromKey([1, 2, 3]).state(), Rng.fromKey([1, 2, 3]).state());
  assert.notDeepEqual(Rng.fromKey([1, 2, 3]).state(), Rng.fromKey([1, 2]).state());
  const r = new Rng(5);
  for (let i = 0; i < 200; i++) {
    const v = r.between(-3, 3);
    assert.ok(Number.isInteger(v) && v >= -3 && v <= 3);
  }
});
