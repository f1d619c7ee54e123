import assert from "node:assert/strict";
import { encodeSafetensors, parseSafetensors, readSafetensors } from "./safetensors.ts";

/** A safetensors file from raw header text and `dataLen` data bytes (0, 1, 2, ...). */
function raw(header: string, dataLen: number): Uint8Array {
  const head = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + head.length + dataLen);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  for (let i = 0; i < dataLen; i++) out[8 + head.length + i] = i;
  return out;
}

const F32x2 = (b: number, e: number) => `{"dtype":"F32","shape":[2],"data_offsets":[${b},${e}]}`;
const PREFIX = "w.st: not a valid safetensors file: ";

/** Asserts the exact one-line message. */
function refuses(bytes: Uint8Array, why: string) {
  assert.throws(() => parseSafetensors(bytes, "w.st"), (err: Error) => {
    assert.equal(err.message, PREFIX + why);
    assert.ok(!err.message.includes("\n"));
    return true;
  });
}

Deno.test("safetensors: offsets must tile the data section exactly", () => {
  // Two tensors whose ranges overlap by 4 bytes.
  refuses(
    raw(`{"a":${F32x2(0, 8)},"b":${F32x2(4, 12)}}`, 12),
    "tensor 'b' data_offsets [4,12] overlap tensor 'a' [0,8] " +
      "(expected contiguous, non-overlapping offsets)",
  );
  // Two tensors sharing the same bytes.
  refuses(
    raw(`{"a":${F32x2(0, 8)},"b":${F32x2(0, 8)}}`, 8),
    "tensor 'b' data_offsets [0,8] overlap tensor 'a' [0,8] " +
      "(expected contiguous, non-overlapping offsets)",
  );
  // A gap between tensors, and a first tensor that does not start at 0.
  refuses(
    raw(`{"a":${F32x2(0, 8)},"b":${F32x2(12, 20)}}`, 20),
    "tensor 'b' data_offsets [12,20] leave bytes 8..12 unused " +
      "(expected contiguous offsets starting at 0)",
  );
  refuses(
    raw(`{"a":${F32x2(4, 12)}}`, 12),
    "tensor 'a' data_offsets [4,12] leave bytes 0..4 unused " +
      "(expected contiguous offsets starting at 0)",
  );
  // Trailing bytes no tensor covers.
  refuses(
    raw(`{"a":${F32x2(0, 8)}}`, 12),
    "the tensors cover 8 of the 12 data bytes (expected the data section to be covered exactly)",
  );
  // Out of order in the header but contiguous, and empty tensors anywhere: fine.
  const ok = parseSafetensors(
    raw(
      `{"b":${F32x2(8, 16)},"e":{"dtype":"I8","shape":[0],"data_offsets":[8,8]},"a":${
        F32x2(0, 8)
      }}`,
      16,
    ),
  );
  assert.deepEqual([...ok.tensors.keys()], ["b", "e", "a"]);
  assert.deepEqual(new Uint8Array(ok.tensors.get("b")!.data.buffer), raw("", 16).subarray(16));
});

Deno.test("safetensors: dtype and shape must agree with the byte length", () => {
  refuses(
    raw(`{"a":{"dtype":"I32","shape":[3],"data_offsets":[0,8]}}`, 8),
    "tensor 'a' is I32 of shape [3], which needs 12 bytes, but its data_offsets span 8",
  );
  refuses(
    raw(`{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}`, 8),
    "tensor 'a' is F64 of shape [2], which needs 16 bytes, but its data_offsets span 8",
  );
});

Deno.test("safetensors: duplicate keys are found in the raw JSON text", () => {
  refuses(
    raw(`{"a":${F32x2(0, 8)},"a":${F32x2(0, 8)}}`, 8),
    "duplicate key 'a' in the header (each key may appear once)",
  );
  // The same key spelt with an escape is still the same key.
  refuses(
    raw(`{"w":${F32x2(0, 8)},"\\u0077":${F32x2(0, 8)}}`, 8),
    "duplicate key 'w' in the header (each key may appear once)",
  );
  refuses(
    raw(`{"__metadata__":{"s":"1","s":"2"},"a":${F32x2(0, 8)}}`, 8),
    "duplicate key 's' in __metadata__ (each key may appear once)",
  );
  refuses(
    raw(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"dtype":"I32"}}`, 8),
    "duplicate key 'dtype' in the entry of 'a' (each key may appear once)",
  );
  // Quotes, brackets and commas inside strings do not confuse the scan.
  const tricky = parseSafetensors(
    raw(`{"__metadata__":{"x":"{\\"a\\":[1,\\"a\\"]}","y":"a,b"},"a\\"{":${F32x2(0, 8)}}`, 8),
  );
  assert.deepEqual(tricky.metadata, { x: '{"a":[1,"a"]}', y: "a,b" });
  assert.deepEqual([...tricky.tensors.keys()], ['a"{']);
});

Deno.test("safetensors: __metadata__ is string-to-string only", () => {
  const withMeta = (m: string) => raw(`{"__metadata__":${m},"a":${F32x2(0, 8)}}`, 8);
  refuses(withMeta(`{"n":1}`), "__metadata__ value of 'n' is a number, expected a string");
  refuses(withMeta(`{"o":{"k":"v"}}`), "__metadata__ value of 'o' is an object, expected a string");
  refuses(withMeta(`{"l":["v"]}`), "__metadata__ value of 'l' is an array, expected a string");
  refuses(withMeta(`{"z":null}`), "__metadata__ value of 'z' is null, expected a string");
  refuses(withMeta(`["v"]`), "__metadata__ is not an object of strings");
  assert.deepEqual(parseSafetensors(withMeta(`{"k":"v"}`)).metadata, { k: "v" });
  assert.throws(
    () => encodeSafetensors({ __metadata__: { dtype: "u8", shape: [0], data: new Uint8Array() } }),
    /'__metadata__' cannot name a tensor/,
  );
});

Deno.test("safetensors: a refused file is named in the error and left as it was", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bytes = raw(`{"a":${F32x2(0, 8)},"b":${F32x2(4, 12)}}`, 12);
    await Deno.writeFile(`${dir}/bad.safetensors`, bytes);
    await assert.rejects(
      readSafetensors(`${dir}/bad.safetensors`),
      {
        message: `${dir}/bad.safetensors: not a valid safetensors file: tensor 'b' ` +
          `data_offsets [4,12] overlap tensor 'a' [0,8] ` +
          `(expected contiguous, non-overlapping offsets)`,
      },
    );
    assert.deepEqual(await Deno.readFile(`${dir}/bad.safetensors`), bytes);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["bad.safetensors"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
