import assert from "node:assert/strict";
import { join } from "node:path";
import {
  argmaxLastAxis,
  isOfficialPreds,
  officialPredsFiles,
  readAnyEvalOutputs,
  readOfficialPreds,
  writeOfficialPreds,
} from "./official_preds.ts";
import type { EvalOutputs } from "./eval_outputs.ts";
import { buildPt, PickleWriter } from "./torch_testing.ts";
import { readTorchCheckpoint } from "./torch.ts";
import { writeEvalOutputs } from "./eval_outputs.ts";

const STEP7 = new URL("../fixtures/torch-save/step_7_all_preds.0", import.meta.url).pathname;

Deno.test("a file torch wrote in the reference's layout reads as eval outputs", async () => {
  const o = await readOfficialPreds(STEP7);
  assert.equal(o.seqLen, 2);
  assert.deepEqual([...o.puzzleIdentifiers], [1, 0]);
  assert.deepEqual([...o.inputs], [2, 3, 1, 0]);
  assert.deepEqual([...o.labels!], [2, 0, 3, 4]); // -100 (ignored) -> 0
  assert.deepEqual([...o.preds], [0, 0, 0, 0]); // all-zero logits: the first index
  assert.deepEqual([...o.qHaltLogits], [0.5, -1]);
  assert.equal(o.metadata.step, "7");
});

/**
 * A rank file built opcode by opcode (protocol 2, no memo), independent of our
 * writer: f32 logits [rows, 2, 3], int64 identifiers, int32 inputs, f32 q.
 */
function handMadeRank(ids: number[], logits: number[], q: number[]): Uint8Array {
  const rows = ids.length;
  const w = new PickleWriter().proto(2).raw(0x7d, 0x28); // EMPTY_DICT, MARK
  const tensor = (key: string, cls: string, storage: string, shape: number[]) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const stride = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
    w.str(key).global("torch._utils", "_rebuild_tensor_v2").raw(0x28);
    w.raw(0x28).str("storage").global("torch", cls).str(storage).str("cpu").int(n).raw(0x74, 0x51);
    w.int(0).intTuple(shape).intTuple(stride).raw(0x89);
    w.global("collections", "OrderedDict").raw(0x29, 0x52, 0x74, 0x52);
  };
  tensor("puzzle_identifiers", "LongStorage", "0", [rows]);
  tensor("inputs", "IntStorage", "1", [rows, 2]);
  tensor("logits", "FloatStorage", "2", [rows, 2, 3]);
  tensor("q_halt_logits", "FloatStorage", "3", [rows]);
  w.raw(0x75, 0x2e); // SETITEMS, STOP
  const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer);
  return buildPt(w.bytes(), {
    "0": bytes(BigInt64Array.from(ids.map(BigInt))),
    "1": bytes(new Int32Array(rows * 2).fill(2)),
    "2": bytes(new Float32Array(logits)),
    "3": bytes(new Float32Array(q)),
  }, { prefix: "step_5_all_preds", byteorder: "little" });
}

Deno.test("hand-made rank files: argmax as torch (first maximum, NaN wins), ranks in numeric order", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // rank 0: ties go to the first index; rank 1: a NaN wins; rank 10: negative logits.
    await Deno.writeFile(
      join(dir, "step_5_all_preds.0"),
      handMadeRank([3], [1, 1, 0, 0, 2, 2], [0.5]),
    );
    await Deno.writeFile(
      join(dir, "step_5_all_preds.1"),
      handMadeRank([4], [5, NaN, 9, 0, 1, NaN], [1.5]),
    );
    await Deno.writeFile(
      join(dir, "step_5_all_preds.10"),
      handMadeRank([0, 6], [-3, -1, -2, -9, -9, -8, 0, 0, 1, 7, 0, 0], [2, -2]),
    );
    const files = await officialPredsFiles(join(dir, "step_5_all_preds.10"));
    assert.deepEqual(files.files.map((f) => f.slice(dir.length + 1)), [
      "step_5_all_preds.0",
      "step_5_all_preds.1",
      "step_5_all_preds.10",
    ]);
    for (const path of [dir, join(dir, "step_5_all_preds.1")]) {
      assert.ok(await isOfficialPreds(path));
      const o = await readAnyEvalOutputs(path);
      assert.deepEqual([...o.puzzleIdentifiers], [3, 4, 0, 6]);
      assert.deepEqual([...o.preds], [0, 1, 1, 2, 1, 2, 2, 0]);
      assert.deepEqual([...o.qHaltLogits], [0.5, 1.5, 2, -2]);
      assert.equal(o.labels, undefined);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("argmax over bf16 logits reads the bf16 values", () => {
  // bf16: 0x3f80 = 1, 0x4000 = 2, 0xbf80 = -1, 0x7fc0 = NaN
  const t = {
    dtype: "bf16" as const,
    shape: [3, 2],
    data: new Uint16Array([0x3f80, 0x4000, 0xbf80, 0xbf80, 0x3f80, 0x7fc0]),
  };
  assert.deepEqual([...argmaxLastAxis(t)], [1, 0, 1]);
});

function ours(rows: number, s: number): EvalOutputs {
  const ids = Int32Array.from({ length: rows }, (_, i) => (i % 5 === 4 ? 0 : i + 1));
  const tok = (salt: number) =>
    Uint8Array.from({ length: rows * s }, (_, i) => (i * 7 + salt) % 12);
  return {
    seqLen: s,
    puzzleIdentifiers: ids,
    inputs: tok(1),
    preds: tok(3),
    labels: Uint8Array.from({ length: rows * s }, (_, i) => (i % 3 ? (i * 5) % 12 : 0)),
    qHaltLogits: Float32Array.from({ length: rows }, (_, i) => i / 4 - 1),
    metadata: {},
  };
}

Deno.test("our outputs -> the reference's rank files -> our outputs, split over ranks", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const o = ours(23, 6);
    // ~ 6*4*2 + 6*12*2 + 12 = 204 bytes a row: 8 rows a file -> ranks 0, 1, 2.
    const paths = await writeOfficialPreds(dir, 42, o, { vocab: 12, maxFileBytes: 4096 + 8 * 204 });
    assert.deepEqual(
      paths.map((p) => p.slice(dir.length + 1)),
      [0, 1, 2].map((r) => `step_42_all_preds.${r}`),
    );
    const raw = await readTorchCheckpoint(paths[0]);
    assert.deepEqual([...raw.tensors.keys()], [
      "inputs",
      "labels",
      "puzzle_identifiers",
      "logits",
      "q_halt_logits",
    ]);
    assert.equal(raw.tensors.get("logits")!.dtype, "bf16");
    assert.deepEqual(raw.tensors.get("logits")!.shape, [8, 6, 12]);
    assert.equal(raw.tensors.get("labels")!.data[0], -100);
    const back = await readOfficialPreds(dir);
    assert.deepEqual(back.puzzleIdentifiers, o.puzzleIdentifiers);
    assert.deepEqual(back.inputs, o.inputs);
    assert.deepEqual(back.preds, o.preds);
    assert.deepEqual(back.labels, o.labels);
    assert.deepEqual(back.qHaltLogits, o.qHaltLogits);
    assert.equal(back.metadata.step, "42");
    // A second export of the same step into the same folder would mix with the first: refused.
    await assert.rejects(
      () => writeOfficialPreds(dir, 42, o, { vocab: 12 }),
      /step_42_all_preds\.\d already exists/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bad official inputs fail with one line naming the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.copyFile(STEP7, join(dir, "step_7_all_preds.0"));
    await Deno.copyFile(STEP7, join(dir, "step_8_all_preds.0"));
    await assert.rejects(() => readOfficialPreds(dir), /steps 7, 8 \(name one file\)/);
    // Naming one file picks its step.
    assert.equal((await readOfficialPreds(join(dir, "step_8_all_preds.0"))).metadata.step, "8");
    await assert.rejects(() => officialPredsFiles(join(dir, "model.pt")), /not found/);
    // Our safetensors folder is read as ours.
    const mine = join(dir, "mine");
    await Deno.mkdir(mine);
    await writeEvalOutputs(join(mine, "all.safetensors"), { ...ours(2, 3), metadata: {} });
    assert.equal(await isOfficialPreds(mine), false);
    assert.equal((await readAnyEvalOutputs(mine)).seqLen, 3);
    const noLabels = { ...ours(2, 3), labels: undefined };
    await assert.rejects(
      () => writeOfficialPreds(join(dir, "x"), 1, noLabels, { vocab: 12 }),
      /without labels/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
