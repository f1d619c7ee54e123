import assert from "node:assert/strict";
import { useBackend } from "../backends/select.ts";
import { encodeSafetensors, parseSafetensors, readSafetensors } from "../io/safetensors.ts";
import { parseModelConfig } from "./config.ts";
import {
  countParams,
  disposeState,
  initModel,
  loadState,
  saveState,
  stateDict,
  stateFromDict,
} from "./state.ts";

const here = new URL(".", import.meta.url).pathname;
const ropeDir = `${here}../fixtures/hrm-reference/tiny-rope`;

async function ropeConfig() {
  const raw = JSON.parse(await Deno.readTextFile(`${ropeDir}/config.json`));
  return parseModelConfig(raw.model);
}

Deno.test("state: reference params load and save back byte-identical values", async () => {
  await useBackend("cpu");
  const c = await ropeConfig();
  const ref = (await readSafetensors(`${ropeDir}/params.safetensors`)).tensors;
  const m = stateFromDict(c, ref);
  const out = await stateDict(m);
  assert.deepEqual([...out.keys()].sort(), [...ref.keys()].sort());
  for (const [k, t] of ref) {
    assert.deepEqual(out.get(k)!.shape, t.shape, k);
    assert.deepEqual(out.get(k)!.data, t.data, k);
  }
  // Round trip through safetensors bytes.
  const again = stateFromDict(c, parseSafetensors(encodeSafetensors(out)).tensors);
  assert.deepEqual(await stateDict(again), out);
  disposeState(m);
  disposeState(again);
});

Deno.test("state: torch.compile prefixes are accepted, bad dicts rejected clearly", async () => {
  await useBackend("cpu");
  const c = await ropeConfig();
  const ref = (await readSafetensors(`${ropeDir}/params.safetensors`)).tensors;
  const prefixed = new Map([...ref].map(([k, t]) => [`_orig_mod.${k}`, t]));
  disposeState(stateFromDict(c, prefixed));
  const missing = new Map(ref);
  missing.delete("model.inner.lm_head.weight");
  assert.throws(
    () => stateFromDict(c, missing, "p.st"),
    /^Error: p.st: missing tensor 'model.inner.lm_head.weight'$/,
  );
  const extra = new Map(ref).set("model.inner.bogus", ref.get("model.inner.H_init")!);
  assert.throws(
    () => stateFromDict(c, extra, "p.st"),
    /unexpected tensor\(s\) for this config: model.inner.bogus/,
  );
  const wrong = parseModelConfig({ ...c, hidden_size: 32, num_heads: 4 });
  assert.throws(() => stateFromDict(wrong, ref, "p.st"), /has shape \[7,64\], expected \[7,32\]/);
});

Deno.test("state: init is seeded, sized by countParams, and follows the reference's init", async () => {
  await useBackend("cpu");
  const c = parseModelConfig({
    batch_size: 2,
    seq_len: 9,
    vocab_size: 11,
    num_puzzle_identifiers: 3,
    hidden_size: 64,
    num_heads: 4,
    H_layers: 1,
    L_layers: 2,
    puzzle_emb_ndim: 64,
    pos_encodings: "learned",
  });
  const a = initModel(c, 11);
  const b = initModel(c, 11);
  const other = initModel(c, 12);
  const da = await stateDict(a);
  assert.deepEqual(await stateDict(b), da);
  assert.notDeepEqual(
    (await stateDict(other)).get("model.inner.lm_head.weight"),
    da.get("model.inner.lm_head.weight"),
  );
  let n = 0;
  for (const v of a.params.values()) n += v.size;
  assert.equal(n, countParams(c));
  assert.deepEqual([...da.get("model.inner.q_head.bias")!.data], [-5, -5]);
  assert.ok((da.get("model.inner.q_head.weight")!.data as Float32Array).every((x) => x === 0));
  assert.ok((da.get("model.inner.puzzle_emb.weights")!.data as Float32Array).every((x) => x === 0));
  // qkv: LeCun std 1/sqrt(64), truncated at 2 corrected stds.
  const w = da.get("model.inner.L_level.layers.1.self_attn.qkv_proj.weight")!.data as Float32Array;
  let s2 = 0;
  for (const x of w) s2 += x * x;
  assert.ok(Math.abs(Math.sqrt(s2 / w.length) * 8 - 1) < 0.03);
  for (const m of [a, b, other]) disposeState(m);
});

Deno.test("state: saveState / loadState round trip through a file", async () => {
  await useBackend("cpu");
  const c = await ropeConfig();
  const ref = (await readSafetensors(`${ropeDir}/params.safetensors`)).tensors;
  const m = stateFromDict(c, ref);
  const dir = await Deno.makeTempDir();
  try {
    await saveState(m, `${dir}/m.safetensors`, { note: "test" });
    const back = await loadState(c, `${dir}/m.safetensors`);
    assert.deepEqual(await stateDict(back), await stateDict(m));
    disposeState(back);
    await assert.rejects(() => loadState(c, `${dir}/missing.safetensors`), /file not found/);
  } finally {
    await Deno.remove(dir, { recursive: true });
    disposeState(m);
  }
});
