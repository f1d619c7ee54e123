import assert from "node:assert/strict";
import { dirname } from "node:path";
import {
  assertFinishedBuild,
  type BuildKind,
  checkOutputDir,
  OutputDirError,
  readBuildState,
  writeOutputDir,
} from "./output_dir.ts";

/** A tiny builder's layout: two files besides build.json. */
const DEMO: BuildKind = { task: "demo", command: "demo build", files: ["a.txt", "sub/b.bin"] };

/** Writes a finished demo build (or, with `unfinished`, what a killed one leaves). */
async function demoBuild(dir: string, tag = "v1", unfinished = false): Promise<void> {
  await Deno.mkdir(`${dir}/sub`, { recursive: true });
  await Deno.writeTextFile(`${dir}/a.txt`, tag);
  if (!unfinished) await Deno.writeFile(`${dir}/sub/b.bin`, new Uint8Array([1, 2, 3]));
  await Deno.writeTextFile(
    `${dir}/build.json`,
    JSON.stringify(unfinished ? { task: "demo", unfinished: true } : { task: "demo", tag }),
  );
}

/** Every path under `dir`, sorted (folders end with /). */
async function tree(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${dir}/${prefix}`)) {
    const rel = `${prefix}${e.name}`;
    if (e.isDirectory) out.push(`${rel}/`, ...await tree(dir, `${rel}/`));
    else out.push(rel);
  }
  return out.sort();
}

async function withTemp(body: (root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir();
  try {
    await body(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** Checks and writes `out` like a builder: the new build's a.txt says `tag`. */
async function build(out: string, force: boolean, tag = "v2"): Promise<void> {
  const plan = await checkOutputDir(out, DEMO, force);
  await writeOutputDir(plan, (dir) => demoBuild(dir, tag));
}

/** Asserts a refusal with `message`, and that nothing under `dir` changed. */
async function refused(out: string, force: boolean, message: RegExp, dir = out): Promise<void> {
  const before = await tree(dir);
  await assert.rejects(checkOutputDir(out, DEMO, force), (err: Error) => {
    assert.ok(err instanceof OutputDirError, String(err));
    assert.match(err.message, message);
    assert.equal(err.message.includes("\n"), false);
    return true;
  });
  assert.deepEqual(await tree(dir), before);
}

Deno.test("output dir: a missing or empty folder is written; no temporary folder stays", async () => {
  await withTemp(async (root) => {
    await build(`${root}/new/deeper`, false);
    assert.deepEqual(await tree(`${root}/new/deeper`), [
      "a.txt",
      "build.json",
      "sub/",
      "sub/b.bin",
    ]);
    await Deno.mkdir(`${root}/empty`);
    const plan = await checkOutputDir(`${root}/empty/.`, DEMO, false);
    assert.equal(plan.state, "empty");
    assert.equal(plan.out, `${root}/empty`);
    await writeOutputDir(plan, (dir) => demoBuild(dir));
    assert.equal(await Deno.readTextFile(`${root}/empty/a.txt`), "v1");
    assert.deepEqual(await tree(root), [
      "empty/",
      "empty/a.txt",
      "empty/build.json",
      "empty/sub/",
      "empty/sub/b.bin",
      "new/",
      "new/deeper/",
      "new/deeper/a.txt",
      "new/deeper/build.json",
      "new/deeper/sub/",
      "new/deeper/sub/b.bin",
    ]);
  });
});

Deno.test("output dir: our finished build needs --force, then is replaced", async () => {
  await withTemp(async (root) => {
    await demoBuild(`${root}/d`);
    await refused(
      `${root}/d`,
      false,
      /d: already exists and is not empty \(use --force to replace this finished demo build\)$/,
    );
    await build(`${root}/d`, true, "v2");
    assert.equal(await Deno.readTextFile(`${root}/d/a.txt`), "v2");
    assert.deepEqual(await tree(root), ["d/", "d/a.txt", "d/build.json", "d/sub/", "d/sub/b.bin"]);
  });
});

Deno.test("output dir: our unfinished build (killed midway) is refused by verify, replaced with --force", async () => {
  await withTemp(async (root) => {
    await demoBuild(`${root}/d`, "v1", true);
    await Deno.writeTextFile(`${root}/d/a.txt.4242.0badcafe.tmp`, "half"); // an atomic write cut short
    assert.deepEqual(await readBuildState(`${root}/d`), { state: "unfinished", task: "demo" });
    await assert.rejects(
      assertFinishedBuild(`${root}/d`),
      new RegExp(
        `${root}/d: unfinished demo build \\(interrupted or still running; ` +
          `rebuild it with --out ${root}/d --force\\)$`,
      ),
    );
    await refused(`${root}/d`, false, /use --force to replace this unfinished demo build/);
    await build(`${root}/d`, true);
    await assertFinishedBuild(`${root}/d`);
    assert.deepEqual(await tree(`${root}/d`), ["a.txt", "build.json", "sub/", "sub/b.bin"]);
    // Folders without build.json (other builders' layouts) pass; a damaged one does not.
    await assertFinishedBuild(root);
    await Deno.writeTextFile(`${root}/d/build.json`, "{");
    await assert.rejects(assertFinishedBuild(`${root}/d`), /build\.json: expected a JSON object/);
  });
});

Deno.test("output dir: the current folder and its parents are refused, even with --force", async () => {
  const cwd = Deno.cwd();
  for (const out of [".", "./", cwd]) {
    await refused(out, true, /: is the current folder; refusing to replace it$/, ".");
  }
  for (const out of ["..", dirname(cwd), "/"]) {
    await refused(out, true, /: is a parent of the current folder; refusing to replace it$/, ".");
  }
});

Deno.test("output dir: a repository, a source folder and a foreign folder are refused; nothing is deleted", async () => {
  await withTemp(async (root) => {
    // A repository that otherwise looks like our build.
    await demoBuild(`${root}/repo`);
    await Deno.mkdir(`${root}/repo/.git`);
    await refused(`${root}/repo`, true, /repo: is a git repository \(it holds \.git\)/);
    // A source folder.
    await demoBuild(`${root}/src`);
    await Deno.writeTextFile(`${root}/src/mod.ts`, "export {};\n");
    await refused(`${root}/src`, true, /src: is a source folder \(it holds mod\.ts\)/);
    await Deno.mkdir(`${root}/deep/sub`, { recursive: true });
    await Deno.writeTextFile(`${root}/deep/sub/x.py`, "");
    await Deno.writeTextFile(`${root}/deep/build.json`, '{"task":"demo"}');
    await refused(`${root}/deep`, true, /deep: is a source folder \(it holds sub\/x\.py\)/);
    // A non-empty folder we did not build, with and without --force.
    await Deno.mkdir(`${root}/notes`);
    await Deno.writeTextFile(`${root}/notes/todo.txt`, "keep me");
    for (const force of [false, true]) {
      await refused(
        `${root}/notes`,
        force,
        /notes: is not empty and was not built by demo build \(no build\.json\); refusing/,
      );
    }
    // Our build with something extra in it: refused, the extra file kept.
    await demoBuild(`${root}/extra`);
    await Deno.writeTextFile(`${root}/extra/reproduce-build.json`, "{}");
    await Deno.mkdir(`${root}/extra/sub/mine`);
    for (const force of [false, true]) {
      await refused(
        `${root}/extra`,
        force,
        /extra: holds reproduce-build\.json, which demo build did not write; move it away/,
      );
    }
    await Deno.remove(`${root}/extra/reproduce-build.json`);
    await refused(`${root}/extra`, true, /extra: holds sub\/mine\/, which demo build did not/);
    // Another task's build, a damaged build.json, a file, a symbolic link.
    await Deno.mkdir(`${root}/other`);
    await Deno.writeTextFile(`${root}/other/build.json`, '{"task":"maze"}');
    await refused(`${root}/other`, true, /other: holds a maze build, not a demo one/);
    await Deno.writeTextFile(`${root}/other/build.json`, "[]");
    await refused(`${root}/other`, true, /other: build\.json is not a build summary of demo build/);
    await Deno.remove(`${root}/other/build.json`);
    await Deno.mkdir(`${root}/other/build.json`);
    await refused(`${root}/other`, true, /other: build\.json is not a build summary of demo build/);
    await Deno.remove(`${root}/other/build.json`);
    await Deno.writeTextFile(`${root}/other/build.json`, "{}");
    await refused(
      `${root}/other/build.json`,
      true,
      /build\.json: exists and is not a folder$/,
      root,
    );
    await Deno.symlink(`${root}/notes`, `${root}/link`);
    await refused(`${root}/link`, true, /link: is a symbolic link/, `${root}/notes`);
    await assert.rejects(checkOutputDir("", DEMO, true), /--out: expected a folder name, got ''$/);
  });
});

Deno.test("output dir: a folder git tracks files in is refused", async (t) => {
  const git = async (cwd: string, ...args: string[]) =>
    (await new Deno.Command("git", { args, cwd, stdout: "null", stderr: "null" }).output())
      .success;
  await withTemp(async (root) => {
    if (!await git(root, "init", "-q").catch(() => false)) {
      await t.step({ name: "git is not installed", ignore: true, fn: () => {} });
      return;
    }
    await demoBuild(`${root}/data`);
    assert.ok(await git(root, "add", "data"));
    await refused(`${root}/data`, true, /data: git tracks files in it \(e\.g\. a\.txt\); refusing/);
    // The repository's own source folders.
    const io = new URL(".", import.meta.url).pathname;
    await refused(io, true, /git tracks files in it|current folder|parent/);
  });
});

Deno.test("output dir: a failed fill leaves the old build; a bad builder is caught", async () => {
  await withTemp(async (root) => {
    await demoBuild(`${root}/d`);
    const before = await tree(`${root}/d`);
    const plan = await checkOutputDir(`${root}/d`, DEMO, true);
    await assert.rejects(
      writeOutputDir(plan, async (dir) => {
        await Deno.writeTextFile(`${dir}/a.txt`, "half");
        throw new Error("disk full");
      }),
      /disk full/,
    );
    assert.deepEqual(await tree(root), before.map((p) => `d/${p}`).concat("d/").sort());
    await assert.rejects(
      writeOutputDir(plan, (dir) => Deno.writeTextFile(`${dir}/a.txt`, "no marker")),
      /the demo builder did not write its build\.json/,
    );
    await assert.rejects(
      writeOutputDir(plan, async (dir) => {
        await demoBuild(dir);
        await Deno.writeTextFile(`${dir}/stray.log`, "");
      }),
      /the demo builder wrote undeclared stray\.log/,
    );
    assert.equal(await Deno.readTextFile(`${root}/d/a.txt`), "v1");
    assert.deepEqual((await tree(root)).filter((p) => !p.startsWith("d/")), []);
  });
});

Deno.test("output dir: --out taken while building keeps the new build aside; stale builds are named", async () => {
  await withTemp(async (root) => {
    const plan = await checkOutputDir(`${root}/d`, DEMO, false);
    const tmp = `${root}/d.partial-${Deno.pid}`;
    await assert.rejects(
      writeOutputDir(plan, async (dir) => {
        await Deno.mkdir(`${root}/d`);
        await Deno.writeTextFile(`${root}/d/theirs.txt`, "someone else's");
        await demoBuild(dir);
      }),
      new RegExp(`d: is not empty .*; the new build is kept in ${tmp}$`),
    );
    assert.equal(await Deno.readTextFile(`${root}/d/theirs.txt`), "someone else's");
    assert.deepEqual(await readBuildState(tmp), { state: "finished", task: "demo" });
    // A build killed midway leaves its temporary sibling: named, kept, refused by verify.
    await Deno.rename(tmp, `${root}/e.partial-1`);
    await Deno.writeTextFile(
      `${root}/e.partial-1/build.json`,
      JSON.stringify({ task: "demo", unfinished: true }),
    );
    const next = await checkOutputDir(`${root}/e`, DEMO, false);
    assert.deepEqual(next.notes, [
      `note: kept ${root}/e.partial-1: an unfinished demo build of an interrupted run ` +
      `(delete it yourself once no build is running)`,
    ]);
    await assert.rejects(assertFinishedBuild(`${root}/e.partial-1`), /unfinished demo build/);
    await writeOutputDir(next, (dir) => demoBuild(dir));
    assert.ok((await tree(root)).includes("e.partial-1/a.txt"));
  });
});
