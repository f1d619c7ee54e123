/**
 * Chunked evaluation gives the unchunked results: the same summed metrics and
 * the same per-example outputs, with pad rows inside the chunks; and the chunk
 * size follows from an (artificial) per-tensor limit.
 */
import assert from "node:assert/strict";
import { SMALL_DATASET, TINY_ARCH, writeSyntheticDataset } from "../tasks/synthetic.ts";
import { openSplit, openSplitMetadata } from "./data.ts";
import { useBackend } from "../backends/mod.ts";
import { testBackends } from "../backends/testing.ts";
import { batchOf, parseModelConfig } from "../model/mod.ts";
import { configFromArgs } from "./config.ts";
import { createTrainModel } from "./create_model.ts";
import { evaluateSplit } from "./evaluate.ts";
import { chunkBatch, evalChunking } from "./eval_chunks.ts";
import { largestTensor } from "./resources.ts";

const backend = testBackends().includes("wasm") ? "wasm" : "cpu";

Deno.test("eval chunks: a batch splits into row ranges with pad rows last", () => {
  const b = batchOf({
    inputs: Int32Array.from({ length: 14 }, (_, i) => i),
    labels: new Int32Array(14),
    puzzleIdentifiers: Int32Array.from([1, 2, 3, 4, 5, 6, 7]),
  }, { effective: 5, setName: "s" });
  const parts = chunkBatch(b, 3);
  assert.deepEqual(parts.map((p) => [p.batchSize, p.effective]), [[3, 3], [3, 2], [1, 0]]);
  assert.deepEqual(Array.from(parts[1].inputs), [6, 7, 8, 9, 10, 11]);
  assert.equal(parts[2].setName, "s");
  assert.deepEqual(chunkBatch(b, 7), [b]);
  assert.throws(() => chunkBatch(b, 0), /positive integer/);
});

Deno.test({
  name: `eval chunks: chunked evaluation equals unchunked (artificial limit) [${backend}]`,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      // 7 test rows at batch 4: the second batch has one pad row.
      await writeSyntheticDataset(`${dir}/data`, { ...SMALL_DATASET, testExamples: 7 });
      await useBackend(backend);
      const config = configFromArgs([
        `data_path=${dir}/data`,
        `backend=${backend}`,
        "global_batch_size=4",
        "workers=1",
        ...TINY_ARCH,
        "arch.halt_max_steps=2",
      ]);
      const meta = await openSplitMetadata(`${dir}/data`, "train");
      const test = await openSplit(`${dir}/data`, "test");
      const model = await createTrainModel(config, meta, "eval");
      try {
        // A limit just under the whole batch's largest tensor (as 2 GiB is for 768 rows of a
        // sequence-900 task): three of the four rows fit.
        const cfg = parseModelConfig(model.modelConfig);
        const chunking = evalChunking(model.modelConfig, 1, largestTensor(cfg, 4).bytes - 1);
        assert.ok(chunking);
        assert.equal(chunking.rows, 3);
        assert.match(chunking.line, /batches of 4 run as calls of at most 3 rows/);
        assert.equal(evalChunking(model.modelConfig, 1, 2 ** 31), undefined);
        assert.equal(evalChunking(model.modelConfig, 1, undefined), undefined);
        assert.throws(() => evalChunking(model.modelConfig, 1, 8), /one row needs a tensor/);

        const save = ["inputs", "labels", "puzzle_identifiers", "preds", "logits", "q_halt_logits"];
        const whole = await evaluateSplit(model, test, 4, { saveOutputs: save });
        for (const rows of [chunking.rows, 2, 1]) {
          const done: number[] = [];
          const part = await evaluateSplit(model, test, 4, {
            saveOutputs: save,
            maxRows: rows,
            onBatch: (d) => done.push(d),
          });
          assert.deepEqual(done, [1, 2], "progress counts whole batches");
          assert.equal(part.sets.all.count, 7);
          for (const [k, v] of Object.entries(whole.sets.all)) {
            const w = (part.sets.all as unknown as Record<string, number>)[k];
            // Sums over the same rows in the same order: equal up to float32 summation.
            assert.ok(Math.abs(w - v) <= 1e-6 * Math.max(1, Math.abs(v)), `${k}: ${w} vs ${v}`);
          }
          for (const [k, t] of whole.outputs.get("all")!) {
            const c = part.outputs.get("all")!.get(k)!;
            assert.deepEqual(c.shape, t.shape, k);
            if (k === "logits" || k === "q_halt_logits") {
              const a = t.data as Float32Array;
              const b = c.data as Float32Array;
              for (let i = 0; i < a.length; i++) {
                assert.ok(
                  Math.abs(a[i] - b[i]) <= 1e-5 * Math.max(1, Math.abs(a[i])),
                  `${k}[${i}]`,
                );
              }
            } else assert.deepEqual(c.data, t.data, k);
          }
        }
      } finally {
        await model.dispose();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
