import assert from "node:assert/strict";
import { getTask } from "../tasks/registry.ts";

const root = new URL("..", import.meta.url).pathname;

async function cli(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/data_sudoku.ts", ...args],
    cwd: root,
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, lines: text.trim().split("\n") };
}

Deno.test("sudoku task is registered with its extra commands", () => {
  const task = getTask("sudoku");
  assert.ok(task.commands?.["sudoku-rate"]);
  assert.ok(task.commands?.["sudoku-render"]);
  assert.ok(task.isCompact && task.openCompact);
});

Deno.test("data_sudoku CLI: rate ends with the summary line; errors are one line, exit 1", async () => {
  const rate = await cli("rate", "fixtures/sudoku/tdoku_guesses_400.csv");
  assert.equal(rate.code, 0);
  assert.match(
    rate.lines.at(-1)!,
    /^sudoku-rate n=400 spearman=1\.0000 mean_ours=29\.530 mean_tdoku=29\.530$/,
  );
  const bad = await cli("build", "--out", "/tmp/never", "--train", "x");
  assert.equal(bad.code, 1);
  assert.deepEqual(bad.lines.length, 1);
  assert.match(bad.lines[0], /^error: option '--train <n>' argument 'x' is invalid/);
  const missing = await cli("verify", "/nonexistent-sudoku-folder");
  assert.equal(missing.code, 1);
  assert.match(missing.lines.at(-1)!, /^error: .*not found/);
});

Deno.test("data_sudoku CLI: --out . or the repository is refused, even with --force", async () => {
  for (const out of [".", root]) {
    const r = await cli("build", "--out", out, "--force", "--train", "100000");
    assert.equal(r.code, 1);
    assert.equal(r.lines.length, 1);
    assert.match(r.lines[0], /^error: .*: is the current folder; refusing to replace it$/);
  }
  assert.ok((await Deno.stat(`${root}.git`)).isDirectory);
  assert.ok((await Deno.stat(`${root}tasks/sudoku/build.ts`)).isFile);
});
