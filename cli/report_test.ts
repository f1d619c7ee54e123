/**
 * The run-folder refusals of `deno task reproduce` and `deno task report` as a
 * user sees them: one `error:` line, exit status 1, nothing written (paths
 * outside `--reports`, a run folder locked by its writer).
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { acquireRunLock } from "../io/mod.ts";
import { fakeEnvironment } from "../reproduce/testing.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** Runs a CLI of this folder in `cwd`; returns its exit code and stderr. */
async function cli(cwd: string, script: string, args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", join(ROOT, "deno.json"), join(ROOT, "cli", script), ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr).trim() };
}

/** Every path below `dir`, relative. */
async function listing(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for await (const e of Deno.readDir(join(dir, rel))) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      out.push(p);
      if (e.isDirectory) await walk(p);
    }
  };
  await walk("");
  return out.sort();
}

/** A run folder with a valid run.json and no tasks. */
async function emptyRun(dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    join(dir, "run.json"),
    JSON.stringify({
      run: "r",
      profile: "smoke",
      tasks: [],
      checkpoints: {},
      seed: 0,
      startedAt: "2026-01-01T00:00:00Z",
      environment: fakeEnvironment(1),
    }),
  );
}

Deno.test({
  name: "reproduce and report CLIs: paths outside --reports and locked runs are one-line refusals",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "hrm-runpath-" });
    try {
      await emptyRun(join(dir, "outside"));
      await emptyRun(join(dir, "reports", "r"));
      const before = await listing(dir);
      const reproduceArgs = ["--profile", "smoke", "--backend", "wasm", "--jobs", "1", "--quiet"];
      const refusals: [string, string[], RegExp][] = [
        [
          "reproduce.ts",
          [...reproduceArgs, "--run", "../outside"],
          /^error: --run '\.\.\/outside': a run name is a plain folder name/,
        ],
        [
          "reproduce.ts",
          [...reproduceArgs, "--resume", "../outside"],
          /^error: --resume '\.\.\/outside': the run folder \S+\/outside is not inside the runs' folder \S+\/reports \(--reports\)/,
        ],
        [
          "reproduce.ts",
          [...reproduceArgs, "--resume", "reports/../outside"],
          /^error: --resume 'reports\/\.\.\/outside': the run folder \S+\/outside is not inside/,
        ],
        [
          "report.ts",
          ["../../etc"],
          /^error: run '\.\.\/\.\.\/etc': the run folder \S+ is not inside the runs' folder/,
        ],
        [
          "report.ts",
          [join(dir, "outside")],
          /^error: run '\S+\/outside': the run folder \S+\/outside is not inside the runs' folder/,
        ],
      ];
      for (const [script, args, message] of refusals) {
        const { code, stderr } = await cli(dir, script, args);
        assert.equal(code, 1, `${script} ${args.join(" ")}: ${stderr}`);
        assert.match(stderr, message);
        assert.equal(stderr.split("\n").length, 1, stderr);
      }
      // The run's writer holds the lock (simulated here: this test process).
      const lock = await acquireRunLock(join(dir, "reports", "r"), "reproduce run r");
      const locked = await listing(dir);
      try {
        const owner =
          `reports/r/\\.lock: locked by pid ${Deno.pid} \\(reproduce run r\\) since \\S+`;
        const resume = await cli(dir, "reproduce.ts", [...reproduceArgs, "--resume", "r"]);
        assert.equal(resume.code, 1, resume.stderr);
        assert.match(resume.stderr, new RegExp(`^error: ${owner}; refusing to resume run r$`));
        const report = await cli(dir, "report.ts", ["r"]);
        assert.equal(report.code, 1, report.stderr);
        assert.match(
          report.stderr,
          new RegExp(`^error: ${owner}; refusing to rebuild its reports while it runs$`),
        );
        assert.deepEqual(await listing(dir), locked, "nothing written");
      } finally {
        await lock.release();
      }
      assert.deepEqual(await listing(dir), before, "nothing written");
      // Unlocked, the rebuild goes ahead (also named by a path inside --reports).
      const ok = await cli(dir, "report.ts", ["reports/r"]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.ok((await Deno.stat(join(dir, "reports", "r", "summary.md"))).isFile);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
