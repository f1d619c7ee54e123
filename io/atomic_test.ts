import assert from "node:assert/strict";
import {
  removeStaleTemps,
  TEMP_FILE_PATTERN,
  writeFileAtomic,
  writeFileAtomicSync,
  writeJsonAtomic,
} from "./atomic.ts";
import { processAlive } from "./run_lock.ts";

async function deadPid(): Promise<number> {
  const child = new Deno.Command(Deno.execPath(), { args: ["eval", "0"], stdout: "null" }).spawn();
  await child.status;
  assert.ok(!processAlive(child.pid));
  return child.pid;
}

const names = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("atomic writes: durable and plain, nothing left but the target", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeFileAtomic(`${dir}/a.bin`, new Uint8Array([1, 2, 3]), { durable: true });
    await writeJsonAtomic(`${dir}/b.json`, { x: 1 }, { durable: true });
    writeFileAtomicSync(`${dir}/c.txt`, "hello", { durable: true });
    await writeFileAtomic(`${dir}/c.txt`, "again");
    assert.deepEqual(await Deno.readFile(`${dir}/a.bin`), new Uint8Array([1, 2, 3]));
    assert.equal(await Deno.readTextFile(`${dir}/b.json`), '{\n  "x": 1\n}\n');
    assert.equal(await Deno.readTextFile(`${dir}/c.txt`), "again");
    assert.deepEqual(names(dir), ["a.bin", "b.json", "c.txt"]);
    // A failed write (missing folder) leaves no temp file and throws.
    await assert.rejects(() => writeFileAtomic(`${dir}/no/such.bin`, "x"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("removeStaleTemps: only our temp names of dead pids, recursively on request", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const dead = await deadPid();
    const ours = `latest.safetensors.${dead}.0a1b2c3d.tmp`;
    assert.ok(TEMP_FILE_PATTERN.test(ours));
    await Deno.mkdir(`${dir}/sub`);
    const keep = [
      `x.${Deno.pid}.0a1b2c3d.tmp`, // a live writer (this process)
      `notes.tmp`, // not our naming
      `x.${dead}.NOTHEX00.tmp`,
      `x.${dead}.0a1b2c3d.tmp.bak`,
      "metrics.jsonl",
    ];
    for (const n of [ours, ...keep]) await Deno.writeTextFile(`${dir}/${n}`, "partial");
    await Deno.writeTextFile(`${dir}/sub/${ours}`, "partial");
    await Deno.mkdir(`${dir}/y.${dead}.0a1b2c3d.tmp`); // a folder with our naming: untouched
    assert.deepEqual(await removeStaleTemps(dir), [`${dir}/${ours}`]);
    assert.deepEqual(names(dir), [...keep, "sub", `y.${dead}.0a1b2c3d.tmp`].sort());
    assert.deepEqual(await removeStaleTemps(dir, { recursive: true }), [`${dir}/sub/${ours}`]);
    assert.deepEqual(names(`${dir}/sub`), []);
    assert.deepEqual(await removeStaleTemps(`${dir}/missing`), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("HRM_FAULT_ATOMIC pauses a matching write mid-file (the fault tests' hook)", async () => {
  const dir = await Deno.makeTempDir();
  Deno.env.set("HRM_FAULT_ATOMIC", "slow.bin:150");
  try {
    const pending = writeFileAtomic(`${dir}/slow.bin`, new Uint8Array(64).fill(7));
    await new Promise((r) => setTimeout(r, 50));
    const mid = names(dir);
    assert.equal(mid.length, 1);
    assert.match(mid[0], TEMP_FILE_PATTERN);
    assert.equal((await Deno.stat(`${dir}/${mid[0]}`)).size, 32, "half written");
    await pending;
    assert.deepEqual(names(dir), ["slow.bin"]);
  } finally {
    Deno.env.delete("HRM_FAULT_ATOMIC");
    await Deno.remove(dir, { recursive: true });
  }
});
