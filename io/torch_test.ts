import assert from "node:assert/strict";
import { parseTorchCheckpoint, readTorchCheckpoint } from "./torch.ts";
import { readSafetensors } from "./safetensors.ts";
import { roundToBfloat16, toFloat32, typedArrayBytes } from "./dtypes.ts";
import { buildPt, f32Bytes, PickleWriter, stateDictPickle } from "./torch_testing.ts";
import { readZipDirectory } from "./zip.ts";
import { unzipSync, zipSync } from "fflate";

const CASE = new URL("../fixtures/hrm-reference/tiny-rope/", import.meta.url).pathname;
const REFUSAL = "only state-dict globals are allowed";

Deno.test("the tiny-rope checkpoint loads to the reference weights", async () => {
  const ckpt = await readTorchCheckpoint(`${CASE}checkpoint.pt`);
  const ref = (await readSafetensors(`${CASE}params.safetensors`)).tensors;
  assert.deepEqual([...ckpt.tensors.keys()].sort(), [...ref.keys()].sort());
  assert.equal(ckpt.strippedPrefix, ref.size);
  assert.equal(ckpt.ignored.size, 0);
  for (const [key, want] of ref) {
    const got = ckpt.tensors.get(key)!;
    assert.deepEqual(got.shape, want.shape, key);
    if (key === "model.inner.H_init" || key === "model.inner.L_init") {
      assert.equal(got.dtype, "bf16", key);
      assert.deepEqual(toFloat32(got), roundToBfloat16(toFloat32(want)), key);
    } else {
      assert.equal(got.dtype, want.dtype, key);
      assert.deepEqual(typedArrayBytes(got.data), typedArrayBytes(want.data), key);
    }
  }
});

Deno.test("strided views are gathered; shared storages, offsets, stride 0", () => {
  const storage = f32Bytes([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  const base = { storageType: "FloatStorage", storage: "0", storageNumel: 12 };
  const pkl = stateDictPickle([
    { ...base, key: "_orig_mod.t", offset: 0, shape: [3, 2], stride: [1, 3] }, // transpose of [2,3]
    { ...base, key: "_orig_mod.every_other", offset: 1, shape: [2, 2], stride: [6, 2] },
    { ...base, key: "_orig_mod.contig", offset: 4, shape: [2, 2], stride: [2, 1] },
    { ...base, key: "_orig_mod.expanded", offset: 5, shape: [2, 3], stride: [0, 1] },
    { ...base, key: "_orig_mod.scalar", offset: 11, shape: [], stride: [] },
    { ...base, key: "_orig_mod.empty", offset: 0, shape: [0, 4], stride: [4, 1] },
  ]);
  const ckpt = parseTorchCheckpoint(buildPt(pkl, { "0": storage }), "s.pt");
  const values = (k: string) => [...ckpt.tensors.get(k)!.data];
  assert.deepEqual(values("t"), [0, 3, 1, 4, 2, 5]);
  assert.deepEqual(ckpt.tensors.get("t")!.shape, [3, 2]);
  assert.deepEqual(values("every_other"), [1, 3, 7, 9]);
  assert.deepEqual(values("contig"), [4, 5, 6, 7]);
  assert.deepEqual(values("expanded"), [5, 6, 7, 5, 6, 7]);
  assert.deepEqual(values("scalar"), [11]);
  assert.deepEqual(ckpt.tensors.get("scalar")!.shape, []);
  assert.deepEqual(values("empty"), []);
  assert.equal(ckpt.strippedPrefix, 6);
});

Deno.test("every storage dtype maps to its HostTensor dtype; big-endian files are swapped", () => {
  const cases: [string, string, Uint8Array, number[]][] = [
    ["DoubleStorage", "f64", new Uint8Array(new Float64Array([1.5, -2]).buffer), [1.5, -2]],
    ["HalfStorage", "f16", new Uint8Array(new Uint16Array([0x3c00, 0xc000]).buffer), [1, -2]],
    ["BFloat16Storage", "bf16", new Uint8Array(new Uint16Array([0x3f80, 0xc020]).buffer), [
      1,
      -2.5,
    ]],
    ["LongStorage", "i64", new Uint8Array(new BigInt64Array([7n, -1n]).buffer), [7, -1]],
    ["IntStorage", "i32", new Uint8Array(new Int32Array([7, -1]).buffer), [7, -1]],
    ["ShortStorage", "i16", new Uint8Array(new Int16Array([7, -1]).buffer), [7, -1]],
    ["CharStorage", "i8", new Uint8Array([7, 255]), [7, -1]],
    ["ByteStorage", "u8", new Uint8Array([7, 255]), [7, 255]],
    ["BoolStorage", "bool", new Uint8Array([1, 0]), [1, 0]],
  ];
  for (const big of [false, true]) {
    const pkl = stateDictPickle(cases.map(([cls], i) => ({
      key: cls,
      storageType: cls,
      storage: String(i),
      storageNumel: 2,
      offset: 0,
      shape: [2],
      stride: [1],
    })));
    const storages = Object.fromEntries(cases.map(([, , bytes], i) => {
      const b = bytes.slice();
      const size = b.length / 2;
      if (big) { for (let j = 0; j < b.length; j += size) b.subarray(j, j + size).reverse(); }
      return [String(i), b];
    }));
    const pt = buildPt(pkl, storages, { byteorder: big ? "big" : "little" });
    const ckpt = parseTorchCheckpoint(pt, "d.pt");
    for (const [cls, dtype, , want] of cases) {
      const t = ckpt.tensors.get(cls)!;
      assert.equal(t.dtype, dtype, cls);
      assert.deepEqual([...toFloat32(t)], want, `${cls} big=${big}`);
    }
  }
});

Deno.test("protocol 4 pickles (STACK_GLOBAL, MEMOIZE, FRAME) and _rebuild_parameter load", () => {
  const w = new PickleWriter().proto(4).raw(0x95).u32(0).u32(0); // FRAME (length unused)
  w.raw(0x7d, 0x94, 0x28).str("w", true).raw(0x94); // {} MEMOIZE MARK 'w' MEMOIZE
  w.str("torch._utils", true).str("_rebuild_parameter", true).raw(0x93, 0x94); // STACK_GLOBAL
  w.str("torch._utils", true).str("_rebuild_tensor_v2", true).raw(0x93, 0x94);
  w.raw(0x28, 0x28).str("storage", true).str("torch", true).str("FloatStorage", true);
  w.raw(0x93).str("0", true).str("cpu", true).int(2).raw(0x74, 0x51);
  w.int(0).intTuple([2]).intTuple([1]).raw(0x89, 0x7d, 0x74, 0x52); // v2(...)
  w.raw(0x88, 0x7d, 0x87, 0x52); // TUPLE3(tensor, True, {}), REDUCE
  w.raw(0x75, 0x2e);
  const ckpt = parseTorchCheckpoint(buildPt(w.bytes(), { "0": f32Bytes([3, 4]) }), "p4.pt");
  assert.deepEqual([...ckpt.tensors.get("w")!.data], [3, 4]);
});

Deno.test("non-tensor entries are reported, nested dicts are flattened", () => {
  const w = new PickleWriter().proto(2).raw(0x7d, 0x28);
  w.str("step").int(500).str("name").str("hrm").str("inner").raw(0x7d, 0x28);
  w.str("x").raw(0x4e).raw(0x75); // {'x': None}
  w.raw(0x75, 0x2e);
  const ckpt = parseTorchCheckpoint(buildPt(w.bytes(), {}), "n.pt");
  assert.equal(ckpt.tensors.size, 0);
  assert.deepEqual(Object.fromEntries(ckpt.ignored), {
    step: "int 500",
    name: "str 'hrm'",
    "inner.x": "None",
  });
});

Deno.test("globals outside the allowlist are refused with the name of the global", () => {
  // GLOBAL 'os system' ; MARK 'echo pwned' TUPLE ; REDUCE ; STOP
  const osSystem = new PickleWriter().proto(2).global("os", "system").raw(0x28)
    .str("echo pwned").raw(0x74, 0x52, 0x2e).bytes();
  assert.throws(
    () => parseTorchCheckpoint(buildPt(osSystem, {}), "evil.pt"),
    {
      message: `evil.pt: refusing to load: pickle references global 'os.system' (${REFUSAL})`,
    },
  );
  // builtins.eval through STACK_GLOBAL, hidden inside an otherwise valid state dict.
  const evalPkl = new PickleWriter().proto(4).raw(0x7d, 0x28).str("a", true)
    .str("builtins", true).str("eval", true).raw(0x93).str("1+1", true).raw(0x85, 0x52)
    .raw(0x75, 0x2e).bytes();
  assert.throws(
    () => parseTorchCheckpoint(buildPt(evalPkl, {}), "e.pt"),
    { message: `e.pt: refusing to load: pickle references global 'builtins.eval' (${REFUSAL})` },
  );
  // A near miss on an allowed name is still refused.
  const torchLoad = new PickleWriter().proto(2).global("torch", "load").raw(0x2e).bytes();
  assert.throws(() => parseTorchCheckpoint(buildPt(torchLoad, {}), "l.pt"), /global 'torch.load'/);
  // Allowed globals that are not functions cannot be called.
  const callStorage = new PickleWriter().proto(2).global("torch", "FloatStorage")
    .raw(0x29, 0x52, 0x2e).bytes();
  assert.throws(
    () => parseTorchCheckpoint(buildPt(callStorage, {}), "c.pt"),
    /c.pt: corrupt pickle: cannot call global torch.FloatStorage/,
  );
  // INST names a class inline; it is refused as an opcode.
  const inst = new PickleWriter().proto(2).raw(0x28).raw(0x69).ascii("os\nsystem\n").raw(0x2e)
    .bytes();
  assert.throws(() => parseTorchCheckpoint(buildPt(inst, {}), "i.pt"), /opcode INST/);
});

/** A pickle of `depth` dicts nested as {'a': {'a': ...}}. */
function nested(depth: number): Uint8Array {
  const w = new PickleWriter().proto(2).raw(0x7d);
  for (let i = 0; i < depth; i++) w.raw(0x28).str("a").raw(0x7d);
  for (let i = 0; i < depth; i++) w.raw(0x75);
  return w.raw(0x2e).bytes();
}

Deno.test("damaged checkpoints fail with one-line messages naming the file", () => {
  const base = { key: "w", storageType: "FloatStorage", storage: "0", storageNumel: 4 };
  const cases: [Uint8Array, RegExp][] = [
    [
      buildPt(stateDictPickle([{ ...base, offset: 2, shape: [2, 2], stride: [2, 1] }]), {
        "0": f32Bytes([1, 2, 3, 4]),
      }),
      /x.pt: tensor of shape \[2,2\] \(stride \[2,1\], offset 2\) reaches past its 4-element/,
    ],
    [
      buildPt(stateDictPickle([{ ...base, offset: 0, shape: [4], stride: [1] }]), {}),
      /x.pt: storage '0' is missing from the archive/,
    ],
    [
      buildPt(stateDictPickle([{ ...base, offset: 0, shape: [4], stride: [1] }]), {
        "0": f32Bytes([1, 2]),
      }),
      /^x.pt: storage '0' holds 8 bytes, expected 4 x 4 = 16 \(its element count in the pickle\)$/,
    ],
    [
      buildPt(
        stateDictPickle([{
          ...base,
          storageType: "ComplexFloatStorage",
          offset: 0,
          shape: [1],
          stride: [1],
        }]),
        {},
      ),
      /global 'torch.ComplexFloatStorage'/,
    ],
    [
      buildPt(
        stateDictPickle(Array.from({ length: 20 }, (_, i) => ({
          ...base,
          key: `view${i}`,
          storageNumel: 1000,
          offset: 0,
          shape: [1000],
          stride: [1],
        }))),
        { "0": new Uint8Array(4000) },
      ),
      /x.pt: its tensors would take more than 8x the file size/,
    ],
    [buildPt(nested(20), {}), /x.pt: dicts nested more than 16 levels deep/],
    [new Uint8Array([0x80, 2, 0x7d, 0x2e]), /x.pt: legacy \(pre-1.6\) torch.save format/],
    [new TextEncoder().encode("hello"), /x.pt: not a PyTorch checkpoint/],
    [buildPt(new Uint8Array([0x80, 2, 0x5d, 0x2e]), {}), /x.pt: the pickle holds a list of 0/],
  ];
  for (const [bytes, re] of cases) {
    assert.throws(() => parseTorchCheckpoint(bytes, "x.pt"), (err: Error) => {
      assert.match(err.message, re);
      assert.ok(!err.message.includes("\n"));
      return true;
    });
  }
});

Deno.test("a storage declaring far more bytes than the pickle needs is refused before inflating", async () => {
  const base = { key: "w", storageType: "FloatStorage", storage: "0", storageNumel: 4 };
  const pkl = stateDictPickle([{ ...base, offset: 0, shape: [4], stride: [1] }]);
  const files = unzipSync(buildPt(pkl, { "0": new Uint8Array(1 << 20) }));
  // Deflated, 1 MiB of zeros is about 1 KiB: plausible for deflate, absurd for 4 floats.
  const zip = zipSync(files, { level: 6 });
  const entry = readZipDirectory(zip, "b.pt").get("archive/data/0")!;
  assert.equal(entry.method, 8);
  // Damage the stream: had it been inflated, the error would be another one.
  zip[entry.dataOffset + (entry.compressedSize >> 1)] ^= 0x55;
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/b.pt`, zip);
    await assert.rejects(readTorchCheckpoint(`${dir}/b.pt`), {
      message: `${dir}/b.pt: storage '0' holds 1048576 bytes, expected 4 x 4 = 16 ` +
        `(its element count in the pickle)`,
    });
    assert.deepEqual(await Deno.readFile(`${dir}/b.pt`), zip, "input unchanged");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("checkpoints whose zip entries share data are refused", () => {
  const base = { storageType: "FloatStorage", storageNumel: 2, offset: 0, shape: [2], stride: [1] };
  const pkl = stateDictPickle([
    { ...base, key: "a", storage: "0" },
    { ...base, key: "b", storage: "1" },
  ]);
  const pt = buildPt(pkl, { "0": f32Bytes([1, 2]), "1": f32Bytes([3, 4]) });
  // Point the directory entry of storage 1 at storage 0's local header.
  const entries = readZipDirectory(pt, "s.pt");
  const v = new DataView(pt.buffer);
  for (let p = 0; p + 46 < pt.length; p++) {
    if (v.getUint32(p, true) !== 0x02014b50) continue;
    const name = new TextDecoder().decode(pt.subarray(p + 46, p + 46 + v.getUint16(p + 28, true)));
    if (name === "archive/data/1") {
      v.setUint32(p + 42, entries.get("archive/data/0")!.headerOffset, true);
    }
  }
  assert.throws(() => parseTorchCheckpoint(pt, "s.pt"), {
    message: "s.pt: corrupt zip archive: entries 'archive/data/0' and 'archive/data/1' overlap " +
      `at byte ${
        entries.get("archive/data/0")!.headerOffset
      } (expected each entry to own its bytes)`,
  });
});
