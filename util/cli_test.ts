import assert from "node:assert/strict";
import { Command } from "@commander-js/extra-typings";
import { errorMessage, parseCli } from "./cli.ts";

const CLI = new URL("./cli.ts", import.meta.url).href;

/** Runs a tiny script that calls runCli with `body` as main. */
async function run(body: string, opts = "") {
  const code = `import { runCli } from "${CLI}";\nawait runCli(async () => { ${body} }${opts});\n` +
    `console.log("after");`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", code],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("runCli: a throw prints one error line and exits 1", async () => {
  const r = await run(`throw new Error("bad.json: field 'x' must be a number");`);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, "error: bad.json: field 'x' must be a number\n");
  assert.equal(r.stdout, "");
});

Deno.test("runCli: a returned number is the exit status", async () => {
  const r = await run(`return 3;`);
  assert.equal(r.code, 3);
  assert.equal(r.stdout, "");
});

Deno.test("runCli: nothing returned lets the script go on, or exits 0 when asked", async () => {
  assert.deepEqual(await run(`return;`), { code: 0, stdout: "after\n", stderr: "" });
  assert.deepEqual(await run(`return;`, ", { exitOnSuccess: true }"), {
    code: 0,
    stdout: "",
    stderr: "",
  });
});

Deno.test("errorMessage: Error or anything else", () => {
  assert.equal(errorMessage(new Error("boom")), "boom");
  assert.equal(errorMessage("plain"), "plain");
});

Deno.test("parseCli: parsed, help shown, or a plain one-line usage error", () => {
  const make = () =>
    new Command("x").requiredOption("--out <dir>", "output").configureOutput({
      writeOut: () => {},
    });
  const ok = make();
  assert.equal(parseCli(ok, ["--out", "d"]), true);
  assert.equal(ok.opts().out, "d");
  assert.equal(parseCli(make(), ["--help"]), false);
  assert.throws(() => parseCli(make(), []), {
    message: "required option '--out <dir>' not specified",
  });
  assert.throws(() => parseCli(make(), ["--out", "d", "--nope"]), {
    message: "unknown option '--nope'",
  });
});
