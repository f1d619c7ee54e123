/**
 * The GPU check's bundle (dev/pack_device.ts) runs on its own, with no
 * node_modules and no repository beside it, as on the device machine.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { bundleBench, GL_PACKAGES, peerConfig, runEnv } from "./pack_device.ts";

Deno.test({
  name: "pack_device: the bundled bench runs alone; the peer config is the bench's",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "hrm-device-" });
    try {
      const bundle = join(dir, "bench.js");
      await bundleBench(bundle);
      const out = await new Deno.Command(Deno.execPath(), {
        // One process: the bundle holds no Worker script (the GPU check runs one worker anyway).
        args: ["run", "-A", "--no-config", bundle, "--only", "tiny", "--backend", "cpu"]
          .concat([
            "--workers",
            "1",
            "--no-peer",
            "--json",
            "--train-runs",
            "1",
            "--eval-runs",
            "1",
          ]),
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, stderr);
      const entry = JSON.parse(new TextDecoder().decode(out.stdout).trim());
      assert.equal(entry.config, "tiny");
      assert.equal(entry.backend, "cpu");
      assert.ok(entry.train_examples_per_s > 0);
      const peer = JSON.parse(peerConfig("sudoku-paper", 768));
      assert.equal(peer.batch_size, 768);
      assert.equal(peer.hidden_size, 512);
      assert.equal(peer.seq_len, 81);
      assert.throws(() => peerConfig("nope", 1), /unknown/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("pack_device: the real and the dry-run sizes; the libraries the NVIDIA ICD needs", () => {
  const real = runEnv({ config: "sudoku-paper", batch: 768, tiny: false });
  assert.match(real, /^CONFIG=sudoku-paper\nBATCH=768\nTINY=0\n/);
  assert.match(real, /PROBE_ROWS=62976\n/); // 768 x 82 tokens, the paper's Sudoku batch
  const tiny = runEnv({ config: "tiny", batch: 4, tiny: true });
  assert.match(tiny, /TINY=1\n.*TRAIN_RUNS=1\n/s);
  for (const p of ["libvulkan1", "vulkan-tools", "libx11-6", "libxcb1", "libegl1", "libgles2"]) {
    assert.ok(GL_PACKAGES.includes(p), p);
  }
});
