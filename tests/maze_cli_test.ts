import assert from "node:assert/strict";
import { getTask } from "../tasks/registry.ts";

const SCRIPT = new URL("../cli/data_maze.ts", import.meta.url).pathname;

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return await runIn(undefined, SCRIPT, ...args);
}

/** Runs a command-line script in `cwd` (undefined: this process's folder). */
async function runIn(
  cwd: string | undefined,
  script: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    cwd,
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
    assert.equal(
      again.stderr,
      `error: ${dir}: already exists and is not empty ` +
        `(use --force to replace this finished maze build)\n`,
    );
    const missing = await run("verify", `${tmp}/none`);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, `error: ${tmp}/none/train/dataset.json: file not found\n`);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("data_maze CLI: --out . and its parents are refused; a killed build fails verify", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${tmp}/work/sub`, { recursive: true });
    await Deno.writeTextFile(`${tmp}/work/keep.txt`, "keep me");
    const args = ["--size", "12", "--min-path", "24", "--train", "3", "--test", "2", "--force"];
    const dot = await runIn(`${tmp}/work`, SCRIPT, "build", "--out", ".", ...args);
    assert.equal(dot.code, 1);
    assert.equal(dot.stderr, "error: .: is the current folder; refusing to replace it\n");
    const up = await runIn(`${tmp}/work/sub`, SCRIPT, "build", "--out", "..", ...args);
    assert.equal(up.code, 1);
    assert.equal(
      up.stderr,
      "error: ..: is a parent of the current folder; refusing to replace it\n",
    );
    assert.deepEqual([...Deno.readDirSync(`${tmp}/work`)].map((e) => e.name).sort(), [
      "keep.txt",
      "sub",
    ]);
    // A build killed midway (its unfinished marker): both verify entries refuse it.
    const k = `${tmp}/k`;
    await Deno.mkdir(`${k}/train`, { recursive: true });
    await Deno.writeTextFile(`${k}/build.json`, JSON.stringify({ task: "maze", unfinished: true }));
    const want = `error: ${k}: unfinished maze build (interrupted or still running; ` +
      `rebuild it with --out ${k} --force)\n`;
    const v = await run("verify", k);
    assert.equal(v.code, 1);
    assert.equal(v.stderr, want);
    const data = await runIn(
      undefined,
      new URL("../cli/data.ts", import.meta.url).pathname,
      "verify",
      k,
    );
    assert.equal(data.code, 1);
    assert.equal(data.stderr, want);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
