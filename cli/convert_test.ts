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

/** Every file under `dir` (recursively, symlinks not followed) with its size and mtime. */
async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = `${d}/${e.name}`;
      const s = await Deno.lstat(p);
      out.push(`${p} ${s.size} ${s.mtime?.getTime()}`);
      if (e.isDirectory) await walk(p);
    }
  };
  await walk(dir);
  return out.sort();
}

Deno.test("the output may not be the input under any spelling; nothing is written", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    await Deno.mkdir(`${dir}/sub`);
    const input = `${dir}/sub/x.pt`;
    await Deno.copyFile(`${CASE}checkpoint.pt`, input);
    const bytes = await Deno.readFile(input);
    await Deno.symlink(`${dir}/sub`, `${dir}/folder-link`);
    await Deno.symlink(input, `${dir}/file-link.pt`);
    await Deno.link(input, `${dir}/hard.pt`);
    // The temporary folder spelt relative to the working directory, through `..`.
    const up = "../".repeat(Deno.cwd().split("/").filter(Boolean).length);
    const relative = `${up}${input.slice(1)}`;
    const before = await snapshot(dir);
    const spellings = [
      input,
      `${dir}/sub/./x.pt`,
      `${dir}/sub/../sub/x.pt`,
      `${dir}//sub/x.pt`,
      relative,
      `./${relative}`,
      `${dir}/folder-link/x.pt`,
      `${dir}/file-link.pt`,
      `${dir}/hard.pt`,
    ];
    for (const output of spellings) {
      await assert.rejects(convertCheckpoint(input, output), {
        message: `${output}: refusing to write over the input checkpoint ${input} ` +
          `(the same file); expected a different output path`,
      });
      // The other way round: the input spelt differently, the output plain.
      await assert.rejects(convertCheckpoint(output, input), /refusing to write over the input/);
    }
    assert.deepEqual(await snapshot(dir), before, "nothing written, nothing touched");
    assert.deepEqual(await Deno.readFile(input), bytes);
    // From the command line: one error line, exit status 1.
    const cli = new URL("./convert.ts", import.meta.url).pathname;
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", cli, "x.pt", "./x.pt"],
      cwd: `${dir}/sub`,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(run.code, 1);
    assert.equal(
      new TextDecoder().decode(run.stderr),
      "error: ./x.pt: refusing to write over the input checkpoint x.pt (the same file); " +
        "expected a different output path\n",
    );
    assert.deepEqual(await snapshot(dir), before);
    // A different name in the same folder is fine.
    await convertCheckpoint(`${dir}/folder-link/x.pt`, `${dir}/sub/y.safetensors`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
