import assert from "node:assert/strict";
import type { HostTensor } from "../io/dtypes.ts";
import {
  type CheckpointMeta,
  findLatestCheckpoint,
  readCheckpoint,
  readCheckpointMeta,
  resolveResume,
  writeCheckpoint,
} from "./checkpoint.ts";
import { MetricsLog, readMetrics, withoutTimings } from "./metrics_log.ts";
import { writeSafetensors } from "../io/safetensors.ts";

function meta(step: number, iteration: number): CheckpointMeta {
  return {
    format: "hrm-ts-checkpoint",
    version: 1,
    kind: "periodic",
    config: { data_path: "d" },
    model_config: { seq_len: 4 },
    step,
    total_steps: 100,
    epoch: 1.5,
    position: { iteration, set: 0, batch: 3 },
    state: { rng: [1, 2, 3, 4] },
    metrics_lines: step,
    backend: "cpu",
  };
}

Deno.test("checkpoint: round trip, header-only read, newest wins, no temp files left", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/checkpoints`);
    const tensors = new Map<string, HostTensor>([
      ["model.inner.H_init", { dtype: "f32", shape: [3], data: new Float32Array([1, 2, 3]) }],
      ["carry.halted", { dtype: "u8", shape: [2], data: new Uint8Array([1, 0]) }],
    ]);
    await writeCheckpoint(`${dir}/checkpoints/latest.safetensors`, tensors, meta(7, 0));
    await writeCheckpoint(`${dir}/checkpoints/step_7.safetensors`, tensors, meta(7, 1));
    await writeCheckpoint(`${dir}/checkpoints/step_5.safetensors`, tensors, meta(5, 1));
    const back = await readCheckpoint(`${dir}/checkpoints/latest.safetensors`);
    assert.deepEqual(back.meta, meta(7, 0));
    assert.deepEqual(back.tensors.get("model.inner.H_init")!.data, new Float32Array([1, 2, 3]));
    assert.deepEqual(await readCheckpointMeta(`${dir}/checkpoints/step_5.safetensors`), meta(5, 1));
    // Equal steps: the one after evaluation (position moved to the next iteration) is newer.
    const latest = await findLatestCheckpoint(dir);
    assert.equal(latest!.path, `${dir}/checkpoints/step_7.safetensors`);
    assert.equal((await resolveResume(true, dir)).meta.step, 7);
    const names = [...Deno.readDirSync(`${dir}/checkpoints`)].map((e) => e.name).sort();
    assert.deepEqual(names, ["latest.safetensors", "step_5.safetensors", "step_7.safetensors"]);
    // Weights-only files are not resumable, with a pointer to eval.
    await writeSafetensors(`${dir}/weights.safetensors`, tensors);
    assert.equal(await readCheckpointMeta(`${dir}/weights.safetensors`), undefined);
    await assert.rejects(
      () => resolveResume(`${dir}/weights.safetensors`, dir),
      /weights only .* deno task eval/,
    );
    await assert.rejects(() => resolveResume(true, `${dir}/nothing`), /not found/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("metrics log: resume cuts back to the checkpoint's line count", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/metrics.jsonl`;
    const log = await MetricsLog.open(path);
    for (let s = 1; s <= 5; s++) log.write({ kind: "train", step: s, steps_per_s: 100 + s });
    assert.equal(log.lineCount, 5);
    log.close();
    const again = await MetricsLog.open(path, 3);
    again.write({ kind: "train", step: 4, steps_per_s: 1 });
    again.close();
    const records = await readMetrics(path);
    assert.deepEqual(records.map((r) => r.step), [1, 2, 3, 4]);
    assert.deepEqual(withoutTimings(records[3]), { kind: "train", step: 4 });
    await assert.rejects(
      () => MetricsLog.open(path, 9),
      /has 4 lines but the checkpoint recorded 9/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
