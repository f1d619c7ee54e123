import assert from "node:assert/strict";
import { encodeNpy, parseNpy } from "./npy.ts";
import { encodeSafetensors, parseSafetensors, readSafetensors } from "./safetensors.ts";
import { countNonFinite, roundToBfloat16, toFloat32 } from "./dtypes.ts";

const FIXTURES = new URL("../fixtures/hrm-reference/", import.meta.url).pathname;

Deno.test("npy round-trips every dtype with np.save's header layout", () => {
  const t = { dtype: "i32" as const, shape: [2, 3], data: new Int32Array([1, -2, 3, 4, 5, 6]) };
  const bytes = encodeNpy(t);
  assert.equal((bytes.length - 6 * 4) % 64, 0);
  const header = new TextDecoder().decode(bytes.subarray(10, 10 + 60));
  assert.match(header, /^\{'descr': '<i4', 'fortran_order': False, 'shape': \(2, 3\), \}/);
  assert.deepEqual(parseNpy(bytes), t);
  const u = { dtype: "u8" as const, shape: [4], data: new Uint8Array([0, 1, 2, 255]) };
  const back = parseNpy(encodeNpy(u));
  assert.deepEqual(back, u);
  assert.match(new TextDecoder().decode(encodeNpy(u).subarray(10, 70)), /'shape': \(4,\)/);
});

Deno.test("npy reader rejects truncation and bad headers with one-line errors", () => {
  const bytes = encodeNpy({ dtype: "f32", shape: [8], data: new Float32Array(8) });
  assert.throws(
    () => parseNpy(bytes.subarray(0, bytes.length - 1), "x.npy"),
    /x.npy: .*needs 32 data bytes/,
  );
  assert.throws(() => parseNpy(new Uint8Array([1, 2, 3]), "y.npy"), /y.npy: .*magic/);
});

Deno.test("safetensors reads the golden file and round-trips it byte-exactly in content", async () => {
  const st = await readSafetensors(`${FIXTURES}/losses.safetensors`);
  const logits = st.tensors.get("logits")!;
  assert.equal(logits.dtype, "f32");
  assert.deepEqual(logits.shape, [64, 11]);
  const again = parseSafetensors(encodeSafetensors(st.tensors, st.metadata));
  assert.deepEqual([...again.tensors.keys()], [...st.tensors.keys()]);
  for (const [k, t] of st.tensors) assert.deepEqual(again.tensors.get(k), t);
});

Deno.test("safetensors rejects offsets outside the data", () => {
  const ok = encodeSafetensors({ a: { dtype: "f32", shape: [2], data: new Float32Array([1, 2]) } });
  assert.throws(() => parseSafetensors(ok.subarray(0, ok.length - 4), "z"), /z: .*data_offsets/);
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setBigUint64(0, 1n << 60n, true);
  assert.throws(() => parseSafetensors(huge, "h"), /h: .*header length/);
});

Deno.test("bfloat16 rounding is round-to-nearest-even and widening is exact", () => {
  const x = new Float32Array([1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, -2.5, 1e-40]);
  const r = roundToBfloat16(x);
  assert.deepEqual([...r], [1, 1, 1 + 2 ** -6, -2.5, r[4]]);
  const bits = new Uint16Array([0x3f80, 0xc020]);
  assert.deepEqual([...toFloat32({ dtype: "bf16", shape: [2], data: bits })], [1, -2.5]);
});

Deno.test("readers never take dtypes from Object.prototype and quote odd names on one line", () => {
  const withDescr = (d: string) => {
    const head = new TextEncoder().encode(
      `{'descr': '${d}', 'fortran_order': False, 'shape': (2,), }\n`,
    );
    const b = new Uint8Array(10 + head.length + 2);
    b.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    new DataView(b.buffer).setUint16(8, head.length, true);
    b.set(head, 10);
    return b;
  };
  assert.deepEqual([...parseNpy(withDescr("|u1")).data], [0, 0]);
  assert.throws(() => parseNpy(withDescr("toString"), "p.npy"), /p.npy: .*dtype 'toString'/);
  assert.throws(() => parseNpy(withDescr("constructor"), "p.npy"), /dtype 'constructor'/);
  const st = (dtype: string, key = "w") => {
    const head = new TextEncoder().encode(
      JSON.stringify({ [key]: { dtype, shape: [1], data_offsets: [0, 4] } }),
    );
    const out = new Uint8Array(8 + head.length + 4);
    new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
    out.set(head, 8);
    return out;
  };
  assert.throws(() => parseSafetensors(st("constructor")), /unsupported dtype '"constructor"'/);
  assert.throws(() => parseSafetensors(st("toString")), /unsupported dtype '"toString"'/);
  assert.equal(parseSafetensors(st("F32")).tensors.get("w")!.data.length, 1);
  assert.throws(() => parseSafetensors(st("X", "a\nb")), (err: Error) => {
    assert.match(err.message, /tensor "a\\nb" has unsupported dtype/);
    return !err.message.includes("\n");
  });
});

Deno.test("countNonFinite counts NaN and infinities in every float dtype, none in integers", () => {
  const f32 = new Float32Array([1, NaN, Infinity, -Infinity, 3.4e38]);
  assert.equal(countNonFinite({ dtype: "f32", shape: [5], data: f32 }), 3);
  assert.equal(
    countNonFinite({ dtype: "f64", shape: [2], data: new Float64Array([NaN, 1e308]) }),
    1,
  );
  // bf16: 0x7f80 +inf, 0xffc0 NaN, 0x7f7f the largest finite; f16: 0x7c00 +inf, 0x7bff finite.
  const bf16 = new Uint16Array([0x7f80, 0xffc0, 0x7f7f, 0x3f80]);
  assert.equal(countNonFinite({ dtype: "bf16", shape: [4], data: bf16 }), 2);
  const f16 = new Uint16Array([0x7c00, 0xfe00, 0x7bff]);
  assert.equal(countNonFinite({ dtype: "f16", shape: [3], data: f16 }), 2);
  assert.equal(countNonFinite({ dtype: "i32", shape: [1], data: new Int32Array([-1]) }), 0);
});
