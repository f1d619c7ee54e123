import assert from "node:assert/strict";
import { getTask } from "../tasks/registry.ts";

const SCRIPT = new URL("../cli/data_maze.ts", import.meta.url).pathname;

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("maze task is registered", () => {
  assert.equal(getTask("maze").name, "maze");
});

Deno.test("data_maze CLI: build, verify, render; errors are one line with exit 1", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const dir = `${tmp}/m`;
    const args = ["--size", "12", "--min-path", "24", "--train", "3", "--test", "2", "--seed", "1"];
    const b = await run("build", "--out", dir, ...args);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stdout, /train: 3 mazes, 3 examples/);
    assert.match(b.stdout, /path length \(moves\), test: n=2 min=\d+/);
    const v = await run("verify", dir);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /\nOK\n$/);
    const r = await run("render", dir, "--split", "train", "--index", "2", "--out", `${tmp}/m.svg`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(await Deno.readTextFile(`${tmp}/m.svg`), /^<svg /);
    const again = await run("build", "--out", dir, ...args);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, `error: ${dir}: already exists (use --force to replace it)\n`);
    const missing = await run("verify", `${tmp}/none`);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, `error: ${tmp}/none/train/dataset.json: file not found\n`);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
