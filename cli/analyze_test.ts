/**
 * `deno task analyze` refusing bad input as a user sees it: one `error:` line
 * naming the option, exit status 1, before any work; and the `--cycles` parser.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseCycles } from "./analyze.ts";

const ROOT = new URL("..", import.meta.url).pathname;

async function analyze(cwd: string, args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", join(ROOT, "deno.json"), join(ROOT, "cli/analyze.ts"), ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr).trim() };
}

Deno.test("analyze: --cycles H,L", () => {
  assert.deepEqual(parseCycles("7,7"), { H: 7, L: 7 });
  assert.deepEqual(parseCycles(" 3,12 "), { H: 3, L: 12 });
  for (const bad of ["7", "0,3", "a,b", "7,7,7", "-1,2"]) {
    assert.throws(() => parseCycles(bad), /--cycles .*expected two positive integers/, bad);
  }
});

Deno.test({
  name: "analyze: bad input is one error line before any work",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "hrm-analyze-cli-" });
    try {
      const cases: [string[], RegExp][] = [
        [["run1", "--cycles", "7"], /--cycles '7': expected two positive integers/],
        [["run1", "--samples", "0"], /--samples '0': expected a positive integer/],
        [["--checkpoint", "x.safetensors"], /--checkpoint needs --data DIR and one --task/],
        [["run1", "--task", "chess"], /--task chess: expected one of/],
        [["../elsewhere"], /not inside the runs' folder/],
        [[], /give a run name/],
      ];
      for (const [args, want] of cases) {
        const r = await analyze(dir, args);
        assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
        const lines = r.stderr.split("\n");
        assert.equal(lines.length, 1, r.stderr);
        assert.match(lines[0], /^error: /);
        assert.match(lines[0], want);
      }
      assert.deepEqual([...Deno.readDirSync(dir)], [], "nothing written");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
