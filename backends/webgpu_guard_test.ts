/**
 * The WebGPU guard on the software adapter: a tensor over the device's
 * binding limit (128 MiB on lavapipe/llvmpipe) is reported as one line naming
 * the kernel and its shapes, instead of reading back as silent zeros.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { testBackends } from "./testing.ts";
import { useBackend } from "./select.ts";
import { faultLine, kernelFor, setFaultHandler, type WebgpuFault } from "./webgpu_guard.ts";

Deno.test("webgpu guard: the kernel an error names is found by its binding size", () => {
  const d = [
    { name: "Fill", shapes: "-> [5]", bytes: [20] },
    { name: "BinaryOp", shapes: "[10] -> [10]", bytes: [40, 40] },
    { name: "Slice", shapes: "[10] -> [2]", bytes: [40, 8] },
    { name: "Fill", shapes: "-> [3]", bytes: [12] },
  ];
  assert.equal(kernelFor("binding 0 range 40 exceeds", d), "BinaryOp [10] -> [10]");
  assert.equal(kernelFor("out of memory", d), "Fill -> [3] (the last kernel dispatched)");
  assert.equal(kernelFor("x", []), undefined);
  assert.match(
    faultLine({ kind: "validation", message: "m", kernel: "K [1]" }),
    /^webgpu validation error in K \[1\]: m/,
  );
});

Deno.test({
  name: "webgpu guard: an oversized tensor fails loudly with the kernel and shape [webgpu]",
  ignore: !testBackends().includes("webgpu"),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await useBackend("webgpu");
    const faults: WebgpuFault[] = [];
    const lines: string[] = [];
    const previous = setFaultHandler((f, line) => {
      faults.push(f);
      lines.push(line);
    });
    try {
      const limit = (tf.backend() as unknown as { device: GPUDevice }).device.limits
        .maxStorageBufferBindingSize;
      const n = Math.floor(limit / 4) + 1024; // one tensor just over the binding limit
      const a = tf.fill([n], 1);
      const b = tf.add(a, 1);
      const head = b.slice([0], [4]);
      await head.data();
      tf.dispose([a, b, head]);
      for (let i = 0; i < 50 && faults.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(faults.length, 1, "exactly one fault reported (later ones follow from it)");
      assert.equal(faults[0].kind, "validation");
      assert.match(faults[0].message, /exceeds/);
      assert.match(faults[0].kernel ?? "", new RegExp(`\\[${n}\\]`));
      assert.match(lines[0], /^webgpu validation error in \w+ .*\[\d+\]/);
      // A small kernel after a handler reset runs and reports nothing.
      setFaultHandler((f) => faults.push(f));
      const c = tf.add(tf.ones([8]), 1);
      assert.deepEqual(Array.from(await c.data()), new Array(8).fill(2));
      c.dispose();
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(faults.length, 1);
    } finally {
      setFaultHandler(previous);
    }
  },
});

Deno.test({
  name: "webgpu guard: by default the command ends with exit 1 and the one-line error [webgpu]",
  ignore: !testBackends().includes("webgpu"),
  async fn() {
    const root = new URL("..", import.meta.url).pathname;
    const code = `import * as tf from "@tensorflow/tfjs";
      import { useBackend } from "./backends/mod.ts";
      await useBackend("webgpu");
      const limit = tf.backend().device.limits.maxStorageBufferBindingSize;
      const b = tf.add(tf.fill([limit / 4 + 1024], 1), 1);
      await b.slice([0], [4]).data();
      await new Promise((r) => setTimeout(r, 3000));
      console.log("not reached");`;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--config", `${root}deno.json`, code],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 1, stderr);
    assert.equal(new TextDecoder().decode(out.stdout).trim(), "");
    assert.match(stderr, /^error: webgpu validation error in Fill -> \[\d+\]: Buffer binding/m);
  },
});
