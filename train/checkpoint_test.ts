import assert from "node:assert/strict";
import type { HostTensor } from "../io/dtypes.ts";
import {
  type CheckpointMeta,
  findLatestCheckpoint,
  listCheckpoints,
  loadResumeCheckpoint,
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

Deno.test("checkpoint integrity: flipped bit, truncation, empty file, bad metadata", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ck = `${dir}/checkpoints`;
    await Deno.mkdir(ck);
    const tensors = new Map<string, HostTensor>([
      ["model.inner.H_init", { dtype: "f32", shape: [3], data: new Float32Array([1, 2, 3]) }],
      ["carry.halted", { dtype: "u8", shape: [2], data: new Uint8Array([1, 0]) }],
    ]);
    await writeCheckpoint(`${ck}/step_2.safetensors`, tensors, meta(2, 1));
    await writeCheckpoint(`${ck}/latest.safetensors`, tensors, meta(3, 1));
    assert.equal((await readCheckpoint(`${ck}/latest.safetensors`)).checksum, "verified");
    const good = await Deno.readFile(`${ck}/latest.safetensors`);
    const oneLine = (pattern: RegExp) => (e: Error) => {
      assert.match(e.message, pattern);
      assert.ok(!e.message.includes("\n"), e.message);
      return true;
    };
    // A flipped bit in the tensor data (the last bytes of the file).
    const flipped = good.slice();
    flipped[flipped.length - 6] ^= 0x04;
    await Deno.writeFile(`${ck}/latest.safetensors`, flipped);
    await assert.rejects(
      () => readCheckpoint(`${ck}/latest.safetensors`),
      oneLine(/latest\.safetensors: damaged checkpoint: the tensors or metadata do not match/),
    );
    // The header still reads, so it ranks newest; a resume falls back saying so.
    const notes: string[] = [];
    const back = await loadResumeCheckpoint(true, dir, (l) => notes.push(l));
    assert.equal(back.path, `${ck}/step_2.safetensors`);
    assert.equal(back.checkpoint.meta.step, 2);
    assert.match(notes[0], /latest\.safetensors: damaged checkpoint.*; falling back/);
    assert.match(notes[1], /using .*step_2\.safetensors \(step 2\), the newest intact/);
    // A named file is never swapped for another.
    await assert.rejects(
      () => loadResumeCheckpoint(`${ck}/latest.safetensors`, dir, () => {}),
      /damaged checkpoint/,
    );
    // A flipped bit in the metadata text: caught by the header-only read too.
    const text = new TextDecoder().decode(good);
    const key = 'metrics_lines\\":'; // escaped quotes: the metadata is a JSON string in JSON
    const at = text.indexOf(key + "3");
    assert.ok(at > 0);
    const metaFlip = good.slice();
    metaFlip[at + key.length] ^= 0x01; // '3' -> '2'
    await Deno.writeFile(`${ck}/latest.safetensors`, metaFlip);
    await assert.rejects(
      () => readCheckpointMeta(`${ck}/latest.safetensors`),
      oneLine(/latest\.safetensors: damaged checkpoint: the metadata does not match its checksum/),
    );
    // Truncated, and zero bytes.
    await Deno.writeFile(`${ck}/latest.safetensors`, good.subarray(0, good.length - 10));
    await assert.rejects(
      () => readCheckpoint(`${ck}/latest.safetensors`),
      oneLine(/latest\.safetensors: not a valid safetensors file/),
    );
    await Deno.writeFile(`${ck}/latest.safetensors`, new Uint8Array(0));
    await assert.rejects(
      () => readCheckpoint(`${ck}/latest.safetensors`),
      oneLine(/latest\.safetensors: empty file \(0 bytes\), expected a checkpoint/),
    );
    const listing = await listCheckpoints(dir);
    assert.deepEqual(listing.valid.map((v) => v.meta.step), [2]);
    assert.match(listing.damaged[0].error, /latest\.safetensors: empty file/);
    notes.length = 0;
    assert.equal(
      (await loadResumeCheckpoint(true, dir, (l) => notes.push(l))).checkpoint.meta.step,
      2,
    );
    assert.match(notes[0], /skipping a damaged checkpoint: .*latest\.safetensors: empty file/);
    // Nothing intact: one line with every reason.
    await Deno.writeFile(`${ck}/step_2.safetensors`, flipped);
    await assert.rejects(
      () => loadResumeCheckpoint(true, dir, () => {}),
      oneLine(
        /no intact training checkpoint in .* \(damaged: .*empty file.*; .*step_2.*do not match/,
      ),
    );
    // Metadata that parses but misses fields: a schema error naming the file and field.
    const bad = { ...meta(4, 1) } as Record<string, unknown>;
    delete bad.position;
    await writeSafetensors(`${dir}/bad.safetensors`, tensors, {
      hrm_checkpoint: JSON.stringify(bad),
    });
    await assert.rejects(
      () => readCheckpoint(`${dir}/bad.safetensors`),
      oneLine(/bad\.safetensors: checkpoint metadata: field 'position': /),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("checkpoint without checksum (written before checksums) loads with a note", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const tensors = new Map<string, HostTensor>([
      ["model.inner.H_init", { dtype: "f32", shape: [1], data: new Float32Array([1]) }],
    ]);
    await writeSafetensors(`${dir}/step_1.safetensors`, tensors, {
      hrm_checkpoint: JSON.stringify(meta(1, 0)),
      format: "pt",
    });
    const ck = await readCheckpoint(`${dir}/step_1.safetensors`);
    assert.equal(ck.checksum, "unchecked");
    assert.deepEqual(ck.meta, meta(1, 0));
    const notes: string[] = [];
    await loadResumeCheckpoint(true, dir, (l) => notes.push(l));
    assert.deepEqual(notes, [
      `resume: ${dir}/step_1.safetensors has no checksum (written before checksums); ` +
      `loaded unverified`,
    ]);
    // Plain weights carry no checksum and need none.
    await writeSafetensors(`${dir}/w.safetensors`, tensors);
    assert.equal((await readCheckpoint(`${dir}/w.safetensors`)).checksum, "none");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("metrics log: the resume cut-back is atomic and leaves no temp files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const log = await MetricsLog.open(`${dir}/metrics.jsonl`);
    for (let s = 1; s <= 4; s++) log.write({ kind: "train", step: s });
    await log.sync();
    log.close();
    (await MetricsLog.open(`${dir}/metrics.jsonl`, 2)).close();
    assert.deepEqual((await readMetrics(`${dir}/metrics.jsonl`)).map((r) => r.step), [1, 2]);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["metrics.jsonl"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
