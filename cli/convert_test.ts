import assert from "node:assert/strict";
import { convertCheckpoint, formatSummary } from "./convert.ts";
import { readSafetensors } from "../io/safetensors.ts";
import { roundToBfloat16, toFloat32, typedArrayBytes } from "../io/dtypes.ts";
import { buildPt, PickleWriter } from "../io/torch_testing.ts";

const CASE = new URL("../fixtures/hrm-reference/tiny-rope/", import.meta.url).pathname;
const INIT_KEYS = ["model.inner.H_init", "model.inner.L_init"];

Deno.test("convert writes the reference weights under reference key names, as float32", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = `${dir}/w.safetensors`;
    const s = await convertCheckpoint(`${CASE}checkpoint.pt`, out);
    const got = await readSafetensors(out);
    const ref = (await readSafetensors(`${CASE}params.safetensors`)).tensors;
    assert.deepEqual([...got.tensors.keys()], [...ref.keys()].sort());
    for (const [key, want] of ref) {
      const t = got.tensors.get(key)!;
      assert.equal(t.dtype, "f32", key);
      assert.deepEqual(t.shape, want.shape, key);
      const expected = INIT_KEYS.includes(key) ? roundToBfloat16(toFloat32(want)) : want.data;
      assert.deepEqual(typedArrayBytes(t.data), typedArrayBytes(expected), key);
    }
    assert.deepEqual(JSON.parse(got.metadata.widened_from), {
      "model.inner.H_init": "bf16",
      "model.inner.L_init": "bf16",
    });
    assert.equal(s.tensors, ref.size);
    assert.deepEqual(s.sourceDtypes, { bf16: 2, f32: ref.size - 2 });
    assert.match(
      formatSummary("a.pt", "b.safetensors", s),
      /^converted a.pt -> b.safetensors: 23 tensors, 263,618 parameters; dtypes found bf16 x2, f32 x21; written f32 x23; stripped '_orig_mod.' from 23 keys$/,
    );
    // --keep-dtypes leaves the bf16 buffers as they are.
    await convertCheckpoint(`${CASE}checkpoint.pt`, out, { keepDtypes: true });
    const kept = await readSafetensors(out);
    for (const key of INIT_KEYS) assert.equal(kept.tensors.get(key)!.dtype, "bf16");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a refused checkpoint leaves no output file behind", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const evil = new PickleWriter().proto(2).global("os", "system").raw(0x28).str("true")
      .raw(0x74, 0x52, 0x2e).bytes();
    await Deno.writeFile(`${dir}/evil.pt`, buildPt(evil, {}));
    await assert.rejects(
      convertCheckpoint(`${dir}/evil.pt`, `${dir}/out.safetensors`),
      /evil.pt: refusing to load: pickle references global 'os.system'/,
    );
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assert.deepEqual(names, ["evil.pt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
