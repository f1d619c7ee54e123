import assert from "node:assert/strict";
import { pathExists, readInputFile, readInputText } from "./read.ts";

Deno.test("readInputFile/readInputText: contents, and a one-line error naming a missing file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.txt`, "hi");
    assert.deepEqual(await readInputFile(`${dir}/a.txt`), new TextEncoder().encode("hi"));
    assert.equal(await readInputText(`${dir}/a.txt`), "hi");
    await assert.rejects(() => readInputFile(`${dir}/no.npy`), {
      message: `${dir}/no.npy: file not found`,
    });
    await assert.rejects(() => readInputText(`${dir}/no.csv`), {
      message: `${dir}/no.csv: file not found`,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pathExists: files and folders yes, missing no", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a`, "");
    assert.equal(await pathExists(`${dir}/a`), true);
    assert.equal(await pathExists(dir), true);
    assert.equal(await pathExists(`${dir}/b`), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
