import assert from "node:assert/strict";
import { join } from "node:path";
import { parseTorchCheckpoint, readTorchCheckpoint } from "./torch.ts";
import { torchArchiveName, torchSaveBytes, writeTorchSave } from "./torch_write.ts";
import { readZipDirectory } from "./zip.ts";
import type { HostTensor } from "./dtypes.ts";

const FIXTURE = new URL("../fixtures/torch-save/step_7_all_preds.0", import.meta.url).pathname;
const EDGE = new URL("../fixtures/torch-save/edge_cases.pt", import.meta.url).pathname;

/** The dict fixtures/torch-save/make_step_7.py saves with torch 1.13. */
function step7(): [string, HostTensor][] {
  return [
    ["inputs", { dtype: "i32", shape: [2, 2], data: new Int32Array([2, 3, 1, 0]) }],
    ["labels", { dtype: "i32", shape: [2, 2], data: new Int32Array([2, -100, 3, 4]) }],
    ["puzzle_identifiers", { dtype: "i32", shape: [2], data: new Int32Array([1, 0]) }],
    ["logits", { dtype: "bf16", shape: [2, 2, 3], data: new Uint16Array(12) }],
    ["q_halt_logits", { dtype: "f32", shape: [2], data: new Float32Array([0.5, -1]) }],
    ["q_continue_logits", { dtype: "f32", shape: [2], data: new Float32Array([0.25, 1]) }],
  ];
}

Deno.test("the writer gives torch 1.13's torch.save bytes exactly (byteorder record off)", async () => {
  const theirs = await Deno.readFile(FIXTURE);
  const ours = torchSaveBytes(step7(), { archiveName: "step_7_all_preds", byteorder: false });
  assert.equal(ours.length, theirs.length);
  assert.deepEqual(ours, theirs);
});

Deno.test("the default layout adds the byteorder record after data.pkl, as PyTorch 2.x", () => {
  const bytes = torchSaveBytes(step7(), { archiveName: "a" });
  const names = [...readZipDirectory(bytes, "x").values()].map((e) => e.name);
  assert.deepEqual(names, [
    "a/data.pkl",
    "a/byteorder",
    ...[0, 1, 2, 3, 4, 5].map((k) => `a/data/${k}`),
    "a/version",
  ]);
  for (const e of readZipDirectory(bytes, "x").values()) {
    assert.equal(e.method, 0, e.name);
    assert.equal(e.dataOffset % 64, 0, `${e.name} is 64-byte aligned`);
  }
});

/** The dict fixtures/torch-save/make_edge_cases.py saves with torch 1.13. */
function edgeCases(): [string, HostTensor][] {
  const t: [string, HostTensor][] = [
    ["f32", { dtype: "f32", shape: [2, 3], data: new Float32Array([1, -2, 3.5, 0, 1e-7, 9]) }],
    ["f64", { dtype: "f64", shape: [1], data: new Float64Array([Math.PI]) }],
    ["bf16", { dtype: "bf16", shape: [2], data: new Uint16Array([0x3f80, 0xc020]) }],
    ["f16", { dtype: "f16", shape: [1, 1, 1, 2], data: new Uint16Array([0x3c00, 0xc000]) }],
    ["i64", { dtype: "i64", shape: [2], data: new BigInt64Array([-5n, 1n << 40n]) }],
    ["i16", { dtype: "i16", shape: [], data: new Int16Array([-7]) }],
    ["i8", { dtype: "i8", shape: [70000, 0], data: new Int8Array(0) }],
    ["u8", { dtype: "u8", shape: [0, 900], data: new Uint8Array(0) }],
    ["bool", { dtype: "bool", shape: [3], data: new Uint8Array([1, 0, 1]) }],
  ];
  for (let i = 0; i < 40; i++) {
    t.push([`w.${i}`, { dtype: "i32", shape: [1, i + 1], data: new Int32Array(i + 1).fill(i) }]);
  }
  return t;
}

Deno.test("edge cases give torch's bytes too: all dtypes, 0-d, empty, big dims, >256 memo slots", async () => {
  const theirs = await Deno.readFile(EDGE);
  const ours = torchSaveBytes(edgeCases(), { archiveName: "edge_cases", byteorder: false });
  assert.deepEqual(ours, theirs);
});

Deno.test("round trip through our reader: values, dtypes, shapes, key order, storage order", async () => {
  const tensors = edgeCases();
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "step_3_all_preds.12");
    await writeTorchSave(path, tensors);
    const back = await readTorchCheckpoint(path);
    assert.deepEqual([...back.tensors.keys()], tensors.map(([k]) => k));
    for (const [k, t] of tensors) {
      const got = back.tensors.get(k)!;
      assert.equal(got.dtype, t.dtype, k);
      assert.deepEqual(got.shape, t.shape, k);
      assert.deepEqual([...got.data], [...t.data], k);
    }
    const names = [...readZipDirectory(await Deno.readFile(path), path).keys()];
    assert.ok(names.every((n) => n.startsWith("step_3_all_preds/")), names[0]);
    // Storages in torch's string order: 0, 1, 10, 11, ...
    assert.deepEqual(
      names.slice(2, 5),
      ["data/0", "data/1", "data/10"].map((n) => `step_3_all_preds/${n}`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("one tensor: SETITEM; the archive name is the base name up to the last dot", () => {
  const t: [string, HostTensor][] = [["x", {
    dtype: "f32",
    shape: [1],
    data: new Float32Array([2]),
  }]];
  const ckpt = parseTorchCheckpoint(torchSaveBytes(t, { archiveName: "m" }), "m.pt");
  assert.deepEqual([...ckpt.tensors.get("x")!.data], [2]);
  assert.equal(torchArchiveName("/a/b/step_9_all_preds.3"), "step_9_all_preds");
  assert.equal(torchArchiveName("model.pt"), "model");
  assert.equal(torchArchiveName("plain"), "plain");
});

Deno.test("the writer refuses a repeated key and a shape that disagrees with the data", () => {
  const t: HostTensor = { dtype: "f32", shape: [2], data: new Float32Array(2) };
  assert.throws(
    () => torchSaveBytes([["a", t], ["a", t]], { archiveName: "x" }),
    /'a' appears twice/,
  );
  assert.throws(
    () => torchSaveBytes([["a", { ...t, shape: [3] }]], { archiveName: "x" }),
    /'a' has 2 values for shape \[3\]/,
  );
});
