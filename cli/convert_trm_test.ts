import assert from "node:assert/strict";
import { convertCheckpoint } from "./convert.ts";
import { readSafetensors } from "../io/safetensors.ts";
import { typedArrayBytes } from "../io/dtypes.ts";
import { buildPt, type PtTensor, stateDictPickle } from "../io/torch_testing.ts";
import { loadCase, runCase } from "../conformance/mod.ts";
import { useBackend } from "../backends/mod.ts";

const CASE = new URL("../fixtures/trm-reference/trm-mlp/", import.meta.url).pathname;

Deno.test({
  name: "convert reads an official TRM checkpoint (torch.compile keys) that conforms as loaded",
  sanitizeResources: false,
  fn: async () => {
    await useBackend("cpu");
    const dir = await Deno.makeTempDir();
    try {
      // The state dict pretrain.py saves for TRM: the compiled loss head's keys
      // (`_orig_mod.model.inner.L_level.layers.0.mlp_t...`), from the golden case's weights.
      const params = (await readSafetensors(`${CASE}params.safetensors`)).tensors;
      const entries: PtTensor[] = [];
      const storages: Record<string, Uint8Array> = {};
      [...params].forEach(([key, t], i) => {
        const strides = t.shape.map((_, d) => t.shape.slice(d + 1).reduce((a, b) => a * b, 1));
        entries.push({
          key: `_orig_mod.${key}`,
          storageType: "FloatStorage",
          storage: String(i),
          storageNumel: t.data.length,
          offset: 0,
          shape: t.shape,
          stride: strides,
        });
        storages[String(i)] = typedArrayBytes(t.data);
      });
      await Deno.writeFile(`${dir}/step_10`, buildPt(stateDictPickle(entries), storages));
      const s = await convertCheckpoint(`${dir}/step_10`, `${dir}/w.safetensors`);
      assert.equal(s.strippedPrefix, params.size);
      const got = (await readSafetensors(`${dir}/w.safetensors`)).tensors;
      assert.deepEqual([...got.keys()], [...params.keys()].sort());
      assert.ok(got.has("model.inner.L_level.layers.1.mlp_t.gate_up_proj.weight"));
      // The converted weights run the golden case exactly as its own params do.
      const c = await loadCase(CASE);
      c.params = got;
      const report = await runCase(c, { train: false });
      assert.ok(report.pass, report.comparisons.filter((x) => !x.pass).map((x) => x.key).join());
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
