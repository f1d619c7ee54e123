import assert from "node:assert/strict";
import { writeIllConditioned } from "../conformance/ill_conditioned.ts";

const root = new URL("..", import.meta.url).pathname;

async function conform(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}cli/conform.ts`, ...args],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const td = new TextDecoder();
  return { code: out.code, stdout: td.decode(out.stdout), stderr: td.decode(out.stderr) };
}

Deno.test({
  name: "conform CLI: PASS line, backend line, exit 0",
  sanitizeResources: false,
  fn: async () => {
    const r = await conform(
      "fixtures/hrm-reference/tiny-learned-noemb",
      "--backend",
      "wasm",
      "--eval-only",
    );
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines[0], "backend: wasm");
    assert.match(lines.at(-1)!, /^conform tiny-learned-noemb: max_err=\S+ PASS$/);
    assert.ok(lines.some((l) => /eval step3\.z_L\s+n=\s+1 max_err=\s*\S+ ok rule: scale$/.test(l)));
    assert.ok(
      lines.some((l) => /eval step3\.halted\s+n=\s+1 max_err=\s*0 ok rule: exact$/.test(l)),
    );
  },
});

Deno.test({
  name: "conform CLI: a TRM case (its config names the model) passes, with the EMA shadow compared",
  sanitizeResources: false,
  fn: async () => {
    const r = await conform("fixtures/trm-reference/trm-mlp", "--backend", "wasm");
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.match(lines.at(-1)!, /^conform trm-mlp: max_err=\S+ PASS$/);
    assert.ok(
      lines.some((l) => /^\s*train step2\.ema\s+n=\s*12 max_err=\s*\S+ ok/.test(l)),
      "EMA rows compared",
    );
  },
});

Deno.test({
  name: "conform CLI: rows decided by the noise floor say rule: floor (--verbose shows the bound)",
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "hrm-conform-cli-" });
    try {
      await writeIllConditioned(`${root}fixtures/hrm-reference/tiny-rope`, dir);
      const r = await conform(dir, "--backend", "cpu");
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.includes("4 * floor"));
      assert.match(r.stdout, /eval step4\.z_H\s+n=\s+1 max_err=\s*\S+ ok rule: floor\n/);
      assert.match(r.stdout, /eval step3\.z_H\s+n=\s+1 max_err=\s*\S+ ok rule: scale\n/);
      const v = await conform(dir, "--backend", "cpu", "--verbose");
      assert.match(
        v.stdout,
        /step4\.logits\s+2\.\d+e-3 ok rule: floor bound=\S+ floor=\S+/,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "conform CLI: a missing case folder is one error line, exit 1",
  sanitizeResources: false,
  fn: async () => {
    const r = await conform("fixtures/no-such-case", "--backend", "cpu");
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim().split("\n").at(-1),
      "error: fixtures/no-such-case/config.json: file not found",
    );
  },
});
